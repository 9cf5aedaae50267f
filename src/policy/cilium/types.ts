/**
 * CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io/v2) as written: the subset of
 * the rule language microseg reads and writes.
 */
import type { LabelSelector } from "../../model/labels.js";

/** A port of `toPorts[].ports`. */
export interface CiliumPortProtocol {
  port?: string;
  endPort?: number;
  protocol?: "TCP" | "UDP" | "SCTP" | "ANY";
}

/** An HTTP rule of `rules.http` (regexes, matched against the whole value). */
export interface CiliumPortRuleHttp {
  method?: string;
  path?: string;
  host?: string;
  headers?: string[];
}

/** A DNS rule of `rules.dns`. */
export interface CiliumPortRuleDns {
  matchName?: string;
  matchPattern?: string;
}

/** `toPorts[]`. */
export interface CiliumPortRule {
  ports?: CiliumPortProtocol[];
  rules?: { http?: CiliumPortRuleHttp[]; dns?: CiliumPortRuleDns[]; kafka?: unknown[]; l7proto?: string };
}

/** A CIDR with excepts. */
export interface CiliumCidrRule {
  cidr?: string;
  except?: string[];
  cidrGroupRef?: string;
}

/** An ingress or egress rule (allow or deny); from* fields on ingress, to* on egress. */
export interface CiliumRule {
  fromEndpoints?: LabelSelector[];
  toEndpoints?: LabelSelector[];
  fromCIDR?: string[];
  toCIDR?: string[];
  fromCIDRSet?: CiliumCidrRule[];
  toCIDRSet?: CiliumCidrRule[];
  fromEntities?: string[];
  toEntities?: string[];
  toFQDNs?: CiliumPortRuleDns[];
  fromRequires?: LabelSelector[];
  toRequires?: LabelSelector[];
  toServices?: unknown[];
  fromNodes?: unknown[];
  toNodes?: unknown[];
  fromGroups?: unknown[];
  toGroups?: unknown[];
  toPorts?: CiliumPortRule[];
  icmps?: unknown[];
}

/** One policy rule (`spec` or an entry of `specs`). */
export interface CiliumPolicySpec {
  description?: string;
  endpointSelector?: LabelSelector;
  nodeSelector?: LabelSelector;
  ingress?: CiliumRule[];
  ingressDeny?: CiliumRule[];
  egress?: CiliumRule[];
  egressDeny?: CiliumRule[];
  enableDefaultDeny?: { ingress?: boolean; egress?: boolean };
  labels?: unknown[];
}

/** The API version microseg writes. */
export const CILIUM_API = "cilium.io/v2";

/** The pod label Cilium derives from the namespace. */
export const NAMESPACE_LABEL = "io.kubernetes.pod.namespace";

/** The prefix of namespace labels as Cilium exposes them on endpoints. */
export const NAMESPACE_LABELS_PREFIX = "io.cilium.k8s.namespace.labels.";

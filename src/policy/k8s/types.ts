/**
 * The Kubernetes policy objects as their APIs define them (networking.k8s.io/v1 NetworkPolicy;
 * policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy). These are
 * the target's own types: the parser validates raw objects into them, then lowers them to the IR.
 */
import type { LabelSelector } from "../../model/labels.js";

/** `metadata` as policies use it. */
export interface K8sPolicyMeta {
  name: string;
  namespace?: string;
}

/** networking.k8s.io/v1 IPBlock: a CIDR minus excepts (each inside the CIDR). */
export interface IPBlock {
  cidr: string;
  except?: string[];
}

/** networking.k8s.io/v1 NetworkPolicyPeer: exactly ipBlock, or pod/namespace selectors (AND). */
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

/** networking.k8s.io/v1 NetworkPolicyPort; protocol defaults to TCP, absent port = all ports. */
export interface NetworkPolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

/** networking.k8s.io/v1 NetworkPolicyIngressRule. */
export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

/** networking.k8s.io/v1 NetworkPolicyEgressRule. */
export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

/** The policy types a NetworkPolicy can name. */
export type PolicyType = "Ingress" | "Egress";

/** networking.k8s.io/v1 NetworkPolicySpec. */
export interface NetworkPolicySpec {
  podSelector?: LabelSelector;
  policyTypes?: PolicyType[];
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

/** networking.k8s.io/v1 NetworkPolicy. */
export interface NetworkPolicy {
  apiVersion?: string;
  kind: "NetworkPolicy";
  metadata: K8sPolicyMeta;
  spec: NetworkPolicySpec;
}

/** The apiVersion NetworkPolicy objects use. */
export const NETWORK_POLICY_API = "networking.k8s.io/v1";

/** policy.networking.k8s.io/v1alpha1 pods selector: pods matching podSelector in matching namespaces. */
export interface NamespacedPod {
  namespaceSelector: LabelSelector;
  podSelector: LabelSelector;
}

/** AdminNetworkPolicySubject: exactly one of namespaces or pods. */
export interface AdminNetworkPolicySubject {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
}

/** AdminNetworkPolicyIngressPeer / EgressPeer: exactly one field (nodes and networks: egress only). */
export interface AdminNetworkPolicyPeer {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
  nodes?: LabelSelector;
  networks?: string[];
}

/** AdminNetworkPolicyPort: exactly one of portNumber, namedPort, portRange. */
export interface AdminNetworkPolicyPort {
  portNumber?: { protocol?: string; port: number };
  namedPort?: string;
  portRange?: { protocol?: string; start: number; end: number };
}

/** An (Baseline)AdminNetworkPolicy rule; `from` for ingress, `to` for egress. */
export interface AdminNetworkPolicyRule {
  name?: string;
  action: "Allow" | "Deny" | "Pass";
  peers: AdminNetworkPolicyPeer[];
  ports?: AdminNetworkPolicyPort[];
}

/** An AdminNetworkPolicy or BaselineAdminNetworkPolicy (v1alpha1), validated. */
export interface AdminNetworkPolicy {
  kind: "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy";
  metadata: K8sPolicyMeta;
  /** 0..1000, lower first; BaselineAdminNetworkPolicy has none. */
  priority?: number;
  subject: AdminNetworkPolicySubject;
  ingress: AdminNetworkPolicyRule[];
  egress: AdminNetworkPolicyRule[];
}

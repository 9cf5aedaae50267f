/**
 * The two ends of a connection as the evaluator sees them: a pod-like workload (labels, its
 * namespace's labels, container ports for named ports), an IP address, or a reserved entity.
 */
import { type IpAddr, parseIp } from "../model/ipset.js";
import type { Labels } from "../model/labels.js";
import type { Protocol } from "../model/ports.js";
import { type ContainerPort, defaultNamespaceLabels, type Workload } from "../model/workload.js";

/** A pod (or a workload standing for its pods): policies select it by labels. */
export interface PodEndpoint {
  kind: "pod";
  id: string;
  namespace: string;
  labels: Labels;
  namespaceLabels: Labels;
  /** Container ports, for resolving named ports when this pod is the destination. */
  ports: readonly ContainerPort[];
  /** The pod's service account (Istio principals); `default` when absent. */
  serviceAccount?: string;
  /**
   * False when the pod is known to be outside the Istio mesh (no sidecar): it presents no mTLS
   * identity, so principal and namespace peers never match it. Absent: assumed in the mesh.
   */
  mesh?: boolean;
}

/** An address outside the pod network (or a pod known only by IP). */
export interface IpEndpoint {
  kind: "ip";
  ip: IpAddr;
  /** The address as written. */
  text: string;
  /** DNS names known for the address (Cilium toFQDNs peers match them). */
  names?: readonly string[];
}

/** A reserved entity (world, host, kube-apiserver …). */
export interface EntityEndpoint {
  kind: "entity";
  entity: string;
  /**
   * The address the traffic carried, when known (a node's address for `host`): NetworkPolicy
   * ipBlocks match it, Cilium CIDR rules never select the host.
   */
  ip?: IpAddr;
}

/** Either end of a connection. */
export type Endpoint = PodEndpoint | IpEndpoint | EntityEndpoint;

/** A connection to evaluate. */
export interface Connection {
  src: Endpoint;
  dst: Endpoint;
  protocol: Protocol;
  port: number;
  /** The HTTP request carried, when known: L7 rules then decide (absent: an L4-only question). */
  http?: HttpRequest;
}

/** An HTTP request as L7 rules see it. */
export interface HttpRequest {
  method: string;
  /** The path without query string. */
  path: string;
  /** The Host/authority header, when known. */
  host?: string;
}

/** A pod endpoint from a workload; namespace labels default to `kubernetes.io/metadata.name`. */
export function podEndpoint(w: Workload, namespaceLabels?: Labels): PodEndpoint {
  const namespace = w.namespace || "default";
  return {
    kind: "pod",
    id: w.id,
    namespace,
    labels: w.labels,
    namespaceLabels: namespaceLabels ?? w.namespaceLabels ?? defaultNamespaceLabels(namespace),
    ports: w.ports ?? [],
    ...(w.serviceAccount ? { serviceAccount: w.serviceAccount } : {}),
  };
}

/** An IP endpoint; undefined when the text is not an address. */
export function ipEndpoint(text: string): IpEndpoint | undefined {
  const ip = parseIp(text);
  return ip ? { kind: "ip", ip, text } : undefined;
}

/** An entity endpoint, with the address it was seen at when known. */
export function entityEndpoint(entity: string, ip?: IpAddr): EntityEndpoint {
  return ip ? { kind: "entity", entity, ip } : { kind: "entity", entity };
}

/** A short text form for messages: the pod id, the address, or `entity:<name>`. */
export function endpointLabel(e: Endpoint): string {
  if (e.kind === "pod") return e.id;
  if (e.kind === "ip") return e.text;
  return `entity:${e.entity}`;
}

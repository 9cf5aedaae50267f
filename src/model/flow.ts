/**
 * Flows: one record of a flow source, normalised. Every flow source is an AsyncIterable<Flow>.
 */
import type { Protocol } from "./ports.js";

/** What the enforcement point did with the flow (DESIGN: verdicts from flow sources). */
export type FlowVerdict = "forwarded" | "dropped" | "audit" | "unknown";

/** An HTTP request seen on the flow. */
export interface HttpInfo {
  method: string;
  /** The path without query string. */
  path: string;
  status?: number;
  /** The Host/authority when seen. */
  host?: string;
}

/** A DNS query seen on the flow. */
export interface DnsInfo {
  query: string;
  rcode?: number;
  ips?: string[];
}

/** An identity that the flow source itself attaches to an endpoint (Hubble, GKE details, Calico). */
export interface SourceIdentity {
  /** Workload id when known (`ns/name`), or entity id (`entity:world`). */
  id?: string;
  namespace?: string;
  /** Workload (owner) name when the source says it. */
  workloadName?: string;
  workloadKind?: string;
  podName?: string;
  labels?: Record<string, string>;
  /** Namespace labels that the source carries (Cilium's `io.cilium.k8s.namespace.labels.*`). */
  namespaceLabels?: Record<string, string>;
  serviceAccount?: string;
  /** Reserved entity when the source says so (`world`, `host`, `kube-apiserver` …). */
  entity?: string;
  /** DNS names the source attaches to the address. */
  names?: string[];
  /** The Kubernetes Service the endpoint was addressed as (Istio's outbound cluster, GKE details), when the source says. */
  service?: { name: string; namespace?: string };
  /**
   * Provider facts that name the endpoint (`aws.instance-id`, `aws.ecs-service-name`, `gcp.vm-name` …):
   * kept for display and evidence, never used to resolve the endpoint to a workload.
   */
  hints?: Record<string, string>;
}

/** One end of a flow. */
export interface FlowEndpoint {
  ip?: string;
  port?: number;
  identity?: SourceIdentity;
}

/** Where a flow record came from. */
export interface FlowOrigin {
  format: string;
  file: string;
  line: number;
}

/** A normalised flow record. */
export interface Flow {
  /** Milliseconds since the epoch (UTC). */
  time?: number;
  src: FlowEndpoint;
  dst: FlowEndpoint;
  /** L4 protocol; `ICMP` and others are kept as their names but make no policy port. */
  protocol: Protocol | "ICMP" | "ICMPv6" | string;
  verdict: FlowVerdict;
  /** The raw verdict as the source printed it (FORWARDED, REDIRECTED, TRACED …). */
  rawVerdict?: string;
  /** True: reply direction; false: request; undefined: the source does not say. */
  isReply?: boolean;
  /** Observation direction relative to the observing endpoint, when the source says. */
  direction?: "ingress" | "egress";
  bytes?: number;
  packets?: number;
  http?: HttpInfo;
  dns?: DnsInfo;
  /** TCP flags set on the packet (`SYN`, `ACK`, `FIN`, `RST` …), when the source says. */
  tcpFlags?: string[];
  /** Why a dropped flow was dropped, as the source says. */
  dropReason?: string;
  /** The policies or rules the source names as deciding the verdict (Azure NSG rule, Calico policy hits). */
  policies?: string[];
  origin: FlowOrigin;
}

/** Formats epoch milliseconds as RFC 3339 (UTC, millisecond precision). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

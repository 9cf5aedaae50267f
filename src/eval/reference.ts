/**
 * The reference evaluator: the test oracle for src/eval. Deliberately simple and slow, it reads
 * like the networking.k8s.io/v1 NetworkPolicy reference and works directly on NetworkPolicy
 * objects (not the IR), one connection at a time, sharing no code with the engine (its own
 * selector matching and its own IPv4 arithmetic). IPv4 only.
 */
import type { LabelSelector, Labels } from "../model/labels.js";
import type { Protocol } from "../model/ports.js";
import type { ContainerPort } from "../model/workload.js";
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "../policy/k8s/types.js";

/** A pod as the reference sees it. */
export interface RefPod {
  namespace: string;
  name: string;
  labels: Labels;
  ports: ContainerPort[];
}

/** One end of a connection: a pod, or an IPv4 address. */
export type RefEndpoint = { pod: RefPod } | { ip: string };

/** What the reference knows: namespace labels and the policies. */
export interface RefCluster {
  /** Namespace → labels; a namespace not listed has only `kubernetes.io/metadata.name`. */
  namespaces: Record<string, Labels>;
  policies: NetworkPolicy[];
}

function namespaceLabels(c: RefCluster, ns: string): Labels {
  return c.namespaces[ns] ?? { "kubernetes.io/metadata.name": ns };
}

/** "A label selector ... The requirements are ANDed. An empty label selector matches all objects." */
function selectorMatches(sel: LabelSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    if (e.operator === "In" && !inValues) return false;
    if (e.operator === "NotIn" && inValues) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function ipv4ToNumber(ip: string): number {
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4ToNumber(ip) / size) === Math.floor(ipv4ToNumber(base) / size);
}

/** "If this field is not specified, it will default based on the existence of ingress or egress rules." */
function policyTypes(p: NetworkPolicy): string[] {
  if (p.spec.policyTypes && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
  return p.spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
}

/** "podSelector selects the pods to which this NetworkPolicy object applies" (in its namespace). */
function policySelects(p: NetworkPolicy, pod: RefPod): boolean {
  return (
    (p.metadata.namespace ?? "default") === pod.namespace &&
    selectorMatches(p.spec.podSelector ?? {}, pod.labels)
  );
}

/** One NetworkPolicyPeer: ipBlock (addresses only), or pod/namespace selectors ANDed. */
function peerMatches(c: RefCluster, peer: NetworkPolicyPeer, policyNs: string, ep: RefEndpoint): boolean {
  if (peer.ipBlock) {
    if (!("ip" in ep)) return false;
    const block = peer.ipBlock;
    return inCidr(ep.ip, block.cidr) && !(block.except ?? []).some((x) => inCidr(ep.ip, x));
  }
  if (!("pod" in ep)) return false;
  const pod = ep.pod;
  const nsOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, namespaceLabels(c, pod.namespace))
    : pod.namespace === policyNs;
  return nsOk && selectorMatches(peer.podSelector ?? {}, pod.labels);
}

/** "If this field is empty or missing, this rule matches all sources/destinations"; items are ORed. */
function peersMatch(
  c: RefCluster,
  peers: NetworkPolicyPeer[] | undefined,
  ns: string,
  ep: RefEndpoint,
): boolean {
  if (!peers || peers.length === 0) return true;
  return peers.some((peer) => peerMatches(c, peer, ns, ep));
}

/** "If this field is empty or missing, this rule matches all ports"; protocol defaults to TCP. */
function portsMatch(ports: NetworkPolicyPort[] | undefined, proto: Protocol, port: number, dst: RefEndpoint) {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== proto) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "number") return port >= p.port && port <= (p.endPort ?? p.port);
    // a named port: the destination pod's container port of that name and protocol
    if (!("pod" in dst)) return false;
    return dst.pod.ports.some((cp) => cp.name === p.port && cp.protocol === proto && cp.port === port);
  });
}

function egressAllowed(c: RefCluster, src: RefEndpoint, dst: RefEndpoint, proto: Protocol, port: number) {
  if (!("pod" in src)) return true;
  const selecting = c.policies.filter((p) => policyTypes(p).includes("Egress") && policySelects(p, src.pod));
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (p.spec.egress ?? []).some(
      (r) => peersMatch(c, r.to, src.pod.namespace, dst) && portsMatch(r.ports, proto, port, dst),
    ),
  );
}

function ingressAllowed(c: RefCluster, src: RefEndpoint, dst: RefEndpoint, proto: Protocol, port: number) {
  if (!("pod" in dst)) return true;
  const selecting = c.policies.filter((p) => policyTypes(p).includes("Ingress") && policySelects(p, dst.pod));
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (p.spec.ingress ?? []).some(
      (r) => peersMatch(c, r.from, dst.pod.namespace, src) && portsMatch(r.ports, proto, port, dst),
    ),
  );
}

/**
 * True when the connection is allowed: the source's egress policies (if any select it) let it
 * out and the destination's ingress policies (if any select it) let it in.
 */
export function referenceAllows(
  c: RefCluster,
  src: RefEndpoint,
  dst: RefEndpoint,
  proto: Protocol,
  port: number,
): boolean {
  return egressAllowed(c, src, dst, proto, port) && ingressAllowed(c, src, dst, proto, port);
}

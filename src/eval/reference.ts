/**
 * The reference evaluator: the test oracle for src/eval. Deliberately simple and slow, it reads
 * like the networking.k8s.io/v1 NetworkPolicy reference and the policy.networking.k8s.io/v1alpha1
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy reference, and works directly on the API
 * objects (not the IR), one connection at a time, sharing no code with the engine (its own
 * selector matching and its own IPv4 arithmetic). IPv4 only; ANP `nodes` and `domainNames` peers
 * are not modelled (they never match here).
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

/** AdminNetworkPolicy `pods`: "pods matching podSelector in namespaces matching namespaceSelector". */
export interface RefNamespacedPod {
  namespaceSelector: LabelSelector;
  podSelector: LabelSelector;
}

/** An AdminNetworkPolicy peer: exactly one field set (`networks` on egress only). */
export interface RefAdminPeer {
  namespaces?: LabelSelector;
  pods?: RefNamespacedPod;
  networks?: string[];
}

/** An AdminNetworkPolicyPort: exactly one of portNumber, namedPort, portRange. */
export interface RefAdminPort {
  portNumber?: { protocol?: string; port: number };
  namedPort?: string;
  portRange?: { protocol?: string; start: number; end: number };
}

/** An (Baseline)AdminNetworkPolicy ingress (`from`) or egress (`to`) rule. */
export interface RefAdminRule {
  name?: string;
  action: "Allow" | "Deny" | "Pass";
  from?: RefAdminPeer[];
  to?: RefAdminPeer[];
  ports?: RefAdminPort[];
}

/** An AdminNetworkPolicy or BaselineAdminNetworkPolicy object as written (v1alpha1). */
export interface RefAdminPolicy {
  kind: "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy";
  metadata: { name: string };
  spec: {
    priority?: number;
    subject: { namespaces?: LabelSelector; pods?: RefNamespacedPod };
    ingress?: RefAdminRule[];
    egress?: RefAdminRule[];
  };
}

/** What the reference knows: namespace labels and the policies. */
export interface RefCluster {
  /** Namespace → labels; a namespace not listed has only `kubernetes.io/metadata.name`. */
  namespaces: Record<string, Labels>;
  policies: NetworkPolicy[];
  /** AdminNetworkPolicies and BaselineAdminNetworkPolicies (ANPs with distinct priorities). */
  admin?: RefAdminPolicy[];
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

/**
 * "If this field is not specified, it will default based on the existence of ingress or egress
 * rules; policies that contain an egress section are assumed to affect egress": an egress
 * section with no rule (`egress: []`) is no egress rule (the API server adds Egress only when
 * the list is non-empty).
 */
function policyTypes(p: NetworkPolicy): string[] {
  if (p.spec.policyTypes && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
  return p.spec.egress && p.spec.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
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

/** "Ports allows for matching traffic based on port and protocols ... If Ports is not set then the rule does not filter traffic via port." */
function adminPortsMatch(ports: RefAdminPort[] | undefined, proto: Protocol, port: number, dst: RefEndpoint) {
  if (!ports) return true;
  return ports.some((p) => {
    if (p.portNumber) return (p.portNumber.protocol ?? "TCP") === proto && p.portNumber.port === port;
    if (p.portRange)
      return (
        (p.portRange.protocol ?? "TCP") === proto && port >= p.portRange.start && port <= p.portRange.end
      );
    // "NamedPort selects a port on a pod(s) based on name": the destination's container port
    if (!("pod" in dst)) return false;
    return dst.pod.ports.some((cp) => cp.name === p.namedPort && cp.protocol === proto && cp.port === port);
  });
}

/** "Namespaces defines a way to select all pods within a set of Namespaces"; pods: both selectors. */
function adminPeerMatches(c: RefCluster, peer: RefAdminPeer, ep: RefEndpoint): boolean {
  if (peer.networks) return "ip" in ep && peer.networks.some((cidr) => inCidr(ep.ip, cidr));
  if (!("pod" in ep)) return false;
  const nsLabels = namespaceLabels(c, ep.pod.namespace);
  if (peer.namespaces) return selectorMatches(peer.namespaces, nsLabels);
  if (peer.pods)
    return (
      selectorMatches(peer.pods.namespaceSelector, nsLabels) &&
      selectorMatches(peer.pods.podSelector, ep.pod.labels)
    );
  return false;
}

/** "Subject defines the pods to which this AdminNetworkPolicy applies." */
function adminSelects(c: RefCluster, p: RefAdminPolicy, pod: RefPod): boolean {
  const nsLabels = namespaceLabels(c, pod.namespace);
  const s = p.spec.subject;
  if (s.namespaces) return selectorMatches(s.namespaces, nsLabels);
  if (s.pods)
    return (
      selectorMatches(s.pods.namespaceSelector, nsLabels) && selectorMatches(s.pods.podSelector, pod.labels)
    );
  return false;
}

type AdminVerdict = "Allow" | "Deny" | "Pass" | undefined;

/**
 * The first rule that matches, over the policies of one kind that select the subject, lower
 * priority first ("Policies with lower priority values have higher precedence"), rules in the
 * order written ("a rule that appears at the top ... would take the highest precedence").
 */
function adminVerdict(
  c: RefCluster,
  kind: RefAdminPolicy["kind"],
  direction: "ingress" | "egress",
  subject: RefPod,
  peer: RefEndpoint,
  dst: RefEndpoint,
  proto: Protocol,
  port: number,
): AdminVerdict {
  const policies = (c.admin ?? [])
    .filter((p) => p.kind === kind && adminSelects(c, p, subject))
    .sort((a, b) => (a.spec.priority ?? 0) - (b.spec.priority ?? 0));
  for (const p of policies)
    for (const r of p.spec[direction] ?? []) {
      const peers = (direction === "ingress" ? r.from : r.to) ?? [];
      if (peers.some((x) => adminPeerMatches(c, x, peer)) && adminPortsMatch(r.ports, proto, port, dst))
        return r.action;
    }
  return undefined;
}

/** NetworkPolicy for one side: undefined when no policy selects the pod for the direction. */
function networkPolicyVerdict(
  c: RefCluster,
  direction: "ingress" | "egress",
  subject: RefPod,
  peer: RefEndpoint,
  dst: RefEndpoint,
  proto: Protocol,
  port: number,
): boolean | undefined {
  const type = direction === "ingress" ? "Ingress" : "Egress";
  const selecting = c.policies.filter((p) => policyTypes(p).includes(type) && policySelects(p, subject));
  if (selecting.length === 0) return undefined;
  const rules = (p: NetworkPolicy): { peers?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[] =>
    direction === "ingress"
      ? (p.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
      : (p.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
  return selecting.some((p) =>
    rules(p).some(
      (r) => peersMatch(c, r.peers, subject.namespace, peer) && portsMatch(r.ports, proto, port, dst),
    ),
  );
}

/**
 * One side, in the API's order of precedence: AdminNetworkPolicy (Allow / Deny final; Pass
 * "skip any remaining ANP rules, and then pass execution to any NetworkPolicies that select the
 * pod. If the pod is not selected by any NetworkPolicies then execution is passed to any
 * BaselineAdminNetworkPolicies"), then NetworkPolicy, then BaselineAdminNetworkPolicy, then allow.
 */
function sideAllowed(
  c: RefCluster,
  direction: "ingress" | "egress",
  subject: RefEndpoint,
  peer: RefEndpoint,
  dst: RefEndpoint,
  proto: Protocol,
  port: number,
): boolean {
  if (!("pod" in subject)) return true;
  const anp = adminVerdict(c, "AdminNetworkPolicy", direction, subject.pod, peer, dst, proto, port);
  if (anp === "Allow") return true;
  if (anp === "Deny") return false;
  const np = networkPolicyVerdict(c, direction, subject.pod, peer, dst, proto, port);
  if (np !== undefined) return np;
  const banp = adminVerdict(c, "BaselineAdminNetworkPolicy", direction, subject.pod, peer, dst, proto, port);
  return banp !== "Deny";
}

/**
 * True when the connection is allowed: the source's side lets it out (egress) and the
 * destination's side lets it in (ingress).
 */
export function referenceAllows(
  c: RefCluster,
  src: RefEndpoint,
  dst: RefEndpoint,
  proto: Protocol,
  port: number,
): boolean {
  return (
    sideAllowed(c, "egress", src, dst, dst, proto, port) &&
    sideAllowed(c, "ingress", dst, src, dst, proto, port)
  );
}

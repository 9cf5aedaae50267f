/**
 * CommunicationMap → PolicySet: default deny per namespace, then one policy per workload (policy
 * unit) allowing exactly its observed or inferred peers and ports, by identity (namespace name +
 * identifying labels), never by pod IP. Outside peers become the narrowest CIDRs the data shows.
 */
import { IpSet, parseCidr } from "../../model/ipset.js";
import type { LabelSelector } from "../../model/labels.js";
import type { CommunicationMap, Edge, MapWorkload } from "../../model/map.js";
import type { Protocol } from "../../model/ports.js";
import {
  type Direction,
  emptyK8sPolicySet,
  findLayer,
  type Peer,
  type Policy,
  type PolicySet,
  type PortMatch,
  type Rule,
  type RuleEvidence,
} from "../ir/types.js";
import { assignUnits, type PolicyUnit } from "./selectors.js";

/** Where DNS is served: the namespace and labels of the DNS pods. */
export interface DnsTarget {
  namespace: string;
  labels: Record<string, string>;
}

/** Options of the synthesis. */
export interface SynthOptions {
  /** Namespaces that get no policies (their workloads still appear as peers). */
  excludeNamespaces?: string[];
  /** The DNS pods; found in the map (kube-dns/coredns in kube-system) when not given. */
  dns?: DnsTarget;
  /**
   * Decides whether an edge may become allow rules (the zone matrix): true, or the reason it may
   * not. A refused edge generates no rule and is listed in `violations`. Absent: every edge.
   */
  allowEdge?: (edge: Edge) => true | string;
}

/** An edge that was not turned into rules, and why. */
export interface EdgeViolation {
  edge: Edge;
  reason: string;
}

/** The namespaces left alone unless asked otherwise: the cluster's own. */
export const DEFAULT_EXCLUDED_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"];

/** The result of the synthesis. */
export interface SynthResult {
  set: PolicySet;
  units: PolicyUnit[];
  /** Things the user should know (peers skipped, ports named …), sorted. */
  notes: string[];
  /**
   * Things that change what the cluster allows or breaks unless the user acts (selectors widened
   * to a namespace, node egress without an address …), sorted.
   */
  warnings: string[];
  /**
   * Workloads the data has no labels for, whose policy or peer selector covers their whole
   * namespace (sorted ids).
   */
  widened: string[];
  /** The DNS target used. */
  dns: DnsTarget;
  /** Edges refused by `allowEdge` (sorted by src, dst): violations to review, not rules. */
  violations: EdgeViolation[];
}

const DNS_PORT = 53;

/** Finds the DNS pods in the map: kube-system workloads labelled k8s-app=kube-dns, or named kube-dns/coredns. */
export function findDnsTarget(map: CommunicationMap): DnsTarget {
  const candidates = map.workloads.filter((w) => w.namespace === "kube-system" && w.kind === "pod-owner");
  const byLabel = candidates.find((w) => w.labels["k8s-app"] === "kube-dns");
  if (byLabel) return { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };
  const byName = candidates.find((w) => w.name === "kube-dns" || w.name === "coredns");
  if (byName && Object.keys(byName.labels).length) {
    const id = byName.labels["k8s-app"] ? { "k8s-app": byName.labels["k8s-app"] } : byName.labels;
    return { namespace: "kube-system", labels: id };
  }
  return { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };
}

function isDnsWorkload(w: MapWorkload | undefined, dns: DnsTarget): boolean {
  if (!w || w.namespace !== dns.namespace) return false;
  return Object.entries(dns.labels).every(([k, v]) => w.labels[k] === v);
}

function edgeSignature(edges: Edge[], id: string): string {
  const parts: string[] = [];
  for (const e of edges) {
    const ports = e.ports.map((p) => `${p.protocol}/${p.port}`).join(",");
    if (e.dst === id) parts.push(`in ${e.src === id ? "self" : e.src} ${ports}`);
    if (e.src === id) parts.push(`out ${e.dst === id ? "self" : e.dst} ${ports}`);
  }
  return parts.sort().join(";");
}

/** Accumulates, per policy unit and direction, the peers and ports to allow. */
interface PeerBucket {
  peerKey: string;
  peer: Peer;
  ports: Map<string, { protocol: Protocol; port: number }>;
  evidence: RuleEvidence;
  /** For outside peers: the addresses seen (merged into CIDRs at the end). */
  addresses?: string[];
  /** Comments for the reader of the generated rule. */
  comments?: string[];
}

/** The comment on a rule admitting any outside address (the data names no client address). */
export const WORLD_COMMENT =
  "any address outside the cluster (0.0.0.0/0 and ::/0) on these ports only: the data names no client address (e.g. a LoadBalancer or NodePort Service, an Ingress); narrow it to your clients or load balancer ranges";

/** The comment on a rule allowing egress to the nodes by address. */
export const NODE_EGRESS_COMMENT =
  "egress to the node (entity:host): NetworkPolicy cannot select nodes, so the node addresses seen in the flows are listed; update them when nodes change";

/** Adds an edge's flows, first/last seen, inference and name to a rule's evidence. */
export function mergeEvidence(ev: RuleEvidence, e: Edge): void {
  ev.flows = (ev.flows ?? 0) + e.flows;
  if (e.firstSeen && (!ev.firstSeen || e.firstSeen < ev.firstSeen)) ev.firstSeen = e.firstSeen;
  if (e.lastSeen && (!ev.lastSeen || e.lastSeen > ev.lastSeen)) ev.lastSeen = e.lastSeen;
  if (e.provenance === "inferred") ev.inferredFrom = [...(ev.inferredFrom ?? []), ...(e.evidence ?? [])];
  ev.edges = [...(ev.edges ?? []), `${e.src} -> ${e.dst}`];
}

/** Port name for a port of the destination unit, when every member names it the same way. */
function namedPort(
  unit: PolicyUnit | undefined,
  byId: Map<string, MapWorkload>,
  protocol: Protocol,
  port: number,
): string | undefined {
  if (!unit) return undefined;
  const names = unit.members.map(
    (m) => byId.get(m)?.ports?.find((p) => p.port === port && p.protocol === protocol)?.name,
  );
  const first = names[0];
  return first && names.every((n) => n === first) ? first : undefined;
}

/** Synthesises the policy set for a map. */
export function synthesizePolicies(map: CommunicationMap, opts: SynthOptions = {}): SynthResult {
  const excluded = new Set(opts.excludeNamespaces ?? DEFAULT_EXCLUDED_NAMESPACES);
  const dns = opts.dns ?? findDnsTarget(map);
  const byId = new Map(map.workloads.map((w) => [w.id, w]));
  const violations: EdgeViolation[] = [];
  const edges = map.edges.filter((e) => {
    if (e.ports.length === 0) return false;
    const verdict = opts.allowEdge ? opts.allowEdge(e) : true;
    if (verdict !== true) violations.push({ edge: e, reason: verdict });
    return verdict === true;
  });
  const { unitOf, units, notes } = assignUnits(map.workloads, (id) => edgeSignature(edges, id));
  const warnings: string[] = [];
  const widenedIds = new Set<string>();
  const nodeAddresses = byId.get("entity:host")?.addresses ?? [];
  const buckets = new Map<string, Map<string, PeerBucket>>(); // unitKey|direction → peerKey → bucket
  const unitKey = (u: PolicyUnit) => `${u.namespace}/${u.name}`;

  const bucketFor = (u: PolicyUnit, dir: Direction, peerKey: string, peer: Peer): PeerBucket => {
    const k = `${unitKey(u)}|${dir}`;
    const m = buckets.get(k) ?? new Map<string, PeerBucket>();
    buckets.set(k, m);
    let b = m.get(peerKey);
    if (!b) {
      b = { peerKey, peer, ports: new Map(), evidence: {} };
      m.set(peerKey, b);
    }
    return b;
  };

  const peerFor = (
    id: string,
    dir: Direction,
    edge: Edge,
  ): { key: string; peer: Peer; address?: string[]; comment?: string } | undefined => {
    const u = unitOf.get(id);
    if (u) {
      const widened = isWidened(u);
      if (widened) {
        widenedIds.add(id);
        warnings.push(`${edge.src} -> ${edge.dst}: ${widenedPeerText(id, u.namespace)}; ${NARROW_HINT}`);
      }
      return {
        key: `unit:${unitKey(u)}`,
        peer: {
          kind: "pods",
          namespaces: { kind: "names", names: [u.namespace] },
          pods: unitSelector(u),
        },
        ...(widened ? { comment: widenedPeerText(id, u.namespace) } : {}),
      };
    }
    const w = byId.get(id);
    if (w?.kind === "pod-owner" && w.namespace) {
      notes.push(`${edge.src} -> ${edge.dst}: peer ${id} has no labels to select it by; no rule generated`);
      return undefined;
    }
    if (id.startsWith("cidr:") || id.startsWith("external:")) {
      const cidr = id.slice(id.indexOf(":") + 1);
      if (!parseCidr(cidr)) {
        notes.push(`${edge.src} -> ${edge.dst}: peer address ${cidr} is not a valid CIDR; no rule generated`);
        return undefined;
      }
      return { key: `outside:${cidr}`, peer: { kind: "ipblock", cidr, except: [] }, address: [cidr] };
    }
    if (id === "entity:world") {
      notes.push(
        `${edge.src} -> ${edge.dst}: the world peer has no address in the data; allowed from every address (0.0.0.0/0, ::/0) on its ports only (narrow it by hand)`,
      );
      return {
        key: "world",
        peer: { kind: "ipblock", cidr: "0.0.0.0/0", except: [] },
        address: ["0.0.0.0/0", "::/0"],
        comment: WORLD_COMMENT,
      };
    }
    if (id === "entity:host") return nodePeer(dir, edge);
    notes.push(
      `${edge.src} -> ${edge.dst}: ${id} cannot be selected by a NetworkPolicy (${dir}); no rule generated`,
    );
    return undefined;
  };

  /**
   * The node (entity:host): ingress from the pod's own node is never blocked (no rule); egress to
   * it is enforced by Calico and Cilium, so it is allowed by the node addresses the data shows.
   */
  function nodePeer(dir: Direction, edge: Edge): ReturnType<typeof peerFor> {
    if (dir === "ingress") return undefined;
    if (nodeAddresses.length === 0) {
      const ports = edge.ports.map((p) => `${p.protocol}/${p.port}`).join(", ");
      warnings.push(
        `${edge.src} -> entity:host (${ports}): the data has no address for the node, so no NetworkPolicy rule allows this egress and Calico or Cilium will block it; add an ipBlock with your node addresses`,
      );
      return undefined;
    }
    const address = nodeAddresses.map((a) => (a.includes("/") ? a : `${a}/${a.includes(":") ? 128 : 32}`));
    return {
      key: "node",
      peer: { kind: "ipblock", cidr: address[0], except: [] },
      address,
      comment: NODE_EGRESS_COMMENT,
    };
  }

  for (const e of edges) {
    const srcUnit = unitOf.get(e.src);
    const dstUnit = unitOf.get(e.dst);
    const dnsOnly = isDnsWorkload(byId.get(e.dst), dns) && e.ports.every((p) => p.port === DNS_PORT);
    // egress side: the source's policy lets it leave
    if (srcUnit && !excluded.has(srcUnit.namespace) && !dnsOnly) {
      const p = peerFor(e.dst, "egress", e);
      if (p) addEdge(bucketFor(srcUnit, "egress", p.key, p.peer), e, p);
    }
    // ingress side: the destination's policy lets it in
    if (dstUnit && !excluded.has(dstUnit.namespace)) {
      const p = peerFor(e.src, "ingress", e);
      if (p) addEdge(bucketFor(dstUnit, "ingress", p.key, p.peer), e, p);
    }
  }

  function addEdge(b: PeerBucket, e: Edge, p: { address?: string[]; comment?: string }): void {
    for (const port of e.ports) b.ports.set(`${port.protocol}/${port.port}`, port);
    mergeEvidence(b.evidence, e);
    if (p.address) b.addresses = [...(b.addresses ?? []), ...p.address];
    if (p.comment && !b.comments?.includes(p.comment)) b.comments = [...(b.comments ?? []), p.comment];
  }

  const set = emptyK8sPolicySet();
  const np = findLayer(set, "k8s-np")!;
  // a namespace gets policies only when one of its workloads has allowed (observed or inferred) traffic
  const active = new Set<string>();
  for (const e of edges)
    for (const id of [e.src, e.dst]) if (unitOf.has(id)) active.add(unitOf.get(id)!.namespace);
  const namespaces = [...new Set(units.map((u) => u.namespace))].filter((ns) => !excluded.has(ns)).sort();
  for (const ns of namespaces) {
    if (active.has(ns)) np.policies.push(...namespacePolicies(ns, dns));
    else warnings.push(idleNamespaceWarning(ns, map, violations));
  }
  for (const u of units) {
    if (excluded.has(u.namespace) || !active.has(u.namespace)) continue;
    const policy = unitPolicy(u, buckets, byId, unitOf);
    if (isWidened(u)) {
      for (const m of u.members) widenedIds.add(m);
      warnings.push(`${unitKey(u)}: ${widenedSubjectText(u)}; ${NARROW_HINT}`);
      policy.comments = [widenedSubjectText(u)];
    } else if (u.note) notes.push(`${unitKey(u)}: ${u.note} (${u.members.join(", ")})`);
    np.policies.push(policy);
  }
  notes.push(...exposureNotes(map, buckets, unitOf, excluded));
  const byPair = (x: EdgeViolation) => `${x.edge.src}\u0000${x.edge.dst}`;
  violations.sort((x, y) => (byPair(x) < byPair(y) ? -1 : byPair(x) > byPair(y) ? 1 : 0));
  return {
    set,
    units,
    notes: [...new Set(notes)].sort(),
    warnings: [...new Set(warnings)].sort(),
    widened: [...widenedIds].sort(),
    dns,
    violations,
  };
}

/**
 * Workloads exposed outside the cluster (a LoadBalancer or NodePort Service) whose generated
 * policy admits no outside client, because none was seen: the user should know before applying.
 */
function exposureNotes(
  map: CommunicationMap,
  buckets: Map<string, Map<string, PeerBucket>>,
  unitOf: Map<string, PolicyUnit>,
  excluded: Set<string>,
): string[] {
  const out: string[] = [];
  for (const w of map.workloads) {
    const exposed = (w.services ?? []).filter((s) => s.type === "LoadBalancer" || s.type === "NodePort");
    const u = unitOf.get(w.id);
    if (!exposed.length || !u || excluded.has(u.namespace)) continue;
    const ingress = buckets.get(`${u.namespace}/${u.name}|ingress`);
    if ([...(ingress?.keys() ?? [])].some((k) => k.startsWith("outside:") || k === "world")) continue;
    const names = exposed.map((s) => `${s.name} (${s.type})`).join(", ");
    out.push(
      `${w.id} is exposed by ${names}, but no traffic from outside the cluster was seen: its policy admits no outside client`,
    );
  }
  return out;
}

/** Why a namespace got no policy: none of its workloads has allowed traffic in the data. */
function idleNamespaceWarning(ns: string, map: CommunicationMap, refused: EdgeViolation[]): string {
  const inNs = (id: string) => id.startsWith(`${ns}/`);
  const dropped = (map.dropped ?? [])
    .filter((d) => inNs(d.src) || inNs(d.dst))
    .map((d) => `${d.src} -> ${d.dst}`);
  const denied = refused
    .filter((v) => inNs(v.edge.src) || inNs(v.edge.dst))
    .map((v) => `${v.edge.src} -> ${v.edge.dst}`);
  const seen = [
    ...(dropped.length ? [`dropped: ${[...new Set(dropped)].sort().join(", ")}`] : []),
    ...(denied.length ? [`refused by the zone matrix: ${[...new Set(denied)].sort().join(", ")}`] : []),
  ];
  return `namespace ${ns}: no policy written, because none of its workloads has allowed (observed or inferred) traffic in the data${seen.length ? ` (only ${seen.join("; ")})` : ""}; a default deny built from nothing would only block traffic the data never saw`;
}

/** The default deny and the DNS egress of one namespace. */
function namespacePolicies(ns: string, dns: DnsTarget): Policy[] {
  const subject = { namespaces: { kind: "names" as const, names: [ns] }, pods: {} };
  const dnsRule: Rule = {
    direction: "egress",
    action: "allow",
    peers: [
      {
        kind: "pods",
        namespaces: { kind: "names", names: [dns.namespace] },
        pods: { matchLabels: dns.labels },
      },
    ],
    ports: [
      { protocol: "UDP", port: DNS_PORT },
      { protocol: "TCP", port: DNS_PORT },
    ],
    origin: {
      policyKind: "NetworkPolicy",
      policyName: "allow-dns-egress",
      namespace: ns,
      ruleIndex: 0,
      direction: "egress",
    },
    evidence: { inferredFrom: ["every pod resolves names through the cluster DNS"] },
  };
  return [
    {
      kind: "NetworkPolicy",
      name: "default-deny",
      namespace: ns,
      subject,
      directions: ["ingress", "egress"],
      rules: [],
      origin: {},
    },
    {
      kind: "NetworkPolicy",
      name: "allow-dns-egress",
      namespace: ns,
      subject,
      directions: ["egress"],
      rules: [dnsRule],
      origin: {},
    },
  ];
}

function unitPolicy(
  u: PolicyUnit,
  buckets: Map<string, Map<string, PeerBucket>>,
  byId: Map<string, MapWorkload>,
  unitOf: Map<string, PolicyUnit>,
): Policy {
  const rules: Rule[] = [];
  const name = u.name;
  for (const dir of ["ingress", "egress"] as const) {
    const m = buckets.get(`${u.namespace}/${u.name}|${dir}`);
    if (!m) continue;
    const list = groupOutsidePeers([...m.values()]).sort((a, b) => (a.peerKey < b.peerKey ? -1 : 1));
    let index = 0;
    for (const b of list) {
      // ports are named after the destination: this unit for ingress, the peer for egress
      const dstUnit =
        dir === "ingress" ? u : b.peer.kind === "pods" ? unitOfPeer(b.peerKey, unitOf) : undefined;
      const ports: PortMatch[] = [...b.ports.values()]
        .sort((x, y) => (x.protocol < y.protocol ? -1 : x.protocol > y.protocol ? 1 : x.port - y.port))
        .map((p) => ({ protocol: p.protocol, port: namedPort(dstUnit, byId, p.protocol, p.port) ?? p.port }));
      const peers: Peer[] =
        b.peer.kind === "ipblock"
          ? IpSet.fromCidrs((b.addresses ?? []).map((a) => parseCidr(a)!))
              .toCidrs()
              .map((cidr) => ({ kind: "ipblock" as const, cidr, except: [] }))
          : [b.peer];
      rules.push({
        direction: dir,
        action: "allow",
        peers,
        ports,
        origin: {
          policyKind: "NetworkPolicy",
          policyName: name,
          namespace: u.namespace,
          ruleIndex: index++,
          direction: dir,
        },
        evidence: { ...b.evidence, edges: [...new Set(b.evidence.edges)].sort() },
        ...(b.comments ? { comments: [...b.comments] } : {}),
      });
    }
  }
  return {
    kind: "NetworkPolicy",
    name,
    namespace: u.namespace,
    subject: { namespaces: { kind: "names", names: [u.namespace] }, pods: unitSelector(u) },
    directions: ["ingress", "egress"],
    rules,
    origin: {},
  };
}

/**
 * Outside addresses seen on identical port sets share one rule; addresses with different port
 * sets get rules of their own, so that no address is allowed on a port it was not seen using.
 */
function groupOutsidePeers(buckets: PeerBucket[]): PeerBucket[] {
  const out: PeerBucket[] = [];
  const groups = new Map<string, PeerBucket>();
  for (const b of buckets) {
    if (!b.peerKey.startsWith("outside:")) {
      out.push(b);
      continue;
    }
    const ports = [...b.ports.keys()].sort().join(",");
    const g = groups.get(ports);
    if (!g) {
      const copy: PeerBucket = { ...b, peerKey: `outside:${ports}`, evidence: { ...b.evidence } };
      groups.set(ports, copy);
      out.push(copy);
      continue;
    }
    g.addresses = [...(g.addresses ?? []), ...(b.addresses ?? [])];
    mergeRuleEvidence(g.evidence, b.evidence);
  }
  return out;
}

function mergeRuleEvidence(into: RuleEvidence, ev: RuleEvidence): void {
  if (ev.flows) into.flows = (into.flows ?? 0) + ev.flows;
  if (ev.firstSeen && (!into.firstSeen || ev.firstSeen < into.firstSeen)) into.firstSeen = ev.firstSeen;
  if (ev.lastSeen && (!into.lastSeen || ev.lastSeen > into.lastSeen)) into.lastSeen = ev.lastSeen;
  if (ev.inferredFrom?.length) into.inferredFrom = [...(into.inferredFrom ?? []), ...ev.inferredFrom];
  into.edges = [...(into.edges ?? []), ...(ev.edges ?? [])];
}

/** How to narrow a widened selector. */
const NARROW_HINT = "give its manifests to `microseg discover --inventory <manifests>` to narrow it";

/** A unit the data has no labels for: its selector is every pod of its namespace. */
function isWidened(u: PolicyUnit): boolean {
  return Object.keys(u.labels).length === 0;
}

function widenedSubjectText(u: PolicyUnit): string {
  return `this policy selects every pod of namespace ${u.namespace}, because the data has no labels for ${u.members.join(", ")}`;
}

function widenedPeerText(id: string, ns: string): string {
  return `this peer is every pod of namespace ${ns}, because the data has no labels for ${id}`;
}

/** The pod selector of a unit: its labels, or every pod (`{}`) when it has none. */
function unitSelector(u: PolicyUnit): LabelSelector {
  return Object.keys(u.labels).length ? { matchLabels: u.labels } : {};
}

function unitOfPeer(peerKey: string, unitOf: Map<string, PolicyUnit>): PolicyUnit | undefined {
  const key = peerKey.slice("unit:".length);
  for (const u of unitOf.values()) if (`${u.namespace}/${u.name}` === key) return u;
  return undefined;
}

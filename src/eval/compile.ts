/**
 * Compiles a PolicySet once for evaluation: selectors become predicates, CIDRs become IP sets,
 * port clauses become connection sets (named ports kept for resolution against the destination),
 * and each layer's policies are indexed by the namespace of their subjects.
 */
import { IpSet, parseCidr } from "../model/ipset.js";
import { compileSelector, type LabelPredicate } from "../model/labels.js";
import { ConnSet, PortSet, type Protocol } from "../model/ports.js";
import type { ContainerPort } from "../model/workload.js";
import type {
  Combining,
  Direction,
  Layer,
  NamespaceMatch,
  Peer,
  Policy,
  PolicySet,
  PortMatch,
  Rule,
  StageKind,
} from "../policy/ir/types.js";
import type { Endpoint, PodEndpoint } from "./endpoint.js";
import { compileRuleL7, type L7Check } from "./l7.js";
import { compileExtraPeer } from "./peers.js";

/** A predicate over the peer end of a connection. */
export type PeerPredicate = (e: Endpoint) => boolean;

/** A named port clause, resolved against the destination's container ports. */
export interface NamedPort {
  protocol: Protocol;
  name: string;
}

/** A rule ready to match: peer predicate, static ports, named ports and its L7 check. */
export interface CompiledRule {
  rule: Rule;
  peer: PeerPredicate;
  /** The rule's L7 part, compiled once (regexes included; src/eval/l7.ts). */
  l7: L7Check;
  /** Numeric ports, ranges and whole protocols. */
  conns: ConnSet;
  named: readonly NamedPort[];
}

/** A policy ready to match. */
export interface CompiledPolicy {
  policy: Policy;
  /** Position in its layer after ordering (priority, then namespace/name). */
  order: number;
  selects: (pod: PodEndpoint) => boolean;
  directions: ReadonlySet<Direction>;
  /** The directions for which selecting the subject enables default deny (IR `enforces`). */
  enforces: ReadonlySet<Direction>;
  ingress: readonly CompiledRule[];
  egress: readonly CompiledRule[];
}

/** A layer ready to evaluate, with its policies indexed by subject namespace. */
export interface CompiledLayer {
  stage: StageKind;
  combining: Combining;
  /** The layer's enforcement plane, protocols and mode, as in the IR (src/eval/planes.ts). */
  plane?: string;
  protocols?: readonly Protocol[];
  /** Destination ports the layer never sees (IR `exemptPorts`). */
  exemptPorts?: readonly number[];
  mode?: "enforce" | "audit";
  policies: readonly CompiledPolicy[];
  /** Policies whose subject names namespaces, by namespace name. */
  byNamespace: ReadonlyMap<string, readonly CompiledPolicy[]>;
  /** Policies whose subject namespaces are chosen by labels (or all namespaces). */
  anyNamespace: readonly CompiledPolicy[];
}

/** A compiled PolicySet. */
export interface CompiledPolicySet {
  target: string;
  layers: readonly CompiledLayer[];
}

/** Compiles a namespace match into a predicate over (name, labels). */
export function compileNamespaceMatch(
  m: NamespaceMatch,
): (ns: string, labels: PodEndpoint["labels"]) => boolean {
  if (m.kind === "all") return () => true;
  if (m.kind === "names") {
    const names = new Set(m.names);
    return (ns) => names.has(ns);
  }
  const pred: LabelPredicate = compileSelector(m.selector);
  return (_ns, labels) => pred(labels);
}

/** The IP set of an ipBlock peer: its CIDR minus its excepts (malformed CIDRs count as empty). */
export function ipBlockSet(cidr: string, except: readonly string[]): IpSet {
  const base = parseCidr(cidr);
  if (!base) return IpSet.EMPTY;
  const ex = except.map(parseCidr).filter((c) => c !== undefined);
  return IpSet.fromCidrs([base]).subtract(IpSet.fromCidrs(ex));
}

/** How peers compile for a layer. */
export interface PeerCompileOptions {
  /**
   * ipBlocks also match a node entity at a known address (default true: NetworkPolicy, whose
   * ipBlocks Calico applies to node addresses). False for Cilium: "Only connections destined for
   * outside of the cluster and not targeting the host will be subject to CIDR rules".
   */
  nodeAddresses?: boolean;
}

/** Compiles a peer into a predicate over endpoints. ipBlocks match addresses only, never pods. */
export function compilePeer(p: Peer, opts: PeerCompileOptions = {}): PeerPredicate {
  switch (p.kind) {
    case "any":
      return () => true;
    case "pods": {
      const ns = compileNamespaceMatch(p.namespaces);
      const pods = compileSelector(p.pods);
      return (e) => e.kind === "pod" && ns(e.namespace, e.namespaceLabels) && pods(e.labels);
    }
    case "ipblock": {
      const set = ipBlockSet(p.cidr, p.except);
      const nodes = opts.nodeAddresses ?? true;
      return (e) =>
        (e.kind === "ip" && set.has(e.ip)) || (nodes && e.kind === "entity" && !!e.ip && set.has(e.ip));
    }
    default:
      // entities, FQDNs, mesh principals/namespaces and the AND/NOT combinators (src/eval/peers.ts)
      return compileExtraPeer(p, (q) => compilePeer(q, opts)) ?? (() => false);
  }
}

/** Splits port clauses into a static connection set and the named ports. */
export function compilePorts(ports: readonly PortMatch[] | "any"): { conns: ConnSet; named: NamedPort[] } {
  if (ports === "any") return { conns: ConnSet.ALL, named: [] };
  const entries: [Protocol, PortSet][] = [];
  const named: NamedPort[] = [];
  for (const pm of ports) {
    if (typeof pm.port === "string") named.push({ protocol: pm.protocol, name: pm.port });
    else if (pm.port === undefined) entries.push([pm.protocol, PortSet.ALL]);
    else entries.push([pm.protocol, PortSet.range(pm.port, pm.endPort ?? pm.port)]);
  }
  return { conns: ConnSet.of(entries), named };
}

/** The connections a rule's ports cover towards a destination with these container ports. */
export function ruleConns(r: CompiledRule, dstPorts: readonly ContainerPort[]): ConnSet {
  if (r.named.length === 0 || dstPorts.length === 0) return r.conns;
  const resolved: [Protocol, PortSet][] = [];
  for (const n of r.named)
    for (const cp of dstPorts)
      if (cp.name === n.name && cp.protocol === n.protocol)
        resolved.push([n.protocol, PortSet.single(cp.port)]);
  return resolved.length === 0 ? r.conns : r.conns.union(ConnSet.of(resolved));
}

/** True when a rule's ports cover protocol/port towards a destination with these container ports. */
export function rulePortsMatch(
  r: CompiledRule,
  protocol: Protocol,
  port: number,
  dstPorts: readonly ContainerPort[],
): boolean {
  if (r.conns.has(protocol, port)) return true;
  for (const n of r.named) {
    if (n.protocol !== protocol) continue;
    for (const cp of dstPorts)
      if (cp.name === n.name && cp.protocol === protocol && cp.port === port) return true;
  }
  return false;
}

function compileRule(rule: Rule, opts: PeerCompileOptions): CompiledRule {
  const peers = rule.peers.map((p) => compilePeer(p, opts));
  const peer: PeerPredicate = peers.length === 1 ? peers[0] : (e) => peers.some((p) => p(e));
  return { rule, peer, l7: compileRuleL7(rule), ...compilePorts(rule.ports) };
}

function compilePolicy(policy: Policy, order: number, opts: PeerCompileOptions): CompiledPolicy {
  const ns = compileNamespaceMatch(policy.subject.namespaces);
  const pods = compileSelector(policy.subject.pods);
  const rules = policy.rules.map((r) => compileRule(r, opts));
  return {
    policy,
    order,
    selects: (pod) => ns(pod.namespace, pod.namespaceLabels) && pods(pod.labels),
    directions: new Set(policy.directions),
    enforces: new Set(policy.enforces ?? policy.directions),
    ingress: rules.filter((r) => r.rule.direction === "ingress"),
    egress: rules.filter((r) => r.rule.direction === "egress"),
  };
}

function comparePolicies(a: Policy, b: Policy): number {
  const pa = a.priority ?? 0;
  const pb = b.priority ?? 0;
  if (pa !== pb) return pa - pb;
  const ka = `${a.namespace ?? ""}/${a.name}`;
  const kb = `${b.namespace ?? ""}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function compileLayer(layer: Layer): CompiledLayer {
  const opts: PeerCompileOptions = { nodeAddresses: layer.stage !== "cilium" };
  const policies = [...layer.policies].sort(comparePolicies).map((p, i) => compilePolicy(p, i, opts));
  const byNamespace = new Map<string, CompiledPolicy[]>();
  const anyNamespace: CompiledPolicy[] = [];
  for (const p of policies) {
    const m = p.policy.subject.namespaces;
    if (m.kind !== "names") {
      anyNamespace.push(p);
      continue;
    }
    for (const n of new Set(m.names)) {
      const list = byNamespace.get(n) ?? [];
      list.push(p);
      byNamespace.set(n, list);
    }
  }
  const out: CompiledLayer = {
    stage: layer.stage,
    combining: layer.combining,
    policies,
    byNamespace,
    anyNamespace,
  };
  if (layer.plane !== undefined) out.plane = layer.plane;
  if (layer.protocols !== undefined) out.protocols = layer.protocols;
  if (layer.exemptPorts !== undefined) out.exemptPorts = layer.exemptPorts;
  if (layer.mode !== undefined) out.mode = layer.mode;
  return out;
}

/**
 * Compiles a PolicySet (selectors, CIDRs, ports, L7 and FQDN patterns) once; a bad selector or
 * regex throws a MicrosegError.
 */
export function compilePolicySet(set: PolicySet): CompiledPolicySet {
  return { target: set.target, layers: set.layers.map(compileLayer) };
}

/** The policies of a layer that select `pod` for `direction`, in evaluation order. */
export function selectingPolicies(
  layer: CompiledLayer,
  pod: PodEndpoint,
  direction: Direction,
): CompiledPolicy[] {
  const local = layer.byNamespace.get(pod.namespace) ?? [];
  const out: CompiledPolicy[] = [];
  for (const p of local) if (p.directions.has(direction) && p.selects(pod)) out.push(p);
  for (const p of layer.anyNamespace) if (p.directions.has(direction) && p.selects(pod)) out.push(p);
  if (local.length > 0 && layer.anyNamespace.length > 0) out.sort((a, b) => a.order - b.order);
  return out;
}

/** The rules of a compiled policy for a direction. */
export function rulesFor(p: CompiledPolicy, direction: Direction): readonly CompiledRule[] {
  return direction === "ingress" ? p.ingress : p.egress;
}

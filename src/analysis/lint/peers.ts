/**
 * Structural questions about IR peers and ports that several lint rules ask: does a peer admit
 * everyone, is it an address block, does one rule's peer/port set cover another's, which workloads
 * does a pod peer match.
 */
import { IpSet, parseCidr } from "../../model/ipset.js";
import { compileSelector, isEmptySelector, type Labels } from "../../model/labels.js";
import type { NamespaceMatch, Peer, PortMatch, Rule } from "../../policy/ir/types.js";

/** True for a peer that admits every pod of every namespace and every address (or all of one family). */
export function isAllowAllPeer(p: Peer): string | undefined {
  if (p.kind === "any") return "every peer (no from/to)";
  if (p.kind === "pods" && p.namespaces.kind === "all" && isEmptySelector(p.pods))
    return "every pod of every namespace (empty namespaceSelector and podSelector)";
  if (p.kind === "ipblock" && p.except.length === 0 && /\/0$/.test(p.cidr))
    return `every address (${p.cidr})`;
  if (p.kind === "entity" && p.entity === "all") return "every peer (entity all)";
  if (p.kind === "principals" && p.patterns.includes("*")) return "every mesh identity (principals *)";
  return undefined;
}

/** The address set of an ipBlock peer (cidr minus excepts), or undefined when not one. */
export function ipBlockSet(p: Peer): IpSet | undefined {
  if (p.kind !== "ipblock") return undefined;
  const c = parseCidr(p.cidr);
  if (!c) return undefined;
  const ex = p.except.map(parseCidr).filter((x) => x !== undefined);
  return IpSet.fromCidrs([c]).subtract(IpSet.fromCidrs(ex));
}

const key = (x: unknown) => JSON.stringify(x);

function namespacesCover(a: NamespaceMatch, b: NamespaceMatch): boolean {
  if (a.kind === "all") return true;
  if (a.kind === "names" && b.kind === "names") return b.names.every((n) => a.names.includes(n));
  return key(a) === key(b);
}

/** True when every peer `b` admits is admitted by `a` (structurally; false when unsure). */
export function peerCovers(a: Peer, b: Peer): boolean {
  if (a.kind === "any" || key(a) === key(b)) return true;
  if (a.kind === "pods" && b.kind === "pods")
    return namespacesCover(a.namespaces, b.namespaces) && isEmptySelector(a.pods);
  if (a.kind === "ipblock" && b.kind === "ipblock") {
    const sa = ipBlockSet(a);
    const sb = ipBlockSet(b);
    return !!sa && !!sb && sb.subtract(sa).isEmpty();
  }
  return false;
}

function portClauseCovers(a: PortMatch, b: PortMatch): boolean {
  if (a.protocol !== b.protocol) return false;
  if (a.port === undefined) return true;
  if (b.port === undefined) return false;
  if (typeof a.port === "string" || typeof b.port === "string")
    return a.port === b.port && b.endPort === undefined;
  const aEnd = a.endPort ?? a.port;
  const bEnd = b.endPort ?? b.port;
  return a.port <= b.port && bEnd <= aEnd;
}

/** True when every connection `b`'s ports allow is allowed by `a`'s. */
export function portsCover(a: PortMatch[] | "any", b: PortMatch[] | "any"): boolean {
  if (a === "any") return true;
  if (b === "any") return false;
  return b.every((pb) => a.some((pa) => portClauseCovers(pa, pb)));
}

/** True when rule `a` matches everything rule `b` matches (peers, ports, L7). */
export function ruleCovers(a: Rule, b: Rule): boolean {
  if (a.direction !== b.direction) return false;
  if (a.http?.length && key(a.http) !== key(b.http)) return false;
  if (a.conditions?.length || b.conditions?.length) return false;
  if (b.peers.length === 0) return false;
  return b.peers.every((pb) => a.peers.some((pa) => peerCovers(pa, pb))) && portsCover(a.ports, b.ports);
}

/** A pod peer as a predicate over (namespace, namespace labels, pod labels). */
export function podPeerMatcher(
  p: Extract<Peer, { kind: "pods" }>,
): (ns: string, nsLabels: Labels, labels: Labels) => boolean {
  const pods = compileSelector(p.pods);
  const m = p.namespaces;
  const nsSel = m.kind === "selector" ? compileSelector(m.selector) : undefined;
  return (ns, nsLabels, labels) => {
    if (m.kind === "names" && !m.names.includes(ns)) return false;
    if (nsSel && !nsSel(nsLabels)) return false;
    return pods(labels);
  };
}

/** Every port number an explicit port clause list names (for DNS checks). */
export function explicitPorts(ports: PortMatch[] | "any"): number[] {
  if (ports === "any") return [];
  return ports.flatMap((p) =>
    typeof p.port === "number" && (p.endPort ?? p.port) === p.port ? [p.port] : [],
  );
}

/**
 * Representative peers of exposure analysis: for every (namespace selector, pod selector) that a
 * policy rule names, one hypothetical peer standing for all pods those selectors could match,
 * including pods and namespaces that are not in the input. A rule matches a representative when
 * its selectors are empty or require exactly what the representative's selectors require
 * (netpol-analyzer's structural match: a rule selecting a subset or an overlapping set does not
 * match). The entire cluster is the representative that only empty selectors match.
 */
import type { LabelRequirement, LabelSelector, Labels } from "../../model/labels.js";
import { compileSelector, isEmptySelector } from "../../model/labels.js";
import type { NamespaceMatch, Peer, PolicySet } from "../../policy/ir/types.js";

/** The namespace-name label every namespace carries. */
export const NS_NAME_LABEL = "kubernetes.io/metadata.name";

/** A representative peer: selectors as first written, and their canonical keys. */
export interface Representative {
  namespaces: LabelSelector;
  pods: LabelSelector;
  nsKey: string;
  podKey: string;
}

function requirementKey(r: LabelRequirement): string {
  const values = [...(r.values ?? [])].map(String).sort();
  switch (r.operator) {
    case "In":
      return values.length === 1 ? `${r.key}=${values[0]}` : `${r.key} in (${values.join(",")})`;
    case "NotIn":
      return `${r.key} notin (${values.join(",")})`;
    case "Exists":
      return r.key;
    case "DoesNotExist":
      return `!${r.key}`;
  }
}

/** A canonical text of what a selector requires (`app In [x]` and `app: x` alike); "" = everything. */
export function selectorKey(sel: LabelSelector): string {
  const reqs: [string, string][] = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => [k, `${k}=${v}`]);
  for (const r of sel.matchExpressions ?? []) reqs.push([r.key, requirementKey(r)]);
  return reqs
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map((r) => r[1])
    .join(";");
}

/** The namespace selector a NamespaceMatch amounts to (names → the name label; all → empty). */
function namespaceSelectorOf(m: NamespaceMatch): LabelSelector | undefined {
  if (m.kind === "all") return {};
  if (m.kind === "selector") return m.selector;
  return m.names.length === 1 ? { matchLabels: { [NS_NAME_LABEL]: m.names[0] } } : undefined;
}

/** True when the peer's selectors are all empty (it matches the entire cluster). */
export function matchesEntireCluster(p: Peer): boolean {
  if (p.kind === "any") return true;
  if (p.kind !== "pods") return false;
  const ns = namespaceSelectorOf(p.namespaces);
  return ns !== undefined && isEmptySelector(ns) && isEmptySelector(p.pods);
}

/** True when the peer's selectors match the representative (empty, or requiring exactly the same). */
export function matchesRepresentative(p: Peer, rep: Representative): boolean {
  if (p.kind === "any") return true;
  if (p.kind !== "pods") return false;
  if (p.namespaces.kind === "names" && p.namespaces.names.length > 1)
    return p.namespaces.names.some((n) => selectorKey({ matchLabels: { [NS_NAME_LABEL]: n } }) === rep.nsKey);
  const ns = namespaceSelectorOf(p.namespaces)!;
  const nsOk = isEmptySelector(ns) || selectorKey(ns) === rep.nsKey;
  return nsOk && (isEmptySelector(p.pods) || selectorKey(p.pods) === rep.podKey);
}

/** A real workload as the refinement sees it. */
export interface RealPod {
  labels: Labels;
  namespaceLabels: Labels;
}

function hasExpressions(sel: LabelSelector): boolean {
  return (sel.matchExpressions ?? []).length > 0;
}

/**
 * A representative is dropped when a real workload stands for it: both selectors non-empty, with
 * matchLabels only, and some real pod (with its namespace) matching both.
 */
function isRefined(rep: Representative, pods: readonly RealPod[]): boolean {
  if (hasExpressions(rep.namespaces) || hasExpressions(rep.pods)) return false;
  if (isEmptySelector(rep.namespaces) || isEmptySelector(rep.pods)) return false;
  const ns = compileSelector(rep.namespaces);
  const pod = compileSelector(rep.pods);
  return pods.some((p) => ns(p.namespaceLabels) && pod(p.labels));
}

/** The representative peers of a policy set, deduplicated, minus those real pods stand for. */
export function representativePeers(set: PolicySet, pods: readonly RealPod[]): Representative[] {
  const out = new Map<string, Representative>();
  for (const layer of set.layers)
    for (const policy of layer.policies)
      for (const rule of policy.rules)
        for (const peer of rule.peers) {
          if (peer.kind !== "pods" || matchesEntireCluster(peer)) continue;
          const selectors =
            peer.namespaces.kind === "names"
              ? peer.namespaces.names.map((n) => ({ matchLabels: { [NS_NAME_LABEL]: n } }))
              : [namespaceSelectorOf(peer.namespaces)!];
          for (const namespaces of selectors) {
            const rep = {
              namespaces,
              pods: peer.pods,
              nsKey: selectorKey(namespaces),
              podKey: selectorKey(peer.pods),
            };
            const key = `${rep.nsKey}|${rep.podKey}`;
            if (!out.has(key)) out.set(key, rep);
          }
        }
  return [...out.values()].filter((r) => !isRefined(r, pods));
}

function expressionText(r: LabelRequirement): string {
  return `{Key:${r.key},Operator:${r.operator},Values:[${(r.values ?? []).join(" ")}],}`;
}

/** `k=v,k2=v2` then `{Key:…,Operator:…,Values:[…],}` items (sorted), as netpol-analyzer prints them. */
function selectorText(sel: LabelSelector): string {
  const labels = Object.entries(sel.matchLabels ?? {})
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const exprs = (sel.matchExpressions ?? []).map(expressionText).sort().join(",");
  return [labels, exprs].filter((s) => s !== "").join(",");
}

/** The display form: `ns/[all pods]`, `[all namespaces]/[pod with {app=x}]`, `[namespace with {…}]/…`. */
export function representativeName(rep: Representative): string {
  const ml = rep.namespaces.matchLabels ?? {};
  let ns: string;
  if (Object.keys(ml).length === 1 && NS_NAME_LABEL in ml && !hasExpressions(rep.namespaces))
    ns = ml[NS_NAME_LABEL];
  else if (isEmptySelector(rep.namespaces)) ns = "[all namespaces]";
  else ns = `[namespace with {${selectorText(rep.namespaces)}}]`;
  const pod = isEmptySelector(rep.pods) ? "[all pods]" : `[pod with {${selectorText(rep.pods)}}]`;
  return `${ns}/${pod}`;
}

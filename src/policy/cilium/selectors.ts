/**
 * Cilium endpoint selectors → IR selectors. Label keys may carry a source prefix (`k8s:`, `any:`);
 * `io.kubernetes.pod.namespace` constrains the namespace (by its name) and
 * `io.cilium.k8s.namespace.labels.<key>` the namespace's labels; every other key is a pod label.
 */
import type { LabelRequirement, LabelSelector } from "../../model/labels.js";
import type { NamespaceMatch } from "../ir/types.js";
import { NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX } from "./types.js";

/** The name label every namespace carries. */
const NS_NAME = "kubernetes.io/metadata.name";

/** Strips Cilium's label source prefix (`k8s:app` → `app`). */
export function stripSource(key: string): string {
  const m = /^(k8s|any|container|unspec):(.*)$/.exec(key);
  return m ? m[2] : key;
}

/** The reserved entity a selector names (`reserved:host`), if any. */
export function reservedEntity(sel: LabelSelector): string | undefined {
  const keys = Object.keys(sel.matchLabels ?? {});
  if (keys.length === 1 && keys[0].startsWith("reserved:")) return keys[0].slice("reserved:".length);
  return undefined;
}

function nsKey(key: string): string | undefined {
  if (key === NAMESPACE_LABEL) return NS_NAME;
  if (key.startsWith(NAMESPACE_LABELS_PREFIX)) return key.slice(NAMESPACE_LABELS_PREFIX.length);
  return undefined;
}

/** Splits a Cilium selector into namespace and pod parts; `scope` applies when it names no namespace. */
export function splitSelector(
  sel: LabelSelector | undefined,
  scope: NamespaceMatch,
): { namespaces: NamespaceMatch; pods: LabelSelector } {
  const podLabels: Record<string, string> = {};
  const podExprs: LabelRequirement[] = [];
  const nsLabels: Record<string, string> = {};
  const nsExprs: LabelRequirement[] = [];
  for (const [k0, v] of Object.entries(sel?.matchLabels ?? {})) {
    const k = stripSource(k0);
    const n = nsKey(k);
    if (n) nsLabels[n] = String(v);
    else podLabels[k] = String(v);
  }
  for (const r of sel?.matchExpressions ?? []) {
    const k = stripSource(r.key);
    const n = nsKey(k);
    (n ? nsExprs : podExprs).push({ ...r, key: n ?? k });
  }
  const pods: LabelSelector = {};
  if (Object.keys(podLabels).length) pods.matchLabels = podLabels;
  if (podExprs.length) pods.matchExpressions = podExprs;
  let namespaces: NamespaceMatch = scope;
  const nsKeys = Object.keys(nsLabels);
  if (nsKeys.length === 1 && nsKeys[0] === NS_NAME && nsExprs.length === 0)
    namespaces = { kind: "names", names: [nsLabels[NS_NAME]] };
  else if (nsKeys.length || nsExprs.length) {
    const s: LabelSelector = {};
    if (nsKeys.length) s.matchLabels = nsLabels;
    if (nsExprs.length) s.matchExpressions = nsExprs;
    namespaces = { kind: "selector", selector: s };
  }
  return { namespaces, pods };
}

/**
 * The subject of a policy: the endpointSelector split as `splitSelector` does, then, for a
 * namespaced policy, pinned to the policy's namespace. Cilium (ParseToCiliumRule) adds the
 * namespace match to the EndpointSelector: "EndpointSelector always applies in namespace of the
 * policy resource", replacing a different namespace name; namespace-label requirements stay as an
 * extra AND. `conflict` is the namespace name the selector asked for when it differs.
 */
export function subjectSelector(
  sel: LabelSelector | undefined,
  namespace: string | undefined,
): { namespaces: NamespaceMatch; pods: LabelSelector; conflict?: string } {
  if (namespace === undefined) return splitSelector(sel, { kind: "all" });
  const { namespaces, pods } = splitSelector(sel, { kind: "names", names: [namespace] });
  if (namespaces.kind === "names") {
    const asked = namespaces.names[0];
    const pinned = { namespaces: { kind: "names" as const, names: [namespace] }, pods };
    return asked === namespace ? pinned : { ...pinned, conflict: asked };
  }
  if (namespaces.kind === "all") return { namespaces: { kind: "names", names: [namespace] }, pods };
  const asked = namespaces.selector.matchLabels?.[NS_NAME];
  const selector: LabelSelector = {
    ...namespaces.selector,
    matchLabels: { ...namespaces.selector.matchLabels, [NS_NAME]: namespace },
  };
  const out = { namespaces: { kind: "selector" as const, selector }, pods };
  return asked === undefined || asked === namespace ? out : { ...out, conflict: asked };
}

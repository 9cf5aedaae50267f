/**
 * Matching endpoints that carry labels but no pod name against known workloads, and merging
 * what flows say about a workload with what the inventory says.
 */
import type { SourceIdentity } from "../model/flow.js";
import { identifyingLabels, labelsInclude, stableLabels, VERSION_KEYS } from "../model/labels.js";
import type { Workload } from "../model/workload.js";

/** What label matching needs to know about a known workload. */
export interface LabelCandidate {
  id: string;
  namespace?: string;
  labels: Record<string, string>;
  serviceAccount?: string;
}

/** The label keys that tell workloads apart: identifying keys plus version-like keys present. */
export function distinguishingKeys(labels: Record<string, string>): string[] {
  return [...Object.keys(identifyingLabels(labels)), ...VERSION_KEYS.filter((k) => labels[k] !== undefined)];
}

/**
 * True when nothing known about the workload contradicts the endpoint: same namespace, same
 * service account, same identifying and version labels (each checked only when both sides have it).
 */
export function labelsCompatible(c: LabelCandidate, identity: SourceIdentity): boolean {
  if (identity.namespace && c.namespace && identity.namespace !== c.namespace) return false;
  if (identity.serviceAccount && c.serviceAccount && identity.serviceAccount !== c.serviceAccount)
    return false;
  if (!identity.labels || Object.keys(c.labels).length === 0) return true;
  for (const k of distinguishingKeys(identity.labels)) if (c.labels[k] !== identity.labels[k]) return false;
  return true;
}

/**
 * The unique workload whose labels the endpoint carries (all of them) and that agrees on the
 * distinguishing labels; when several match, the one with the most labels if it is the only one.
 */
export function matchByLabels(
  candidates: readonly LabelCandidate[],
  identity: SourceIdentity,
): string | undefined {
  const ep = stableLabels(identity.labels ?? {});
  const matching = candidates.filter(
    (c) => Object.keys(c.labels).length > 0 && labelsInclude(ep, c.labels) && labelsCompatible(c, identity),
  );
  if (matching.length === 0) return undefined;
  const most = Math.max(...matching.map((c) => Object.keys(c.labels).length));
  const best = matching.filter((c) => Object.keys(c.labels).length === most);
  return best.length === 1 ? best[0].id : undefined;
}

/** A workload name made from identifying labels (`app=productpage` → `productpage`), or undefined. */
export function labelName(labels: Record<string, string>): string | undefined {
  const values = Object.values(identifyingLabels(labels));
  return values.length > 0 && values[0] ? values[0] : undefined;
}

/** Merges a workload seen in flows into the inventory's record: the inventory wins for labels, ports, services. */
export function mergeWorkloads(inv: Workload, flows: Workload): Workload {
  const out: Workload = { ...flows, ...inv };
  const addresses = new Set([...(inv.addresses ?? []), ...(flows.addresses ?? [])]);
  if (addresses.size > 0) out.addresses = [...addresses].sort();
  const nsLabels = { ...(flows.namespaceLabels ?? {}), ...(inv.namespaceLabels ?? {}) };
  if (Object.keys(nsLabels).length > 0) out.namespaceLabels = nsLabels;
  out.serviceAccount = inv.serviceAccount ?? flows.serviceAccount;
  if (out.serviceAccount === undefined) delete out.serviceAccount;
  out.ownerKind = inv.ownerKind ?? flows.ownerKind;
  if (out.ownerKind === undefined) delete out.ownerKind;
  return out;
}

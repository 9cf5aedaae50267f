/**
 * Configuration workload selectors: namespace, labels and names, every given field must match.
 */
import type { WorkloadSelector } from "../config/schema.js";

/** What a selector looks at. */
export interface SelectableWorkload {
  id: string;
  name: string;
  namespace?: string;
  labels: Readonly<Record<string, string>>;
}

/** True when the workload matches the selector (all given fields). */
export function matchesSelector(w: SelectableWorkload, sel: WorkloadSelector): boolean {
  if (sel.namespace !== undefined) {
    const list = Array.isArray(sel.namespace) ? sel.namespace : [sel.namespace];
    if (!w.namespace || !list.includes(w.namespace)) return false;
  }
  if (sel.labels) for (const [k, v] of Object.entries(sel.labels)) if (w.labels[k] !== v) return false;
  if (sel.names && !sel.names.some((n) => n === w.id || n === w.name)) return false;
  return true;
}

/** The index of the first selector the workload matches, or -1. */
export function firstMatch(w: SelectableWorkload, selectors: readonly WorkloadSelector[]): number {
  return selectors.findIndex((s) => matchesSelector(w, s));
}

/** A short text form of a selector, for reasons and reports. */
export function describeSelector(sel: WorkloadSelector): string {
  const parts: string[] = [];
  if (sel.namespace !== undefined)
    parts.push(`namespace ${Array.isArray(sel.namespace) ? sel.namespace.join("|") : sel.namespace}`);
  if (sel.labels)
    parts.push(
      `labels ${Object.entries(sel.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}`,
    );
  if (sel.names) parts.push(`names ${sel.names.join(",")}`);
  return parts.join(" and ");
}

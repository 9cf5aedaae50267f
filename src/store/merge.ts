/**
 * Workload records of the same id, ingested from several files, merged into one (pure). Every
 * Store returns the same merge for the same files: records are folded in ingest order, so newer
 * records win on scalar fields and label values, and lists are unioned and sorted.
 */
import type { MapWorkload } from "../model/map.js";

type Json = Record<string, unknown>;

function union<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] | undefined {
  if (!a && !b) return undefined;
  const byKey = new Map<string, T>();
  for (const x of [...(a ?? []), ...(b ?? [])]) byKey.set(JSON.stringify(x), x);
  return [...byKey.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, v]) => v);
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

/** Merges `newer` into `older` (same id): newer scalars and label values win; lists are unioned. */
export function mergeStoredWorkloads(older: MapWorkload, newer: MapWorkload): MapWorkload {
  const out: Json = { ...older };
  for (const [k, v] of Object.entries(newer)) if (v !== undefined) out[k] = v;
  const merged = out as MapWorkload;
  merged.labels = sortedRecord({ ...older.labels, ...newer.labels });
  if (older.namespaceLabels || newer.namespaceLabels)
    merged.namespaceLabels = sortedRecord({ ...older.namespaceLabels, ...newer.namespaceLabels });
  for (const key of ["addresses", "images", "dataClasses", "ports", "services"] as const) {
    const u = union<unknown>(older[key], newer[key]);
    if (u) (merged as Json)[key] = u;
  }
  return merged;
}

/** Folds records (in ingest order) into one per id, sorted by id. */
export function mergeWorkloadRecords(records: Iterable<MapWorkload>): MapWorkload[] {
  const byId = new Map<string, MapWorkload>();
  for (const w of records) {
    const prev = byId.get(w.id);
    byId.set(w.id, prev ? mergeStoredWorkloads(prev, w) : w);
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

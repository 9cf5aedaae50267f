/**
 * `discover --store`: the map from a store's hourly edges and workloads over `--since`/`--until`.
 * With `--inventory`, the inventory's workloads join the map (as with flows).
 */
import { addInventoryWorkloads } from "../../graph/inventory-map.js";
import type { CommunicationMap } from "../../model/map.js";
import { fail } from "../../model/problems.js";
import { mapFromStore, parseTimeArg } from "../../store/map.js";
import { openStore } from "../../store/open.js";
import type { TimeRange } from "../../store/types.js";
import { loadIngestInventory } from "./ingest.js";

/** Options of `discover --store`. */
export interface StoreDiscoverOptions {
  store: string;
  since?: string;
  until?: string;
  inventory?: string[];
  log: (s: string) => void;
  now?: number;
}

/** Parses `--since`/`--until` (RFC 3339 or relative like `7d`) into a range; bad values are usage errors. */
export function parseRange(o: { since?: string; until?: string }, now = Date.now()): TimeRange {
  const range: TimeRange = {};
  for (const key of ["since", "until"] as const) {
    const v = o[key];
    if (v === undefined) continue;
    const t = parseTimeArg(v, now);
    if (t === undefined)
      fail(
        "usage",
        `--${key} takes an RFC 3339 time (2024-03-01T00:00:00Z) or a duration ago (30m, 12h, 7d, 2w), found "${v}"`,
      );
    range[key] = t;
  }
  if (range.since !== undefined && range.until !== undefined && range.since >= range.until)
    fail("usage", "--since must be before --until");
  return range;
}

/** Builds the map from the store. */
export async function discoverFromStore(o: StoreDiscoverOptions): Promise<CommunicationMap> {
  const range = parseRange(o, o.now);
  const inventory = await loadIngestInventory(o.inventory, o.log);
  const store = await openStore(o.store, { create: false });
  let map: CommunicationMap;
  try {
    const [edges, workloads, files] = await Promise.all([
      store.queryEdges(range),
      store.workloads(),
      store.files(),
    ]);
    if (files.length === 0) o.log(`discover: the store ${o.store} has no ingested files`);
    map = mapFromStore({ edges, workloads, range, files: files.map((f) => f.path) });
  } finally {
    await store.close();
  }
  if (inventory) {
    map = addInventoryWorkloads(map, inventory);
    map = { ...map, sources: { flows: map.sources?.flows ?? [], inventory: inventory.files } };
  }
  return map;
}

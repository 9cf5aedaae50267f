/**
 * `discover --store`: the map from a store's hourly edges, HTTP and DNS rows and workloads over
 * `--since`/`--until`. With `--inventory`, the inventory's workloads join the map (as with flows).
 * Files ingested before the store kept L7 rows are named in a note: their HTTP and DNS facts are
 * missing from the map.
 */
import { addInventoryWorkloads } from "../../graph/inventory-map.js";
import type { CommunicationMap } from "../../model/map.js";
import { fail, type Problem, problem } from "../../model/problems.js";
import { mapFromStore, parseTimeArg } from "../../store/map.js";
import { openStore } from "../../store/open.js";
import type { IngestedFile, TimeRange } from "../../store/types.js";
import { reportProblems } from "../report.js";
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

/** The warning for files ingested before the store kept L7 rows (store schema 1). */
function withoutL7Warning(store: string, files: readonly IngestedFile[]): Problem {
  const n = files.length;
  const them = n === 1 ? "it" : "them";
  const list = files
    .slice(0, 3)
    .map((f) => f.path)
    .join(", ");
  return problem(
    "data-missing",
    "warning",
    `${n} ${n === 1 ? "file was" : "files were"} ingested before the store kept HTTP and DNS facts ` +
      `(${list}${n > 3 ? ", …" : ""}): the map has no HTTP templates or DNS names from ${them}; ` +
      `ingest ${them} into a new store to get them`,
    { file: store },
  );
}

/** Builds the map from the store. */
export async function discoverFromStore(o: StoreDiscoverOptions): Promise<CommunicationMap> {
  const range = parseRange(o, o.now);
  const inventory = await loadIngestInventory(o.inventory, o.log);
  const store = await openStore(o.store, { create: false });
  let map: CommunicationMap;
  try {
    const [edges, http, dns, workloads, files] = await Promise.all([
      store.queryEdges(range),
      store.queryHttp(range),
      store.queryDns(range),
      store.workloads(),
      store.files(),
    ]);
    if (files.length === 0) o.log(`discover: the store ${o.store} has no ingested files`);
    const old = files.filter((f) => f.withoutL7);
    if (old.length > 0) reportProblems([withoutL7Warning(o.store, old)], o.log);
    map = mapFromStore({ edges, http, dns, workloads, range, files: files.map((f) => f.path) });
  } finally {
    await store.close();
  }
  if (inventory) {
    map = addInventoryWorkloads(map, inventory);
    map = { ...map, sources: { flows: map.sources?.flows ?? [], inventory: inventory.files } };
  }
  return map;
}

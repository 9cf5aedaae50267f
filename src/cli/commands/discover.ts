/**
 * `microseg discover`: flows and/or manifests → communication map.
 */
import { buildMapAsync } from "../../graph/build.js";
import { addInventoryWorkloads, staticMap } from "../../graph/inventory-map.js";
import { discoverStaticEdges } from "../../graph/static-discovery.js";
import { assertInventoryValid, loadK8sInventory } from "../../inventory/k8s/load.js";
import type { Inventory } from "../../inventory/types.js";
import { mapToJson, writeMapFile } from "../../io/map-file.js";
import type { CommunicationMap } from "../../model/map.js";
import { fail } from "../../model/problems.js";
import { mapEdgeTable, renderMermaid } from "../../render/map.js";
import { plural } from "../../render/plural.js";
import { renderTextTable } from "../../render/table.js";
import { inputCounts, prepareFlows } from "../flows.js";
import type { CliIo } from "../main.js";
import { reportProblems } from "../report.js";
import { discoverFromStore } from "./discover-store.js";

/** Options of `discover`. */
export interface DiscoverOptions {
  flows?: string[];
  inventory?: string[];
  format?: string;
  /** `--vpc-fields`: the field order of headerless AWS VPC flow logs. */
  vpcFields?: string;
  strict?: boolean;
  /** Log every format's detection score. */
  verbose?: boolean;
  /** Build the map from this store (DuckDB file, duckdb:PATH, clickhouse://…) instead of flow files. */
  store?: string;
  /** With `store`: RFC 3339 or a duration ago (`7d`). */
  since?: string;
  until?: string;
  output: "table" | "json" | "mermaid";
  out?: string;
  io: CliIo;
  log: (s: string) => void;
}

/** Builds the map from the options' inputs (no output). */
export async function discoverMap(o: Omit<DiscoverOptions, "output" | "io">): Promise<CommunicationMap> {
  if (o.store) {
    if (o.flows?.length)
      fail("usage", "give --flows or --store, not both (ingest the flows into the store first)");
    return discoverFromStore({ ...o, store: o.store });
  }
  if (o.since || o.until) fail("usage", "--since and --until need --store");
  if (!o.flows?.length && !o.inventory?.length) fail("usage", "give --flows, --inventory, or both");
  let inventory: Inventory | undefined;
  if (o.inventory?.length) {
    inventory = assertInventoryValid(await loadK8sInventory(o.inventory));
    reportProblems(inventory.problems, o.log);
  }
  if (!o.flows?.length) {
    const inv = inventory!;
    const found = discoverStaticEdges(inv);
    reportProblems(found.problems, o.log);
    return staticMap(inv, found.edges);
  }
  const prepared = await prepareFlows({
    flows: o.flows,
    format: o.format,
    vpcFields: o.vpcFields,
    strict: o.strict,
    verbose: o.verbose,
    inventory,
    log: o.log,
  });
  let map = await buildMapAsync(prepared.stream(), { resolver: prepared.resolver }, () =>
    inputCounts(prepared.stats),
  );
  // the files are known only once the stream has been read
  map = { ...map, sources: { flows: prepared.stats.map((s) => s.file), inventory: inventory?.files ?? [] } };
  reportProblems(prepared.problems.items, o.log);
  if (inventory) map = addInventoryWorkloads(map, inventory);
  return map;
}

/** One line about a map for the log. */
export function mapSummaryLine(map: CommunicationMap): string {
  const s = (map.summary ?? {}) as Record<string, unknown>;
  const parts = [plural(map.workloads.length, "workload"), plural(map.edges.length, "edge")];
  if (typeof s.records === "number") parts.push(plural(s.records, "flow record"));
  if (typeof s.repliesSkipped === "number")
    parts.push(`${plural(s.repliesSkipped, "reply", "replies")} skipped`);
  if (map.dropped?.length) parts.push(plural(map.dropped.length, "dropped pair"));
  if (typeof s.malformed === "number" && s.malformed > 0)
    parts.push(`${plural(s.malformed, "malformed line")} skipped`);
  return parts.join(", ");
}

/** Runs `discover`; returns the exit code. */
export async function runDiscover(o: DiscoverOptions): Promise<number> {
  const map = await discoverMap(o);
  if (o.out) await writeMapFile(o.out, map);
  if (o.output === "json") {
    if (!o.out) o.io.stdout(mapToJson(map));
  } else if (o.output === "mermaid") o.io.stdout(renderMermaid(map));
  else o.io.stdout(renderTextTable(mapEdgeTable(map)));
  o.log(`discover: ${mapSummaryLine(map)}${o.out ? `; map written to ${o.out}` : ""}`);
  return 0;
}

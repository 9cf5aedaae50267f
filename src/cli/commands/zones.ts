/**
 * `microseg zones --map map.json [-o table|json]`: every workload's trust zone with the reason
 * (configured selectors first, else heuristics), its data classes and whether it is a bastion.
 */
import type { MicrosegConfig } from "../../config/schema.js";
import { readMapFile } from "../../io/map-file.js";
import { writeFileAtomic } from "../../io/write.js";
import type { CommunicationMap } from "../../model/map.js";
import { renderTextTable, type Table } from "../../render/table.js";
import { classifyZones, type ZoneAssignment } from "../../zones/classify.js";
import type { CliIo } from "../main.js";

/** Options of `zones`. */
export interface ZonesOptions {
  map: string;
  output: "table" | "json";
  out?: string;
  config?: MicrosegConfig;
  io: CliIo;
}

/** The zones of a map's workloads (entities and addresses left out). */
export function zonesOfMap(map: CommunicationMap, config?: MicrosegConfig): ZoneAssignment[] {
  const workloads = map.workloads.filter((w) => w.kind !== "entity" && w.kind !== "external");
  return classifyZones({ workloads, edges: map.edges, config }).assignments;
}

/** The zones as a table. */
export function zonesTable(rows: readonly ZoneAssignment[]): Table {
  return {
    columns: [
      { name: "workload", type: "string" },
      { name: "zone", type: "string" },
      { name: "by", type: "string" },
      { name: "data", type: "string" },
      { name: "reason", type: "string" },
    ],
    rows: rows.map((a) => [
      a.bastion ? `${a.id} (bastion)` : a.id,
      a.zone,
      a.source,
      a.dataClasses.join(",") || "-",
      a.reason,
    ]),
  };
}

/** Runs `zones`; always exit 0. */
export async function runZones(o: ZonesOptions): Promise<number> {
  const map = await readMapFile(o.map);
  const rows = zonesOfMap(map, o.config);
  const text =
    o.output === "json"
      ? `${JSON.stringify({ workloads: rows }, null, 2)}\n`
      : renderTextTable(zonesTable(rows));
  if (o.out) await writeFileAtomic(o.out, text);
  else o.io.stdout(text);
  return 0;
}

/**
 * Maps from inventory: every inventory workload joins the map (so generation covers workloads
 * that sent no traffic), and with no flows the map's edges are the statically inferred ones.
 */
import type { Inventory } from "../inventory/types.js";
import type { CommunicationMap, Edge, MapWorkload } from "../model/map.js";
import { MAP_SCHEMA_VERSION } from "../model/map-version.js";
import type { Workload } from "../model/workload.js";

/** A Workload as the map stores it (drops nothing the schema knows). */
export function toMapWorkload(w: Workload): MapWorkload {
  return { ...w } as MapWorkload;
}

/** Adds the inventory's workloads that the map does not have yet; keeps the map sorted. */
export function addInventoryWorkloads(
  map: CommunicationMap,
  inv: Pick<Inventory, "workloads">,
): CommunicationMap {
  const have = new Set(map.workloads.map((w) => w.id));
  const extra = inv.workloads.filter((w) => !have.has(w.id)).map(toMapWorkload);
  if (extra.length === 0) return map;
  const workloads = [...map.workloads, ...extra].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ...map, workloads };
}

/** A map from inventory alone: its workloads and the edges inferred from the manifests. */
export function staticMap(inv: Inventory, edges: Edge[]): CommunicationMap {
  const used = new Set(edges.flatMap((e) => [e.src, e.dst]));
  // entities the edges name (entity:world for exposed Services) join the map as peers
  const have = new Set(inv.workloads.map((w) => w.id));
  const entities: MapWorkload[] = [...used]
    .filter((id) => id.startsWith("entity:") && !have.has(id))
    .map((id) => ({ id, kind: "entity", name: id.slice("entity:".length), labels: {} }));
  const workloads = [...inv.workloads.map(toMapWorkload), ...entities].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  return {
    schemaVersion: MAP_SCHEMA_VERSION,
    sources: { flows: [], inventory: [...inv.files] },
    workloads,
    edges,
    dropped: [],
    dns: [],
    summary: {
      workloads: inv.workloads.length,
      edges: edges.length,
      inferredEdges: edges.length,
      workloadsWithoutEdges: inv.workloads.filter((w) => !used.has(w.id)).length,
    },
  };
}

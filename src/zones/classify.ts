/**
 * Classifies workloads into trust zones: configured selectors first (first zone that matches),
 * else the heuristics. Also answers which workloads are bastions and which data classes each
 * holds (configured classes plus those the map already carries).
 */
import type { MicrosegConfig } from "../config/schema.js";
import type { Edge, MapWorkload } from "../model/map.js";
import { type Exposures, guessZone, peerZone } from "./heuristics.js";
import { compileZoneMatrix, type MatrixAnswer, type ZoneMatrix } from "./matrix.js";
import { describeSelector, firstMatch, matchesSelector } from "./select.js";

/** One workload's zone, with the reason and whether configuration or a heuristic decided. */
export interface ZoneAssignment {
  id: string;
  zone: string;
  reason: string;
  source: "config" | "heuristic";
  bastion: boolean;
  dataClasses: string[];
}

/** What classification reads. */
export interface ClassifyInput {
  workloads: readonly MapWorkload[];
  /** Observed/inferred edges: a workload receiving outside traffic is exposed. */
  edges?: readonly Edge[];
  /** Further exposures by workload id (Ingress objects …). */
  exposures?: Exposures;
  config?: MicrosegConfig;
}

/** The zoning of a set of workloads: assignments by id, and the matrix to check flows with. */
export interface Zoning {
  assignments: ZoneAssignment[];
  byId: ReadonlyMap<string, ZoneAssignment>;
  matrix: ZoneMatrix;
  /** The zone of any id (workload or peer); application for an unknown workload id. */
  zoneOf(id: string): string;
  /** The matrix's answer for a flow from `src` to `dst` (ids). */
  checkFlow(src: string, dst: string): MatrixAnswer;
}

function outsideExposures(edges: readonly Edge[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of edges) {
    const z = peerZone(e.src);
    if (!z || (z.zone !== "outside" && e.src !== "entity:ingress")) continue;
    const list = out.get(e.dst) ?? [];
    const why = `receives traffic from ${e.src.startsWith("cidr:") ? "outside addresses" : e.src}`;
    if (!list.includes(why)) list.push(why);
    out.set(e.dst, list);
  }
  return out;
}

function mergeExposures(a: Exposures, b: Exposures): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of [a, b]) for (const [k, v] of m) out.set(k, [...(out.get(k) ?? []), ...v]);
  return out;
}

/** The data classes of a workload: from the map, plus every configured rule it matches. */
export function dataClassesOf(w: MapWorkload, config: MicrosegConfig | undefined): string[] {
  const classes = new Set(w.dataClasses ?? []);
  for (const rule of config?.dataClasses ?? [])
    if (rule.match.some((s) => matchesSelector(w, s))) for (const c of rule.classes) classes.add(c);
  return [...classes].sort();
}

function assign(w: MapWorkload, config: MicrosegConfig | undefined, exposures: Exposures): ZoneAssignment {
  const bastion = (config?.bastions ?? []).some((s) => matchesSelector(w, s));
  const dataClasses = dataClassesOf(w, config);
  for (const z of config?.zones ?? []) {
    const i = firstMatch(w, z.match);
    if (i >= 0)
      return {
        id: w.id,
        zone: z.name,
        reason: `configured: zone ${z.name} selects ${describeSelector(z.match[i])}`,
        source: "config",
        bastion,
        dataClasses,
      };
  }
  const g = guessZone(w, exposures);
  return { id: w.id, zone: g.zone, reason: g.reason, source: "heuristic", bastion, dataClasses };
}

/** Classifies every workload of the input; assignments sorted by id. */
export function classifyZones(input: ClassifyInput): Zoning {
  const exposures = mergeExposures(outsideExposures(input.edges ?? []), input.exposures ?? new Map());
  const assignments = input.workloads
    .map((w) => assign(w, input.config, exposures))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byId = new Map(assignments.map((a) => [a.id, a]));
  const matrix = compileZoneMatrix(input.config?.zoneMatrix);
  const zoneOf = (id: string) => byId.get(id)?.zone ?? peerZone(id)?.zone ?? "application";
  return {
    assignments,
    byId,
    matrix,
    zoneOf,
    checkFlow(src, dst) {
      return matrix.check(
        { zone: zoneOf(src), bastion: byId.get(src)?.bastion ?? false },
        { zone: zoneOf(dst) },
      );
    },
  };
}

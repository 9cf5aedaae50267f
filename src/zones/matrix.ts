/**
 * The zone matrix: which zone may open connections to which. The default is a three-tier model
 * (outside → public → application → data) with a management zone reachable only from bastions
 * and nothing into data from public; two implicit zones stand for peers that are not workloads
 * (`outside`: the internet and addresses; `infrastructure`: the cluster's own namespaces and node
 * entities, which reach and are reached by everything).
 */
import type { ZoneFlow } from "../config/schema.js";

/** The zones the heuristics assign, plus the two implicit ones. */
export const BUILTIN_ZONES = [
  "public",
  "application",
  "data",
  "management",
  "outside",
  "infrastructure",
] as const;

/** The `from` value that means "the bastion workloads". */
export const BASTION = "bastion";

/** The default matrix (what `microseg init` writes, and what applies when none is configured). */
export const DEFAULT_ZONE_MATRIX: readonly ZoneFlow[] = [
  { from: "outside", to: ["public"], description: "the internet reaches only the public zone" },
  { from: "public", to: ["public", "application", "outside"] },
  { from: "application", to: ["public", "application", "data", "outside"] },
  { from: "data", to: ["data"], description: "data stores initiate nothing but replication" },
  {
    from: "management",
    to: ["public", "application", "data", "management", "outside"],
    description: "monitoring and CI reach everything",
  },
  { from: BASTION, to: ["management"], description: "management is reachable only from bastions" },
  { from: "infrastructure", to: ["*"] },
  { from: "*", to: ["infrastructure"], description: "DNS, the API server and the node are everyone's" },
];

/** One end of a flow as the matrix sees it. */
export interface ZonedEnd {
  zone: string;
  /** True for a bastion workload (source side). */
  bastion?: boolean;
}

/** The matrix's answer: allowed, or the reason it is not. */
export type MatrixAnswer = { allowed: true; by: string } | { allowed: false; reason: string };

/** A compiled matrix. */
export interface ZoneMatrix {
  readonly flows: readonly ZoneFlow[];
  check(from: ZonedEnd, to: ZonedEnd): MatrixAnswer;
}

function covers(list: readonly string[], zone: string): boolean {
  return list.includes("*") || list.includes(zone);
}

/** Compiles a matrix (the default when none is given). */
export function compileZoneMatrix(flows: readonly ZoneFlow[] = DEFAULT_ZONE_MATRIX): ZoneMatrix {
  return {
    flows,
    check(from, to) {
      for (const f of flows) {
        const fromOk =
          f.from === "*" || f.from === from.zone || (f.from === BASTION && from.bastion === true);
        if (fromOk && covers(f.to, to.zone)) return { allowed: true, by: `${f.from} → ${f.to.join(", ")}` };
      }
      const who = from.bastion ? `${from.zone} (bastion)` : from.zone;
      return { allowed: false, reason: `the zone matrix allows no ${who} → ${to.zone} flow` };
    },
  };
}

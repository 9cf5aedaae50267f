/**
 * Blast radius: if a workload is compromised, what can the attacker reach, in one hop and
 * transitively (pivoting through every workload reached), under the policies (permitted) and in
 * the observed map (used), and which data classes sit there. Ranked by reach.
 */
import { type ReachGraph, reachFrom, successors } from "./graph.js";

/** A workload as the report shows it. */
export interface BlastWorkload {
  id: string;
  zone: string;
  dataClasses: readonly string[];
}

/** What one workload reaches in one graph. */
export interface Reach {
  oneHop: string[];
  transitive: string[];
  /** Data classes held by the workloads reached (transitively), sorted. */
  dataClasses: string[];
  /** The reached workloads that hold data classes, with their classes. */
  holders: { id: string; classes: string[] }[];
  /** A shortest path to each reached workload (the workload itself first). */
  paths: Record<string, string[]>;
  /** Connections of the one-hop edges, by destination. */
  conns: Record<string, string>;
}

/** One row of the report. */
export interface BlastEntry extends BlastWorkload {
  permitted?: Reach;
  used?: Reach;
  /** "If X is compromised, the attacker can reach …" for each graph present. */
  sentences: { permitted?: string; used?: string };
  /** Reachable straight from outside the cluster (permitted, else used). */
  exposed: boolean;
}

/** The whole answer. */
export interface BlastReport {
  /** Which graphs the report has. */
  graphs: ("permitted" | "used")[];
  /** Ranked: most transitive reach first (permitted, else used), then one hop, then id. */
  entries: BlastEntry[];
  /** The edges of each graph, for pictures: [src, dst, conns]. */
  edges: { permitted?: [string, string, string][]; used?: [string, string, string][] };
}

/** What the analysis reads. */
export interface BlastInput {
  workloads: readonly BlastWorkload[];
  permitted?: ReachGraph;
  used?: ReachGraph;
}

function reachIn(g: ReachGraph, id: string, byId: ReadonlyMap<string, BlastWorkload>): Reach {
  const paths = reachFrom(g, id);
  const transitive = [...paths.keys()].sort();
  const holders = transitive
    .map((t) => ({ id: t, classes: [...(byId.get(t)?.dataClasses ?? [])].sort() }))
    .filter((h) => h.classes.length > 0);
  const conns: Record<string, string> = {};
  for (const [dst, c] of g.edges.get(id) ?? []) conns[dst] = c;
  return {
    oneHop: successors(g, id),
    transitive,
    dataClasses: [...new Set(holders.flatMap((h) => h.classes))].sort(),
    holders,
    paths: Object.fromEntries([...paths].sort(([a], [b]) => (a < b ? -1 : 1))),
    conns,
  };
}

/** `a`, `a and b`, `a, b and c`. */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** The sentence form of one workload's reach. */
export function blastSentence(id: string, r: Reach): string {
  if (r.transitive.length === 0) return `If ${id} is compromised, the attacker can reach no other workload.`;
  const held = r.dataClasses.length
    ? `which hold ${r.dataClasses.join(", ")}`
    : "which hold no classified data";
  return `If ${id} is compromised, the attacker can reach ${joinAnd(r.transitive)}, ${held}.`;
}

function graphEdges(g: ReachGraph): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const [src, m] of g.edges) for (const [dst, c] of m) out.push([src, dst, c]);
  return out.sort((a, b) =>
    a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
  );
}

function rank(a: BlastEntry, b: BlastEntry): number {
  const ra = a.permitted ?? a.used;
  const rb = b.permitted ?? b.used;
  const d =
    (rb?.transitive.length ?? 0) - (ra?.transitive.length ?? 0) ||
    (rb?.oneHop.length ?? 0) - (ra?.oneHop.length ?? 0);
  return d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Computes the blast radius of every workload. */
export function blastRadius(input: BlastInput): BlastReport {
  const byId = new Map(input.workloads.map((w) => [w.id, w]));
  const entries = input.workloads.map((w): BlastEntry => {
    const e: BlastEntry = { ...w, dataClasses: [...w.dataClasses], sentences: {}, exposed: false };
    if (input.permitted) {
      e.permitted = reachIn(input.permitted, w.id, byId);
      e.sentences.permitted = blastSentence(w.id, e.permitted);
    }
    if (input.used) {
      e.used = reachIn(input.used, w.id, byId);
      e.sentences.used = blastSentence(w.id, e.used);
    }
    e.exposed = (input.permitted ?? input.used)?.fromOutside.has(w.id) ?? false;
    return e;
  });
  const graphs: BlastReport["graphs"] = [];
  const edges: BlastReport["edges"] = {};
  if (input.permitted) {
    graphs.push("permitted");
    edges.permitted = graphEdges(input.permitted);
  }
  if (input.used) {
    graphs.push("used");
    edges.used = graphEdges(input.used);
  }
  return { graphs, entries: entries.sort(rank), edges };
}

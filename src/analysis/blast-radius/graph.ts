/**
 * Reach graphs: who can open connections to whom. Permitted reach comes from the policies
 * (connectivity analysis over the one evaluator); used reach from a communication map's edges.
 * Nodes are workload ids; sources outside the cluster are kept apart (`outside`).
 */
import type { Labels } from "../../model/labels.js";
import type { CommunicationMap } from "../../model/map.js";
import { displayName, isOutsidePeer, type Workload } from "../../model/workload.js";
import type { PolicySet } from "../../policy/ir/types.js";
import { analyzeConnectivity } from "../connectivity/connectivity.js";

/** A directed graph of workload ids; each edge carries the connections it allows or used. */
export interface ReachGraph {
  /** src id → dst id → connections (text form, e.g. `TCP 50051` or `All Connections`). */
  edges: Map<string, Map<string, string>>;
  /** Workloads reachable straight from outside the cluster, with the connections. */
  fromOutside: Map<string, string>;
  /** For permitted graphs: the outside address ranges (`first-last`) that reach each workload. */
  outsideRanges?: Map<string, string[]>;
  /** For permitted graphs: per workload, the outside ranges (`first-last`) it may connect to, with the connections. */
  toOutside?: Map<string, { range: string; conns: string }[]>;
}

function addEdge(g: ReachGraph, src: string, dst: string, conns: string): void {
  const m = g.edges.get(src) ?? new Map<string, string>();
  m.set(dst, m.has(dst) ? `${m.get(dst)},${conns}` : conns);
  g.edges.set(src, m);
}

/** What the permitted graph reads. */
export interface PermittedInput {
  workloads: readonly Workload[];
  namespaces: ReadonlyMap<string, Labels>;
  policies: PolicySet;
}

/** The connections the policies permit between workloads (and from outside addresses). */
export function permittedGraph(input: PermittedInput): ReachGraph {
  const byName = new Map<string, string>();
  for (const w of input.workloads)
    if (w.kind !== "entity" && w.kind !== "external") byName.set(displayName(w), w.id);
  const g: ReachGraph = {
    edges: new Map(),
    fromOutside: new Map(),
    outsideRanges: new Map(),
    toOutside: new Map(),
  };
  for (const p of analyzeConnectivity(input)) {
    const src = byName.get(p.src);
    const dst = byName.get(p.dst);
    if (!dst) {
      // towards an outside address: not a pivot, but the source's outbound reach
      if (src && p.dst.endsWith("[External]")) {
        const list = g.toOutside!.get(src) ?? [];
        list.push({ range: p.dst.slice(0, -"[External]".length), conns: p.conns.toString() });
        g.toOutside!.set(src, list);
      }
      continue;
    }
    if (src) addEdge(g, src, dst, p.conns.toString());
    else if (p.src.endsWith("[External]") && !g.fromOutside.has(dst))
      g.fromOutside.set(dst, p.conns.toString());
  }
  return g;
}

/** The connections a map's edges used (observed or inferred), between workloads. */
export function usedGraph(map: CommunicationMap): ReachGraph {
  const g: ReachGraph = { edges: new Map(), fromOutside: new Map() };
  for (const e of map.edges) {
    if (e.src === e.dst || isOutsidePeer(e.dst)) continue;
    const conns = e.ports.map((p) => `${p.protocol} ${p.port}`).join(",") || "(no port)";
    if (isOutsidePeer(e.src)) {
      if (e.src === "entity:world" || e.src.startsWith("cidr:") || e.src.startsWith("external:"))
        g.fromOutside.set(e.dst, conns);
      continue;
    }
    addEdge(g, e.src, e.dst, conns);
  }
  return g;
}

/** The one-hop successors of a node, sorted. */
export function successors(g: ReachGraph, id: string): string[] {
  return [...(g.edges.get(id)?.keys() ?? [])].sort();
}

/**
 * Breadth-first reach from `start`: every node reachable through any chain of edges (the attacker
 * pivots through each workload it reaches), with one shortest path to each (start first).
 */
export function reachFrom(g: ReachGraph, start: string): Map<string, string[]> {
  const paths = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const cur = queue[i];
    for (const next of successors(g, cur)) {
      if (paths.has(next)) continue;
      paths.set(next, [...paths.get(cur)!, next]);
      queue.push(next);
    }
  }
  paths.delete(start);
  return paths;
}

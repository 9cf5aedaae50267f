/**
 * L7 learning: per edge, the HTTP methods and path templates seen (ids collapsed by
 * http-template.ts), capped per edge — beyond the cap a method's templates widen to their longest
 * common prefix (`/api/*`), and the widening is reported; gRPC calls (`POST /pkg.Service/Method`)
 * named as service and method; and the DNS names each workload queried, split into cluster names
 * and external names (the candidates for FQDN rules).
 */
import type { CommunicationMap, Edge } from "../model/map.js";
import { isPrefixTemplate } from "./http-template.js";

/** Options of the L7 learning. */
export interface L7Options {
  /** Distinct path templates per edge and method before widening (default 8). */
  maxTemplatesPerEdge?: number;
}

/** The default cap on distinct templates per edge and method. */
export const DEFAULT_MAX_TEMPLATES = 8;

/** A widening: an edge's templates for one method replaced by a prefix. */
export interface L7Widening {
  src: string;
  dst: string;
  method: string;
  /** How many distinct templates were seen. */
  templates: number;
  /** The prefix template that replaces them (`/api/*`, or `*` for every path). */
  prefix: string;
}

/** A gRPC call parsed from its HTTP/2 path. */
export interface GrpcMethod {
  /** Fully qualified service (`hipstershop.CartService`). */
  service: string;
  method: string;
}

/** `/pkg.Service/Method` → service and method; undefined for other paths. */
export function grpcMethod(path: string): GrpcMethod | undefined {
  const m = /^\/([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+)\/([A-Za-z_][\w]*)$/.exec(path);
  return m ? { service: m[1], method: m[2] } : undefined;
}

/** The longest common prefix of templates, by whole segments, as a prefix template. */
export function commonPrefixTemplate(templates: readonly string[]): string {
  const split = templates.map((t) => (isPrefixTemplate(t) ? t.slice(0, -2) : t).split("/"));
  const first = split[0] ?? [];
  let n = first.length;
  for (const s of split) {
    let i = 0;
    while (i < n && i < s.length && s[i] === first[i] && first[i] !== "{id}") i++;
    n = i;
  }
  const prefix = first.slice(0, n).join("/");
  return prefix === "" ? "*" : `${prefix}/*`;
}

/** An edge's HTTP entries with every method capped; the widenings made. */
export function capEdgeTemplates(edge: Edge, max: number): { http: Edge["http"]; widenings: L7Widening[] } {
  if (!edge.http?.length) return { http: edge.http, widenings: [] };
  const byMethod = new Map<string, string[]>();
  for (const h of edge.http) byMethod.set(h.method, [...(byMethod.get(h.method) ?? []), h.path]);
  const out: { method: string; path: string }[] = [];
  const widenings: L7Widening[] = [];
  for (const [method, paths] of [...byMethod].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const distinct = [...new Set(paths)].sort();
    if (distinct.length <= max) {
      for (const p of distinct) out.push({ method, path: p });
      continue;
    }
    const prefix = commonPrefixTemplate(distinct);
    out.push({ method, path: prefix });
    widenings.push({ src: edge.src, dst: edge.dst, method, templates: distinct.length, prefix });
  }
  return { http: out, widenings };
}

/** The L7 summary of a map: capped HTTP templates per edge, gRPC calls, DNS names per workload. */
export interface L7Summary {
  /** The map with every edge's `http` capped. */
  map: CommunicationMap;
  widenings: L7Widening[];
  /** `src -> dst` → gRPC calls seen on the edge. */
  grpc: Map<string, GrpcMethod[]>;
  /** Workload id → external names it queried (no cluster-internal names), sorted. */
  externalNames: Map<string, string[]>;
}

/** True for names served by the cluster's own DNS zone. */
export function isClusterName(name: string, clusterDomain = "cluster.local"): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  return n === clusterDomain || n.endsWith(`.${clusterDomain}`) || !n.includes(".");
}

/** Learns the L7 summary of a map. */
export function learnL7(map: CommunicationMap, opts: L7Options = {}): L7Summary {
  const max = opts.maxTemplatesPerEdge ?? DEFAULT_MAX_TEMPLATES;
  const widenings: L7Widening[] = [];
  const grpc = new Map<string, GrpcMethod[]>();
  const edges = map.edges.map((e) => {
    const capped = capEdgeTemplates(e, max);
    widenings.push(...capped.widenings);
    const calls = (e.http ?? []).map((h) => (h.method === "POST" ? grpcMethod(h.path) : undefined));
    const list = calls.filter((c): c is GrpcMethod => c !== undefined);
    if (list.length) grpc.set(`${e.src} -> ${e.dst}`, list);
    return capped.http ? { ...e, http: capped.http } : e;
  });
  const externalNames = new Map<string, string[]>();
  for (const d of map.dns ?? []) {
    const names = [...new Set(d.names.map((n) => n.toLowerCase().replace(/\.$/, "")))]
      .filter((n) => !isClusterName(n))
      .sort();
    if (names.length) externalNames.set(d.workload, names);
  }
  return { map: { ...map, edges }, widenings, grpc, externalNames };
}

/**
 * A CommunicationMap from a store's edges, L7 rows and workloads (pure), for `discover --store`:
 * the same edge, `http`, dropped and `dns` shapes as src/graph/build.ts (templates sorted by path
 * then method, names sorted, workloads sorted by id). HTTP rows join the edge of their src and dst.
 */
import { formatTime } from "../model/flow.js";
import {
  type CommunicationMap,
  type DroppedEdge,
  type Edge,
  type EdgePort,
  MAP_SCHEMA_VERSION,
  type MapWorkload,
} from "../model/map.js";
import { parseProtocol } from "../model/ports.js";
import type { StoredDns, StoredEdge, StoredHttp, TimeRange } from "./types.js";

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The Workload record of an id the store has no record for (entities, address peers, networks). */
export function placeholderWorkload(id: string): MapWorkload {
  if (id.startsWith("entity:")) return { id, kind: "entity", name: id.slice(7), labels: {} };
  if (id.startsWith("cidr:")) {
    const cidr = id.slice(5);
    return { id, kind: "external", name: cidr, labels: {}, addresses: [cidr.replace(/\/\d+$/, "")] };
  }
  if (id.startsWith("external:")) return { id, kind: "external", name: id.slice(9), labels: {} };
  const slash = id.indexOf("/");
  return { id, kind: "pod-owner", namespace: id.slice(0, slash), name: id.slice(slash + 1), labels: {} };
}

interface Agg {
  src: string;
  dst: string;
  ports: Map<string, EdgePort>;
  flows: number;
  audit: number;
  first: number;
  last: number;
}

/** Options of {@link mapFromStore}. */
export interface MapFromStoreOptions {
  edges: readonly StoredEdge[];
  /** HTTP rows over the same range (`queryHttp`). */
  http?: readonly StoredHttp[];
  /** DNS rows over the same range (`queryDns`). */
  dns?: readonly StoredDns[];
  workloads: readonly MapWorkload[];
  range?: TimeRange;
  /** The ingested files' paths (the map's sources). */
  files?: string[];
}

/** Builds the map: forwarded and audit rows make edges, dropped rows `dropped[]`. */
export function mapFromStore(o: MapFromStoreOptions): CommunicationMap {
  const edges = new Map<string, Agg>();
  const dropped: DroppedEdge[] = [];
  const byVerdict: Record<string, number> = {};
  for (const e of o.edges) {
    byVerdict[e.verdict] = (byVerdict[e.verdict] ?? 0) + e.flows;
    if (e.verdict === "dropped") {
      const d: DroppedEdge = { src: e.src, dst: e.dst, protocol: e.protocol, flows: e.flows };
      if (e.port > 0) d.port = e.port;
      dropped.push(d);
      continue;
    }
    const protocol = parseProtocol(e.protocol);
    if (!protocol || e.port < 1) continue;
    const k = `${e.src}\u0000${e.dst}`;
    let a = edges.get(k);
    if (!a) {
      a = {
        src: e.src,
        dst: e.dst,
        ports: new Map(),
        flows: 0,
        audit: 0,
        first: e.firstSeen,
        last: e.lastSeen,
      };
      edges.set(k, a);
    }
    a.ports.set(`${protocol}/${e.port}`, { protocol, port: e.port });
    a.flows += e.flows;
    if (e.verdict === "audit") a.audit += e.flows;
    a.first = Math.min(a.first, e.firstSeen);
    a.last = Math.max(a.last, e.lastSeen);
  }
  const http = httpByEdge(o.http ?? []);
  const outEdges: Edge[] = [...edges.values()]
    .map((a) => {
      const edge: Edge = {
        src: a.src,
        dst: a.dst,
        ports: [...a.ports.values()].sort((x, y) => cmp(x.protocol, y.protocol) || x.port - y.port),
        flows: a.flows,
        provenance: "observed",
      };
      const templates = http.get(`${a.src}\u0000${a.dst}`);
      if (templates) edge.http = templates;
      if (a.audit > 0) edge.audit = a.audit;
      if (a.first > 0) edge.firstSeen = formatTime(a.first);
      if (a.last > 0) edge.lastSeen = formatTime(a.last);
      return edge;
    })
    .sort((a, b) => cmp(a.src, b.src) || cmp(a.dst, b.dst));
  const records = new Map(o.workloads.map((w) => [w.id, w]));
  const dns = dnsByWorkload(o.dns ?? []);
  const used = new Set([...outEdges, ...dropped].flatMap((e) => [e.src, e.dst]));
  for (const d of dns) used.add(d.workload);
  for (const id of used) if (!records.has(id)) records.set(id, placeholderWorkload(id));
  const summary: Record<string, unknown> = {
    records: Object.values(byVerdict).reduce((a, b) => a + b, 0),
    byVerdict: Object.fromEntries(Object.entries(byVerdict).sort(([a], [b]) => cmp(a, b))),
    fromStore: true,
  };
  if (o.range?.since !== undefined) summary.since = formatTime(o.range.since);
  if (o.range?.until !== undefined) summary.until = formatTime(o.range.until);
  return {
    schemaVersion: MAP_SCHEMA_VERSION,
    sources: { flows: o.files ?? [], inventory: [] },
    workloads: [...records.values()].sort((a, b) => cmp(a.id, b.id)),
    edges: outEdges,
    dropped: dropped.sort(
      (a, b) =>
        cmp(a.src, b.src) ||
        cmp(a.dst, b.dst) ||
        cmp(a.protocol, b.protocol) ||
        (a.port ?? 0) - (b.port ?? 0),
    ),
    dns,
    summary,
  };
}

/** HTTP templates per `src\0dst`, deduplicated, sorted by path then method (as build.ts). */
function httpByEdge(rows: readonly StoredHttp[]): Map<string, { method: string; path: string }[]> {
  const out = new Map<string, Map<string, { method: string; path: string }>>();
  for (const r of rows) {
    const k = `${r.src}\u0000${r.dst}`;
    const m = out.get(k) ?? new Map();
    out.set(k, m);
    m.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  }
  return new Map(
    [...out].map(([k, m]) => [
      k,
      [...m.values()].sort((a, b) => cmp(a.path, b.path) || cmp(a.method, b.method)),
    ]),
  );
}

/** DNS names per workload, sorted (as build.ts). */
function dnsByWorkload(rows: readonly StoredDns[]): { workload: string; names: string[] }[] {
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    const names = out.get(r.workload) ?? new Set();
    out.set(r.workload, names);
    names.add(r.name);
  }
  return [...out]
    .map(([workload, names]) => ({ workload, names: [...names].sort() }))
    .sort((a, b) => cmp(a.workload, b.workload));
}

/** Parses `--since`/`--until`: RFC 3339, or a duration before `now` (`30m`, `12h`, `7d`, `2w`). */
export function parseTimeArg(s: string, now: number): number | undefined {
  const rel = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(s.trim());
  if (rel) {
    const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[rel[2] as "s" | "m" | "h" | "d" | "w"];
    return Math.round(now - Number(rel[1]) * unit);
  }
  if (!/^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/i.test(s.trim())) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

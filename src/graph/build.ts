/**
 * Flows → CommunicationMap (pure). Records are aggregated by provisional endpoint keys while the
 * resolver learns from them, and resolved once at the end (one pass; see src/identity/resolve.ts).
 *
 * Rules (each tested in build.test.ts):
 * - Only forwarded (FORWARDED, REDIRECTED) and audit requests make edges; replies are skipped and
 *   counted (src/graph/direction.ts says which records are replies).
 * - AUDIT records make edges too: in audit mode the datapath forwards them, so they are traffic a
 *   default-deny baseline has to allow; the edge counts them in `audit`.
 * - DROPPED records never make edges: they go to `dropped[]` per pair, protocol and port (both
 *   directions, with the reasons the source gives). Other verdicts are only counted.
 * - A record without a TCP/UDP/SCTP destination port (ICMP …) makes no edge; counted in `noPort`.
 * - Self traffic: a record whose two ends are the same pod (same address or pod name) is skipped
 *   (a pod cannot be blocked from itself). Different pods of one workload keep their edge
 *   (`a/x → a/x`): policies must allow it. Entity or address peers talking to themselves
 *   (`entity:host → entity:host`) are skipped: no policy can express them.
 */
import type { IdentityResolver, Resolution } from "../identity/resolve.js";
import { UNRESOLVED_VIA } from "../identity/resolve.js";
import { type Flow, type FlowEndpoint, formatTime } from "../model/flow.js";
import type { CommunicationMap, DroppedEdge, Edge, MapWorkload } from "../model/map.js";
import { MAP_SCHEMA_VERSION } from "../model/map-version.js";
import { type PROTOCOLS, parseProtocol } from "../model/ports.js";
import { isOutsidePeer } from "../model/workload.js";
import { flowDirection } from "./direction.js";
import { templatePath } from "./http-template.js";

/** Options for building a map. */
export interface MapBuildOptions {
  resolver: IdentityResolver;
  /** The input files, recorded in the map. */
  sources?: { flows: string[]; inventory: string[] };
}

/** Counts that readers know and the builder does not (malformed and ignored lines). */
export interface InputCounts {
  malformed?: number;
  ignored?: number;
}

interface EdgeAgg {
  src: string;
  dst: string;
  ports: Set<string>;
  http: Set<string>;
  flows: number;
  audit: number;
  first?: number;
  last?: number;
}

interface DroppedAgg {
  src: string;
  dst: string;
  protocol: string;
  port?: number;
  flows: number;
  reasons: Set<string>;
}

function bump(m: Record<string, number>, k: string, n = 1): void {
  m[k] = (m[k] ?? 0) + n;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function samePod(a: FlowEndpoint, b: FlowEndpoint): boolean {
  if (a.ip && a.ip === b.ip) return true;
  const pa = a.identity?.podName;
  return !!pa && pa === b.identity?.podName && a.identity?.namespace === b.identity?.namespace;
}

/** What a record is to the map: a request that makes an edge, or why it makes none. */
export type FlowRole = "edge" | "dropped" | "other-verdict" | "reply" | "same-pod" | "no-port";

/**
 * Classifies a record by the rules above. `discover` and `verify` both use it, so a replay
 * evaluates exactly the records that made the map's edges.
 */
export function flowRole(flow: Flow): FlowRole {
  if (flow.verdict === "dropped") return "dropped";
  if (flow.verdict !== "forwarded" && flow.verdict !== "audit") return "other-verdict";
  if (flowDirection(flow) === "reply") return "reply";
  if (samePod(flow.src, flow.dst)) return "same-pod";
  if (!parseProtocol(flow.protocol) || flow.dst.port === undefined) return "no-port";
  return "edge";
}

/** True when an edge between resolved ids is an outside peer talking to itself (never an edge). */
export function isSelfPeer(src: string, dst: string): boolean {
  return src === dst && isOutsidePeer(src);
}

/** Aggregates flows into a CommunicationMap; call `add` for every flow, then `finish` once. */
export class MapBuilder {
  private readonly endpoints = new Map<string, { ep: FlowEndpoint; time?: number }>();
  private readonly edges = new Map<string, EdgeAgg>();
  private readonly dropped = new Map<string, DroppedAgg>();
  private readonly dns = new Map<string, Set<string>>();
  private readonly byVerdict: Record<string, number> = {};
  private readonly byRawVerdict: Record<string, number> = {};
  private readonly noPort: Record<string, number> = {};
  private readonly counts = { records: 0, requests: 0, replies: 0, samePod: 0 };

  constructor(private readonly opts: MapBuildOptions) {}

  /** Adds one flow record. */
  add(flow: Flow): void {
    this.opts.resolver.learn(flow);
    this.counts.records++;
    bump(this.byVerdict, flow.verdict);
    bump(this.byRawVerdict, flow.rawVerdict ?? flow.verdict);
    const src = this.key(flow.src, flow.time);
    const dst = this.key(flow.dst, flow.time);
    if (flow.dns?.query) this.addDns(flowDirection(flow) === "request" ? src : dst, flow.dns.query);
    const role = flowRole(flow);
    if (role === "dropped") this.addDropped(src, dst, flow);
    if (role === "dropped" || role === "other-verdict") return;
    if (role === "reply") {
      this.counts.replies++;
      return;
    }
    this.counts.requests++;
    if (role === "same-pod") this.counts.samePod++;
    else if (role === "no-port") bump(this.noPort, String(flow.protocol));
    else this.addEdge(src, dst, flow);
  }

  private key(ep: FlowEndpoint, time: number | undefined): string {
    const k = this.opts.resolver.provisionalKey(ep, time);
    const seen = this.endpoints.get(k);
    if (!seen) this.endpoints.set(k, time === undefined ? { ep } : { ep, time });
    else if (time !== undefined && (seen.time === undefined || time < seen.time)) seen.time = time;
    return k;
  }

  private addEdge(src: string, dst: string, flow: Flow): void {
    const protocol = parseProtocol(flow.protocol)!;
    const port = flow.dst.port!;
    const k = `${src}\u0000${dst}`;
    const agg = this.edges.get(k) ?? { src, dst, ports: new Set(), http: new Set(), flows: 0, audit: 0 };
    this.edges.set(k, agg);
    agg.ports.add(`${protocol}/${port}`);
    agg.flows++;
    if (flow.verdict === "audit") agg.audit++;
    if (flow.http?.method) agg.http.add(`${flow.http.method} ${templatePath(flow.http.path)}`);
    if (flow.time !== undefined) {
      agg.first = agg.first === undefined ? flow.time : Math.min(agg.first, flow.time);
      agg.last = agg.last === undefined ? flow.time : Math.max(agg.last, flow.time);
    }
  }

  private addDropped(src: string, dst: string, flow: Flow): void {
    const protocol = String(flow.protocol);
    const k = [src, dst, protocol, flow.dst.port ?? ""].join("\u0000");
    const agg = this.dropped.get(k) ?? {
      src,
      dst,
      protocol,
      port: flow.dst.port,
      flows: 0,
      reasons: new Set(),
    };
    this.dropped.set(k, agg);
    agg.flows++;
    if (flow.dropReason) agg.reasons.add(flow.dropReason);
  }

  private addDns(client: string, query: string): void {
    const names = this.dns.get(client) ?? new Set();
    this.dns.set(client, names);
    names.add(query);
  }

  /** Resolves every endpoint and returns the sorted, deterministic map. */
  finish(input: InputCounts = {}): CommunicationMap {
    const resolved = new Map<string, Resolution>();
    for (const [k, { ep, time }] of this.endpoints) resolved.set(k, this.opts.resolver.resolve(ep, time));
    const id = (k: string) => resolved.get(k)!.id;
    const { edges, selfPeers } = this.resolvedEdges(id);
    const map: CommunicationMap = {
      schemaVersion: MAP_SCHEMA_VERSION,
      sources: this.opts.sources ?? { flows: [], inventory: [] },
      workloads: this.workloads(resolved),
      edges,
      dropped: this.resolvedDropped(id),
      dns: this.resolvedDns(id),
      summary: this.summary(resolved, selfPeers, input),
    };
    return map;
  }

  private resolvedEdges(id: (k: string) => string): { edges: Edge[]; selfPeers: number } {
    const merged = new Map<string, EdgeAgg>();
    let selfPeers = 0;
    for (const e of this.edges.values()) {
      const src = id(e.src);
      const dst = id(e.dst);
      if (isSelfPeer(src, dst)) {
        selfPeers += e.flows;
        continue;
      }
      const k = `${src}\u0000${dst}`;
      const m = merged.get(k) ?? { src, dst, ports: new Set(), http: new Set(), flows: 0, audit: 0 };
      merged.set(k, m);
      for (const p of e.ports) m.ports.add(p);
      for (const h of e.http) m.http.add(h);
      m.flows += e.flows;
      m.audit += e.audit;
      if (e.first !== undefined) m.first = m.first === undefined ? e.first : Math.min(m.first, e.first);
      if (e.last !== undefined) m.last = m.last === undefined ? e.last : Math.max(m.last, e.last);
    }
    const edges = [...merged.values()].map(toEdge).sort((a, b) => cmp(a.src, b.src) || cmp(a.dst, b.dst));
    return { edges, selfPeers };
  }

  private resolvedDropped(id: (k: string) => string): DroppedEdge[] {
    const merged = new Map<string, DroppedAgg>();
    for (const d of this.dropped.values()) {
      const src = id(d.src);
      const dst = id(d.dst);
      const k = [src, dst, d.protocol, d.port ?? ""].join("\u0000");
      const m = merged.get(k) ?? { ...d, src, dst, flows: 0, reasons: new Set<string>() };
      merged.set(k, m);
      m.flows += d.flows;
      for (const r of d.reasons) m.reasons.add(r);
    }
    return [...merged.values()]
      .map((d) => {
        const out: DroppedEdge = { src: d.src, dst: d.dst, protocol: d.protocol, flows: d.flows };
        if (d.port !== undefined) out.port = d.port;
        if (d.reasons.size > 0) out.reasons = [...d.reasons].sort();
        return out;
      })
      .sort(
        (a, b) =>
          cmp(a.src, b.src) ||
          cmp(a.dst, b.dst) ||
          cmp(a.protocol, b.protocol) ||
          (a.port ?? 0) - (b.port ?? 0),
      );
  }

  private resolvedDns(id: (k: string) => string): { workload: string; names: string[] }[] {
    const merged = new Map<string, Set<string>>();
    for (const [k, names] of this.dns) {
      const w = id(k);
      const m = merged.get(w) ?? new Set();
      merged.set(w, m);
      for (const n of names) m.add(n);
    }
    return [...merged.entries()]
      .map(([workload, names]) => ({ workload, names: [...names].sort() }))
      .sort((a, b) => cmp(a.workload, b.workload));
  }

  private workloads(resolved: Map<string, Resolution>): MapWorkload[] {
    const ids = [...new Set([...resolved.values()].map((r) => r.id))].sort();
    return ids.map((i) => this.opts.resolver.workload(i) as MapWorkload);
  }

  private summary(
    resolved: Map<string, Resolution>,
    selfPeers: number,
    input: InputCounts,
  ): Record<string, unknown> {
    const via: Record<string, number> = {};
    const unresolved = new Set<string>();
    for (const r of resolved.values()) {
      bump(via, r.via);
      if (UNRESOLVED_VIA.includes(r.via)) unresolved.add(r.id);
    }
    return {
      records: this.counts.records,
      byVerdict: sortKeys(this.byVerdict),
      byRawVerdict: sortKeys(this.byRawVerdict),
      requests: this.counts.requests,
      repliesSkipped: this.counts.replies,
      samePodSkipped: this.counts.samePod,
      selfPeerSkipped: selfPeers,
      noPort: sortKeys(this.noPort),
      endpointsResolvedBy: sortKeys(via),
      unresolvedEndpoints: [...unresolved].sort(),
      malformed: input.malformed ?? 0,
      ignored: input.ignored ?? 0,
    };
  }
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

function toEdge(e: EdgeAgg): Edge {
  const ports = [...e.ports]
    .map((p) => {
      const [protocol, port] = p.split("/");
      return { protocol: protocol as (typeof PROTOCOLS)[number], port: Number(port) };
    })
    .sort((a, b) => cmp(a.protocol, b.protocol) || a.port - b.port);
  const edge: Edge = { src: e.src, dst: e.dst, ports, flows: e.flows, provenance: "observed" };
  if (e.http.size > 0) {
    edge.http = [...e.http]
      .map((h) => {
        const sp = h.indexOf(" ");
        return { method: h.slice(0, sp), path: h.slice(sp + 1) };
      })
      .sort((a, b) => cmp(a.path, b.path) || cmp(a.method, b.method));
  }
  if (e.audit > 0) edge.audit = e.audit;
  if (e.first !== undefined) edge.firstSeen = formatTime(e.first);
  if (e.last !== undefined) edge.lastSeen = formatTime(e.last);
  return edge;
}

/** Builds a map from flows in one pass (deferred resolution). */
export function buildMap(
  flows: Iterable<Flow>,
  opts: MapBuildOptions,
  input?: InputCounts,
): CommunicationMap {
  const b = new MapBuilder(opts);
  for (const f of flows) b.add(f);
  return b.finish(input);
}

/** Builds a map from an async flow source (files, stdin, live feeds) in one pass. */
export async function buildMapAsync(
  flows: AsyncIterable<Flow>,
  opts: MapBuildOptions,
  input?: InputCounts | (() => InputCounts),
): Promise<CommunicationMap> {
  const b = new MapBuilder(opts);
  for await (const f of flows) b.add(f);
  return b.finish(typeof input === "function" ? input() : input);
}

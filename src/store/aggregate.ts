/**
 * Flows → hourly edge rows (pure), the ingest-time counterpart of src/graph/build.ts: the same
 * record rules (flowRole: requests make edges, drops make `dropped` rows, replies and same-pod
 * records are skipped) and identity resolution with the address book valid at each flow's time.
 *
 * Endpoints are aggregated under provisional keys and resolved when the aggregator is drained (at
 * most `maxPending` rows are held, so memory stays bounded whatever the input size). An address
 * endpoint's key carries the inventory binding valid at the flow's time, so a reused address
 * resolves to its owner at that time; it is resolved with the earliest time it was seen in its hour.
 * Unresolved addresses become `cidr:<ip>/32`, or `external:<name>` inside a named network.
 *
 * L7, as build.ts gathers it: a record that makes an edge row and carries an HTTP method adds an
 * HTTP row (method, path template) for its edge; a record of any role that carries a DNS query
 * adds a DNS row for its client (the request's source, else the destination). Self-peer HTTP
 * rows are dropped with their edges.
 */
import { flowRole, isSelfPeer } from "../graph/build.js";
import { flowDirection } from "../graph/direction.js";
import { templatePath } from "../graph/http-template.js";
import type { IdentityResolver } from "../identity/resolve.js";
import { UNRESOLVED_VIA } from "../identity/resolve.js";
import { type NetworkNamer, networkId } from "../inventory/static/networks.js";
import type { AddressBinding } from "../inventory/types.js";
import type { Flow, FlowEndpoint } from "../model/flow.js";
import type { MapWorkload } from "../model/map.js";
import { parseProtocol } from "../model/ports.js";
import { PendingL7 } from "./aggregate-l7.js";
import { HOUR_MS } from "./rows.js";
import type { HourlyDns, HourlyEdge, HourlyHttp, RawFlow } from "./types.js";

/** Options for the aggregator. */
export interface AggregatorOptions {
  resolver: IdentityResolver;
  /** The normalised bindings the resolver was given (non-overlapping per address). */
  bindings: readonly AddressBinding[];
  networks?: NetworkNamer;
  keepRaw?: boolean;
}

/** What happened to the records (summed over the aggregator's life). */
export interface AggregateCounts {
  records: number;
  byVerdict: Record<string, number>;
  edgeRecords: number;
  droppedRecords: number;
  repliesSkipped: number;
  samePodSkipped: number;
  noPort: number;
  otherVerdict: number;
  selfPeerSkipped: number;
}

/** One endpoint key of the pending chunk: the endpoint to resolve, its earliest time, its id once drained. */
interface EndpointEntry {
  ep: FlowEndpoint;
  time: number | undefined;
  /** A small number naming the entry in row keys (shorter keys than the endpoint's). */
  n: number;
  id?: string;
}

interface Pending {
  hour: number;
  src: EndpointEntry;
  dst: EndpointEntry;
  protocol: string;
  port: number;
  verdict: string;
  flows: number;
  bytes: number;
  packets: number;
  first: number;
  last: number;
}

interface PendingRaw {
  flow: Flow;
  src: EndpointEntry;
  dst: EndpointEntry;
}

/**
 * A copy of an address that does not keep the text it was cut from alive (V8 keeps a slice of a
 * long string as a view of it: one address held per chunk would keep every chunk of the file).
 */
function ownCopy(s: string): string {
  return ` ${s}`.slice(1);
}

const SEP = "\u0000";

/** Flows → hourly rows, drained in chunks. */
/** The empty counts. */
export function emptyCounts(): AggregateCounts {
  return {
    records: 0,
    byVerdict: {},
    edgeRecords: 0,
    droppedRecords: 0,
    repliesSkipped: 0,
    samePodSkipped: 0,
    noPort: 0,
    otherVerdict: 0,
    selfPeerSkipped: 0,
  };
}

export class HourlyAggregator {
  /** Counts so far. */
  readonly counts: AggregateCounts = emptyCounts();
  /** Addresses that resolved to no workload (`cidr:` or a named network), by the id they became. */
  readonly unresolved = new Map<string, string>();
  private readonly byIp = new Map<string, { from: number; to: number; id: string }[]>();
  private endpoints = new Map<string, EndpointEntry>();
  private rows = new Map<string, Pending>();
  private readonly l7 = new PendingL7();
  private raw: PendingRaw[] = [];
  private readonly seenIds = new Set<string>();

  constructor(private readonly opts: AggregatorOptions) {
    for (const b of opts.bindings) {
      const l = this.byIp.get(b.ip) ?? [];
      l.push({
        from: b.from ?? Number.NEGATIVE_INFINITY,
        to: b.to ?? Number.POSITIVE_INFINITY,
        id: b.workloadId,
      });
      this.byIp.set(b.ip, l);
    }
  }

  /** Rows and raw flows waiting to be drained. */
  get pending(): number {
    return this.rows.size + this.l7.size + this.raw.length;
  }

  /** Adds one record. */
  add(flow: Flow): void {
    const c = this.counts;
    c.records++;
    c.byVerdict[flow.verdict] = (c.byVerdict[flow.verdict] ?? 0) + 1;
    this.opts.resolver.learn(flow);
    const hour = flow.time === undefined ? 0 : Math.floor(flow.time / HOUR_MS) * HOUR_MS;
    const role = flowRole(flow);
    const query = flow.dns?.query;
    const clientIsSrc = query ? flowDirection(flow) === "request" : false;
    const needKeys = role === "edge" || role === "dropped" || this.opts.keepRaw;
    if (!needKeys) {
      if (query) this.l7.addDns(hour, this.key(clientIsSrc ? flow.src : flow.dst, flow.time, hour), query);
      this.countSkipped(role);
      return;
    }
    const src = this.key(flow.src, flow.time, hour);
    const dst = this.key(flow.dst, flow.time, hour);
    if (query) this.l7.addDns(hour, clientIsSrc ? src : dst, query);
    if (this.opts.keepRaw) this.raw.push({ flow, src, dst });
    switch (role) {
      case "edge":
        c.edgeRecords++;
        this.addRow(hour, src, dst, parseProtocol(flow.protocol)!, flow.dst.port!, flow.verdict, flow);
        if (flow.http?.method)
          this.l7.addHttp(hour, src, dst, flow.http.method, templatePath(flow.http.path));
        return;
      case "dropped":
        c.droppedRecords++;
        this.addRow(hour, src, dst, String(flow.protocol), flow.dst.port ?? 0, "dropped", flow);
        return;
      default:
        this.countSkipped(role);
    }
  }

  private countSkipped(role: string): void {
    const c = this.counts;
    switch (role) {
      case "reply":
        c.repliesSkipped++;
        return;
      case "same-pod":
        c.samePodSkipped++;
        return;
      case "no-port":
        c.noPort++;
        return;
      default:
        c.otherVerdict++;
    }
  }

  /** The inventory binding of an address at a time (normalised: at most one). */
  private bindingAt(ip: string, time: number | undefined): string {
    const l = this.byIp.get(ip);
    if (!l) return "";
    if (time === undefined) return l.length === 1 ? l[0].id : "?";
    for (const b of l) if (b.from <= time && time < b.to) return b.id;
    return "";
  }

  private key(ep: FlowEndpoint, time: number | undefined, hour: number): EndpointEntry {
    const id = ep.identity;
    const plain = !id || (Object.keys(id).length === 1 && id.hints !== undefined);
    const k = plain
      ? `a${SEP}${ep.ip ?? ""}${SEP}${ep.ip ? this.bindingAt(ep.ip, time) : ""}`
      : this.opts.resolver.provisionalKey(ep, time);
    const hk = `${hour}${SEP}${k}`;
    const seen = this.endpoints.get(hk);
    if (!seen) {
      const entry = { ep: plain ? (ep.ip ? { ip: ownCopy(ep.ip) } : {}) : ep, time, n: this.endpoints.size };
      this.endpoints.set(hk, entry);
      return entry;
    }
    if (time !== undefined && (seen.time === undefined || time < seen.time)) seen.time = time;
    return seen;
  }

  private addRow(
    hour: number,
    src: EndpointEntry,
    dst: EndpointEntry,
    protocol: string,
    port: number,
    verdict: string,
    flow: Flow,
  ): void {
    const k = `${src.n}${SEP}${dst.n}${SEP}${protocol}${SEP}${port}${SEP}${verdict}`;
    let r = this.rows.get(k);
    const t = flow.time ?? 0;
    if (!r) {
      r = { hour, src, dst, protocol, port, verdict, flows: 0, bytes: 0, packets: 0, first: t, last: t };
      this.rows.set(k, r);
    }
    r.flows++;
    r.bytes += flow.bytes ?? 0;
    r.packets += flow.packets ?? 0;
    if (t < r.first) r.first = t;
    if (t > r.last) r.last = t;
  }

  /** Resolves one endpoint: the resolver, then named networks for address peers. */
  private resolve(ep: FlowEndpoint, time: number | undefined): string {
    const r = this.opts.resolver.resolve(ep, time);
    let id = r.id;
    if (r.via === "address" && ep.ip) {
      const net = this.opts.networks?.nameOf(ep.ip);
      if (net) id = networkId(net);
      this.unresolved.set(ep.ip, id);
    } else if (UNRESOLVED_VIA.includes(r.via) && ep.ip) this.unresolved.set(ep.ip, id);
    return id;
  }

  /** Resolves and returns what is pending, then forgets it. */
  drain(): { edges: HourlyEdge[]; flows: RawFlow[]; http: HourlyHttp[]; dns: HourlyDns[] } {
    for (const e of this.endpoints.values()) e.id = this.resolve(e.ep, e.time);
    const merged = new Map<string, HourlyEdge>();
    for (const r of this.rows.values()) {
      const src = r.src.id!;
      const dst = r.dst.id!;
      if (r.verdict !== "dropped" && isSelfPeer(src, dst)) {
        this.counts.selfPeerSkipped += r.flows;
        continue;
      }
      this.seenIds.add(src);
      this.seenIds.add(dst);
      const k = `${r.hour}${SEP}${src}${SEP}${dst}${SEP}${r.protocol}${SEP}${r.port}${SEP}${r.verdict}`;
      const m = merged.get(k);
      if (!m) {
        merged.set(k, {
          hour: r.hour,
          src,
          dst,
          protocol: r.protocol,
          port: r.port,
          verdict: r.verdict,
          flows: r.flows,
          bytes: r.bytes,
          packets: r.packets,
          firstSeen: r.first,
          lastSeen: r.last,
        });
        continue;
      }
      m.flows += r.flows;
      m.bytes += r.bytes;
      m.packets += r.packets;
      m.firstSeen = Math.min(m.firstSeen, r.first);
      m.lastSeen = Math.max(m.lastSeen, r.last);
    }
    const flows = this.raw.map((p) => toRaw(p.flow, p.src.id!, p.dst.id!));
    const { http, dns } = this.l7.drain((id) => this.seenIds.add(id));
    this.endpoints = new Map();
    this.rows = new Map();
    this.raw = [];
    return { edges: [...merged.values()], flows, http, dns };
  }

  /** The workload records of every id that made a row (edge, dropped or DNS) so far, sorted by id. */
  workloads(): MapWorkload[] {
    const nets = new Map<string, string[]>();
    for (const [ip, id] of this.unresolved)
      if (id.startsWith("external:")) nets.set(id, [...(nets.get(id) ?? []), ip]);
    return [...this.seenIds].sort().map((id) => {
      if (!id.startsWith("external:")) return this.opts.resolver.workload(id) as MapWorkload;
      const name = id.slice("external:".length);
      return { id, kind: "external", name, labels: {}, addresses: (nets.get(id) ?? []).sort() };
    });
  }
}

function toRaw(f: Flow, src: string, dst: string): RawFlow {
  return {
    time: f.time ?? 0,
    src,
    dst,
    srcIp: f.src.ip ?? "",
    dstIp: f.dst.ip ?? "",
    srcPort: f.src.port ?? 0,
    dstPort: f.dst.port ?? 0,
    protocol: String(f.protocol),
    verdict: f.verdict,
    bytes: f.bytes ?? 0,
    packets: f.packets ?? 0,
    line: f.origin.line,
  };
}

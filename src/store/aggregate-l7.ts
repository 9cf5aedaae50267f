/**
 * The L7 rows of the hourly aggregator (pure): HTTP method/path templates per edge and DNS names
 * per client, held under the aggregator's provisional endpoint entries and turned into hourly
 * rows by resolved id when it drains (see aggregate.ts for when each is added).
 */
import { isSelfPeer } from "../graph/build.js";
import type { HourlyDns, HourlyHttp } from "./types.js";

/** An endpoint entry of the aggregator: a small number naming it, its id once resolved. */
export interface L7Endpoint {
  n: number;
  id?: string;
}

interface PendingHttp {
  hour: number;
  src: L7Endpoint;
  dst: L7Endpoint;
  method: string;
  path: string;
  flows: number;
}

interface PendingDns {
  hour: number;
  client: L7Endpoint;
  name: string;
  records: number;
}

const SEP = "\u0000";

/** A copy of a string that does not keep a longer text it was cut from alive (see aggregate.ts). */
function ownCopy(s: string): string {
  return ` ${s}`.slice(1);
}

/** Pending HTTP and DNS rows of one chunk (endpoint entries are per hour, so keys need no hour). */
export class PendingL7 {
  private http = new Map<string, PendingHttp>();
  private dns = new Map<string, PendingDns>();

  /** Rows waiting to be drained. */
  get size(): number {
    return this.http.size + this.dns.size;
  }

  /** One request of an edge with this method and path template. */
  addHttp(hour: number, src: L7Endpoint, dst: L7Endpoint, method: string, path: string): void {
    const k = `${src.n}${SEP}${dst.n}${SEP}${method}${SEP}${path}`;
    const h = this.http.get(k);
    if (h) h.flows++;
    else this.http.set(k, { hour, src, dst, method: ownCopy(method), path, flows: 1 });
  }

  /** One record carrying a DNS query of this client. */
  addDns(hour: number, client: L7Endpoint, name: string): void {
    const k = `${client.n}${SEP}${name}`;
    const d = this.dns.get(k);
    if (d) d.records++;
    else this.dns.set(k, { hour, client, name: ownCopy(name), records: 1 });
  }

  /**
   * The rows by resolved ids (every entry resolved), merged; HTTP rows of self-peer edges are
   * dropped with their edges. `onClient` is told every DNS client id. Forgets what it returns.
   */
  drain(onClient: (id: string) => void): { http: HourlyHttp[]; dns: HourlyDns[] } {
    const http = new Map<string, HourlyHttp>();
    for (const h of this.http.values()) {
      const src = h.src.id!;
      const dst = h.dst.id!;
      if (isSelfPeer(src, dst)) continue;
      const k = `${h.hour}${SEP}${src}${SEP}${dst}${SEP}${h.method}${SEP}${h.path}`;
      const m = http.get(k);
      if (m) m.flows += h.flows;
      else http.set(k, { hour: h.hour, src, dst, method: h.method, path: h.path, flows: h.flows });
    }
    const dns = new Map<string, HourlyDns>();
    for (const d of this.dns.values()) {
      const workload = d.client.id!;
      onClient(workload);
      const k = `${d.hour}${SEP}${workload}${SEP}${d.name}`;
      const m = dns.get(k);
      if (m) m.records += d.records;
      else dns.set(k, { hour: d.hour, workload, name: d.name, records: d.records });
    }
    this.http = new Map();
    this.dns = new Map();
    return { http: [...http.values()], dns: [...dns.values()] };
  }
}

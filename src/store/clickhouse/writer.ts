/**
 * A FileWriter for the ClickHouse store. ClickHouse has no multi-statement transactions, so a
 * file is made atomic by a batch id: every row this writer inserts (edges, HTTP and DNS rows,
 * workloads, raw flows) carries a fresh random batch id, and queries count only batches named by
 * a row of the `files` table. `commit` inserts that one row (a one-row insert is atomic) after every part succeeded, so
 * a failure or a killed process at any moment leaves rows that no query counts, and a re-run
 * writes the file again under a new batch id. See docs/semantics.md ("ClickHouse store").
 */
import { randomUUID } from "node:crypto";
import type { MapWorkload } from "../../model/map.js";
import { fail } from "../../model/problems.js";
import { crashPoint } from "../crash-hook.js";
import { HOUR_MS, validateDns, validateEdge, validateHttp, validateRawFlow } from "../rows.js";
import type { FileWriter, HourlyDns, HourlyEdge, HourlyHttp, IngestedFile, RawFlow } from "../types.js";
import type { TableName } from "./sql.js";

/** What a writer needs from its store. */
export interface WriterHost {
  /** Inserts JSONEachRow rows into a Distributed table (synchronously on every shard). */
  insert(table: TableName, rows: Record<string, unknown>[], action: string): Promise<void>;
  hasFile(hash: string): Promise<boolean>;
  /** A commit order number, increasing within the store. */
  nextSeq(): number;
  /** Called once when the writer commits or aborts. */
  release(): void;
}

/** The largest hour a ClickHouse DateTime holds (2106-02-07). */
const MAX_HOUR_MS = 4_294_967_295_000;

/** An hour as a ClickHouse DateTime (seconds), refused beyond its range. */
function dateTime(hour: number): number {
  if (hour > MAX_HOUR_MS - HOUR_MS)
    fail("usage", `store: hour ${hour} is beyond ClickHouse's DateTime range`);
  return hour / 1000;
}

function edgeRow(batch: string, e: HourlyEdge): Record<string, unknown> {
  validateEdge(e);
  return {
    batch,
    hour: dateTime(e.hour),
    src: e.src,
    dst: e.dst,
    protocol: e.protocol,
    port: e.port,
    verdict: e.verdict,
    flows: e.flows,
    bytes: e.bytes,
    packets: e.packets,
    first_seen: e.firstSeen,
    last_seen: e.lastSeen,
  };
}

function httpRow(batch: string, h: HourlyHttp): Record<string, unknown> {
  validateHttp(h);
  return {
    batch,
    hour: dateTime(h.hour),
    src: h.src,
    dst: h.dst,
    method: h.method,
    path: h.path,
    flows: h.flows,
  };
}

function dnsRow(batch: string, d: HourlyDns): Record<string, unknown> {
  validateDns(d);
  return { batch, hour: dateTime(d.hour), workload: d.workload, name: d.name, records: d.records };
}

function rawRow(batch: string, f: RawFlow): Record<string, unknown> {
  validateRawFlow(f);
  if (f.srcPort > 65535 || f.dstPort > 65535)
    fail("usage", `store: invalid raw flow row ${JSON.stringify(f)}`);
  return {
    batch,
    time: f.time,
    src: f.src,
    dst: f.dst,
    src_ip: f.srcIp,
    dst_ip: f.dstIp,
    src_port: f.srcPort,
    dst_port: f.dstPort,
    protocol: f.protocol,
    verdict: f.verdict,
    bytes: f.bytes,
    packets: f.packets,
    line: f.line,
  };
}

/** Starts a writer with a fresh batch id. */
export function createClickHouseWriter(host: WriterHost): FileWriter {
  const batch = randomUUID();
  let ord = 0;
  let open = true;
  const check = () => {
    if (!open) fail("usage", "store: this file writer is closed");
  };
  const end = () => {
    if (open) host.release();
    open = false;
  };
  return {
    async addEdges(edges: readonly HourlyEdge[]) {
      check();
      const rows = edges.map((e) => edgeRow(batch, e));
      if (rows.length) await host.insert("edges", rows, "write edges");
      crashPoint("rows", rows.length);
    },
    async addWorkloads(workloads: readonly MapWorkload[]) {
      check();
      const rows = workloads.map((w) => ({ batch, ord: ord++, id: w.id, record: JSON.stringify(w) }));
      if (rows.length) await host.insert("workloads", rows, "write workloads");
      crashPoint("rows", rows.length);
    },
    async addFlows(flows: readonly RawFlow[]) {
      check();
      const rows = flows.map((f) => rawRow(batch, f));
      if (rows.length) await host.insert("raw_flows", rows, "write raw flows");
      crashPoint("rows", rows.length);
    },
    async addHttp(http: readonly HourlyHttp[]) {
      check();
      const rows = http.map((h) => httpRow(batch, h));
      if (rows.length) await host.insert("edge_http", rows, "write HTTP rows");
      crashPoint("rows", rows.length);
    },
    async addDns(dns: readonly HourlyDns[]) {
      check();
      const rows = dns.map((d) => dnsRow(batch, d));
      if (rows.length) await host.insert("dns_names", rows, "write DNS rows");
      crashPoint("rows", rows.length);
    },
    async commit(file: IngestedFile) {
      check();
      try {
        if (await host.hasFile(file.hash)) fail("usage", `store: file ${file.path} was already ingested`);
        const row = {
          hash: file.hash,
          batch,
          seq: host.nextSeq(),
          path: file.path,
          format: file.format,
          records: file.records,
          ingested_at: file.ingestedAt,
          l7: 1,
        };
        crashPoint("before-commit");
        await host.insert("files", [row], "commit file");
      } finally {
        end();
      }
      crashPoint("after-commit");
    },
    async abort() {
      end();
    },
  };
}

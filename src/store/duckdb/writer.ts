/**
 * One file written into DuckDB: a transaction on its own connection; appenders write the rows
 * into it; commit adds the file row (primary key = content hash) and commits.
 */
import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import type { MapWorkload } from "../../model/map.js";
import { fail } from "../../model/problems.js";
import { crashPoint } from "../crash-hook.js";
import { validateDns, validateEdge, validateHttp, validateRawFlow } from "../rows.js";
import type { FileWriter, HourlyDns, HourlyEdge, HourlyHttp, IngestedFile, RawFlow } from "../types.js";

/** The placeholder hash workload rows carry until commit stamps them (they are merged in file order). */
const PENDING = "pending";

/** A FileWriter over one DuckDB transaction. */
export class DuckDbFileWriter implements FileWriter {
  private open = true;
  private workloadOrd = 0;

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly onEnd: () => void,
  ) {}

  /** Begins the transaction. */
  static async start(conn: DuckDBConnection, onEnd: () => void): Promise<DuckDbFileWriter> {
    await conn.run("BEGIN TRANSACTION");
    return new DuckDbFileWriter(conn, onEnd);
  }

  /** The connection (bulk loads run statements inside this transaction). */
  get connection(): DuckDBConnection {
    return this.conn;
  }

  private check(): void {
    if (!this.open) fail("usage", "store: this file writer is closed");
  }

  private async append(table: string, fill: (a: DuckDBAppender) => void): Promise<void> {
    const a = await this.conn.createAppender(table);
    try {
      fill(a);
      a.flushSync();
    } finally {
      a.closeSync();
    }
  }

  /** Appends hourly rows. */
  async addEdges(edges: readonly HourlyEdge[]): Promise<void> {
    this.check();
    for (const e of edges) validateEdge(e);
    await this.append("edges", (a) => {
      for (const e of edges) {
        a.appendBigInt(BigInt(e.hour));
        a.appendVarchar(e.src);
        a.appendVarchar(e.dst);
        a.appendVarchar(e.protocol);
        a.appendInteger(e.port);
        a.appendVarchar(e.verdict);
        a.appendBigInt(BigInt(e.flows));
        a.appendBigInt(BigInt(e.bytes));
        a.appendBigInt(BigInt(e.packets));
        a.appendBigInt(BigInt(e.firstSeen));
        a.appendBigInt(BigInt(e.lastSeen));
        a.endRow();
      }
    });
    crashPoint("rows", edges.length);
  }

  /** Appends workload records (merged at read time in ingest order). */
  async addWorkloads(workloads: readonly MapWorkload[]): Promise<void> {
    this.check();
    await this.append("workloads", (a) => {
      for (const w of workloads) {
        a.appendVarchar(PENDING);
        a.appendBigInt(BigInt(this.workloadOrd++));
        a.appendVarchar(w.id);
        a.appendVarchar(JSON.stringify(w));
        a.endRow();
      }
    });
    crashPoint("rows", workloads.length);
  }

  /** Appends raw flows. */
  async addFlows(flows: readonly RawFlow[]): Promise<void> {
    this.check();
    for (const f of flows) validateRawFlow(f);
    await this.append("flows", (a) => {
      for (const f of flows) {
        a.appendBigInt(BigInt(f.time));
        a.appendVarchar(f.src);
        a.appendVarchar(f.dst);
        a.appendVarchar(f.srcIp);
        a.appendVarchar(f.dstIp);
        a.appendInteger(f.srcPort);
        a.appendInteger(f.dstPort);
        a.appendVarchar(f.protocol);
        a.appendVarchar(f.verdict);
        a.appendBigInt(BigInt(f.bytes));
        a.appendBigInt(BigInt(f.packets));
        a.appendBigInt(BigInt(f.line));
        a.endRow();
      }
    });
    crashPoint("rows", flows.length);
  }

  /** Appends hourly HTTP rows. */
  async addHttp(rows: readonly HourlyHttp[]): Promise<void> {
    this.check();
    for (const h of rows) validateHttp(h);
    await this.append("edge_http", (a) => {
      for (const h of rows) {
        a.appendBigInt(BigInt(h.hour));
        a.appendVarchar(h.src);
        a.appendVarchar(h.dst);
        a.appendVarchar(h.method);
        a.appendVarchar(h.path);
        a.appendBigInt(BigInt(h.flows));
        a.endRow();
      }
    });
    crashPoint("rows", rows.length);
  }

  /** Appends hourly DNS rows. */
  async addDns(rows: readonly HourlyDns[]): Promise<void> {
    this.check();
    for (const d of rows) validateDns(d);
    await this.append("dns_names", (a) => {
      for (const d of rows) {
        a.appendBigInt(BigInt(d.hour));
        a.appendVarchar(d.workload);
        a.appendVarchar(d.name);
        a.appendBigInt(BigInt(d.records));
        a.endRow();
      }
    });
    crashPoint("rows", rows.length);
  }

  /** Stamps the rows with the file's hash, records the file (with its L7 rows) and commits. */
  async commit(file: IngestedFile): Promise<void> {
    this.check();
    try {
      const seen = await this.conn.runAndReadAll("SELECT 1 FROM files WHERE hash = $1", [file.hash]);
      if (seen.getRows().length > 0) fail("usage", `store: file ${file.path} was already ingested`);
      await this.conn.run(`UPDATE workloads SET file_hash = $1 WHERE file_hash = '${PENDING}'`, [file.hash]);
      await this.conn.run(
        `INSERT INTO files (hash, path, format, records, ingested_at, seq, l7)
         SELECT $1, $2, $3, $4::BIGINT, $5::BIGINT, coalesce(max(seq), 0) + 1, true FROM files`,
        [file.hash, file.path, file.format, file.records, file.ingestedAt],
      );
      crashPoint("before-commit");
      await this.conn.run("COMMIT");
      this.end();
      crashPoint("after-commit");
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  /** Rolls back (no-op when already ended). */
  async abort(): Promise<void> {
    if (!this.open) return;
    try {
      await this.conn.run("ROLLBACK");
    } catch {
      // the transaction may already be gone (failed commit)
    }
    this.end();
  }

  private end(): void {
    if (!this.open) return;
    this.open = false;
    this.conn.closeSync();
    this.onEnd();
  }
}

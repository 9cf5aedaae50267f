/**
 * The embedded DuckDB Store (`@duckdb/node-api`), default file `.microseg/flows.duckdb`.
 *
 * Atomic per file: a FileWriter owns one transaction on its own connection (appenders write
 * into it); `commit` inserts the file row (its hash is the primary key, so a second commit of the
 * same content fails) and commits. A process killed at any moment leaves either the whole file
 * or nothing (DuckDB's WAL replays committed transactions only). Reads use another connection
 * and never see a file that is being written.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { DuckDBConnection, DuckDBInstance as DuckDBInstanceType } from "@duckdb/node-api";
import { ensureDir } from "../../io/write.js";
import type { MapWorkload } from "../../model/map.js";
import { fail } from "../../model/problems.js";
import { mergeWorkloadRecords } from "../merge.js";
import { compareStoredDns, compareStoredHttp, HOUR_MS } from "../rows.js";
import type {
  FileBatch,
  FileWriter,
  IngestedFile,
  RawFlow,
  Store,
  StoredDns,
  StoredEdge,
  StoredHttp,
  TimeRange,
} from "../types.js";
import { writeBatch } from "../write-batch.js";
import { ensureDuckDbSchema } from "./schema.js";
import { DuckDbFileWriter } from "./writer.js";

type DuckDBInstance = DuckDBInstanceType;

/**
 * `@duckdb/node-api` is CommonJS: loaded with `require`, not `import`, it skips Node's ESM scan of
 * its fifty-odd files for named exports (half its load time, ~0.1 s of every store command).
 */
const { DuckDBInstance } = createRequire(import.meta.url)(
  "@duckdb/node-api",
) as typeof import("@duckdb/node-api");

/** The default database file, relative to the working directory. */
export const DEFAULT_DUCKDB_PATH = ".microseg/flows.duckdb";

/** Options for opening a DuckDB store. */
export interface DuckDbStoreOptions {
  /** The database file (`:memory:` for a private in-memory database). */
  path: string;
  /** DuckDB worker threads (default: DuckDB's own choice). */
  threads?: number;
  /**
   * DuckDB's memory limit (default {@link DEFAULT_DUCKDB_MEMORY_LIMIT}, or MICROSEG_DUCKDB_MEMORY):
   * aggregations and joins beyond it spill to `tempDirectory`, so ingest stays within about 1 GiB
   * of process memory whatever the input size.
   */
  memoryLimit?: string;
  /** Where DuckDB spills (default: `<path>.tmp` beside the database, e.g. `.microseg/flows.duckdb.tmp`). */
  tempDirectory?: string;
}

/** DuckDB's default memory limit here (the whole process aims at ≤ 1 GiB: Node and its heap need the rest). */
export const DEFAULT_DUCKDB_MEMORY_LIMIT = "512MB";

type Row = Record<string, unknown>;

function num(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : Number(v ?? 0);
}

function rangeSql(range: TimeRange = {}): { where: string; values: number[] } {
  const parts: string[] = [];
  const values: number[] = [];
  if (range.since !== undefined) {
    values.push(range.since);
    parts.push(`hour + ${HOUR_MS - 1} >= $${values.length}::BIGINT`);
  }
  if (range.until !== undefined) {
    values.push(range.until);
    parts.push(`hour < $${values.length}::BIGINT`);
  }
  return { where: parts.length ? `WHERE ${parts.join(" AND ")}` : "", values };
}

/** A Store in a DuckDB database file. */
export class DuckDbStore implements Store {
  readonly kind = "duckdb" as const;
  private writing = false;

  private constructor(
    /** The database file. */
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly reader: DuckDBConnection,
  ) {}

  /** Opens (creating when missing) the database and its schema. */
  static async open(opts: DuckDbStoreOptions): Promise<DuckDbStore> {
    if (opts.path !== ":memory:")
      await ensureDir(dirname(opts.path)).catch((e: Error) =>
        fail("output-unwritable", `cannot create the store's directory: ${e.message}`, { file: opts.path }),
      );
    let instance: DuckDBInstance;
    try {
      const config: Record<string, string> = {};
      if (opts.threads) config.threads = String(opts.threads);
      config.memory_limit =
        opts.memoryLimit ?? process.env.MICROSEG_DUCKDB_MEMORY ?? DEFAULT_DUCKDB_MEMORY_LIMIT;
      const temp = opts.tempDirectory ?? (opts.path === ":memory:" ? undefined : `${opts.path}.tmp`);
      if (temp) config.temp_directory = temp;
      // big aggregations spill to disk instead of failing (order is restored by ORDER BY where it matters)
      config.preserve_insertion_order = "false";
      instance = await DuckDBInstance.create(opts.path, config);
    } catch (e) {
      fail("file-unreadable", `cannot open the DuckDB store: ${(e as Error).message}`, { file: opts.path });
    }
    const reader = await instance.connect();
    try {
      await ensureDuckDbSchema(reader, opts.path);
    } catch (e) {
      reader.closeSync();
      instance.closeSync();
      throw e;
    }
    return new DuckDbStore(opts.path, instance, reader);
  }

  /** Runs a query on the read connection and returns plain rows. */
  async query(sql: string, values: (string | number)[] = []): Promise<Row[]> {
    const r = await this.reader.runAndReadAll(sql, values);
    return r.getRowObjects() as Row[];
  }

  /** A new connection (bulk ingest runs on its own connection and transaction). */
  async connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** True when the hash is recorded. */
  async hasFile(hash: string): Promise<boolean> {
    return (await this.query("SELECT 1 FROM files WHERE hash = $1", [hash])).length > 0;
  }

  /** Writes one whole file atomically. */
  async ingestFile(batch: FileBatch): Promise<void> {
    await writeBatch(this, batch);
  }

  /** Starts a file: one transaction on a connection of its own. */
  async beginFile(): Promise<FileWriter> {
    if (this.writing) fail("usage", "store: another file is being written");
    this.writing = true;
    try {
      const conn = await this.instance.connect();
      return await DuckDbFileWriter.start(conn, () => {
        this.writing = false;
      });
    } catch (e) {
      this.writing = false;
      throw e;
    }
  }

  /** Edges summed over the range. */
  async queryEdges(range?: TimeRange): Promise<StoredEdge[]> {
    const { where, values } = rangeSql(range);
    const rows = await this.query(
      `SELECT src, dst, protocol, port, verdict, sum(flows) AS flows, sum(bytes) AS bytes,
              sum(packets) AS packets, min(first_seen) AS first_seen, max(last_seen) AS last_seen
       FROM edges ${where} GROUP BY ALL ORDER BY src, dst, protocol, port, verdict`,
      values,
    );
    return rows.map((r) => ({
      src: String(r.src),
      dst: String(r.dst),
      protocol: String(r.protocol),
      port: num(r.port),
      verdict: String(r.verdict),
      flows: num(r.flows),
      bytes: num(r.bytes),
      packets: num(r.packets),
      firstSeen: num(r.first_seen),
      lastSeen: num(r.last_seen),
    }));
  }

  /** HTTP rows summed over the range. */
  async queryHttp(range?: TimeRange): Promise<StoredHttp[]> {
    const { where, values } = rangeSql(range);
    const rows = await this.query(
      `SELECT src, dst, method, path, sum(flows) AS flows FROM edge_http ${where} GROUP BY ALL`,
      values,
    );
    return rows
      .map((r) => ({
        src: String(r.src),
        dst: String(r.dst),
        method: String(r.method),
        path: String(r.path),
        flows: num(r.flows),
      }))
      .sort(compareStoredHttp);
  }

  /** DNS rows summed over the range. */
  async queryDns(range?: TimeRange): Promise<StoredDns[]> {
    const { where, values } = rangeSql(range);
    const rows = await this.query(
      `SELECT workload, name, sum(records) AS records FROM dns_names ${where} GROUP BY ALL`,
      values,
    );
    return rows
      .map((r) => ({ workload: String(r.workload), name: String(r.name), records: num(r.records) }))
      .sort(compareStoredDns);
  }

  /** Workload records merged in ingest order. */
  async workloads(): Promise<MapWorkload[]> {
    const rows = await this.query(
      `SELECT w.record FROM workloads w JOIN files f ON f.hash = w.file_hash ORDER BY f.seq, w.ord`,
    );
    return mergeWorkloadRecords(rows.map((r) => JSON.parse(String(r.record)) as MapWorkload));
  }

  /** The files, sorted by path then ingest time. */
  async files(): Promise<IngestedFile[]> {
    const rows = await this.query(
      "SELECT hash, path, format, records, ingested_at, l7 FROM files ORDER BY path, ingested_at, seq",
    );
    return rows.map((r) => {
      const f: IngestedFile = {
        hash: String(r.hash),
        path: String(r.path),
        format: String(r.format),
        records: num(r.records),
        ingestedAt: num(r.ingested_at),
      };
      if (r.l7 !== true) f.withoutL7 = true;
      return f;
    });
  }

  /** Raw flows in the range (exact flow times). */
  async rawFlows(range: TimeRange = {}): Promise<RawFlow[]> {
    const parts: string[] = [];
    const values: number[] = [];
    if (range.since !== undefined) parts.push(`time >= $${values.push(range.since)}::BIGINT`);
    if (range.until !== undefined) parts.push(`time < $${values.push(range.until)}::BIGINT`);
    const rows = await this.query(
      `SELECT * FROM flows ${parts.length ? `WHERE ${parts.join(" AND ")}` : ""} ORDER BY time, src, dst, line`,
      values,
    );
    return rows.map((r) => ({
      time: num(r.time),
      src: String(r.src),
      dst: String(r.dst),
      srcIp: String(r.src_ip),
      dstIp: String(r.dst_ip),
      srcPort: num(r.src_port),
      dstPort: num(r.dst_port),
      protocol: String(r.protocol),
      verdict: String(r.verdict),
      bytes: num(r.bytes),
      packets: num(r.packets),
      line: num(r.line),
    }));
  }

  /** Closes the database (checkpointing it). */
  async close(): Promise<void> {
    this.reader.closeSync();
    this.instance.closeSync();
  }
}

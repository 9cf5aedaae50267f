/**
 * The ClickHouse Store (scale-out): `clickhouse://host:port/db[?cluster=NAME&shards=…]` (spec.ts).
 *
 * Layout: on every shard, MergeTree tables `edges_local` (hourly aggregates), `edge_http_local`
 * and `dns_names_local` (hourly L7 rows), `workloads_local`, `files_local` and `raw_flows_local`;
 * over them, Distributed tables of the same names without `_local` on the cluster. A store made
 * before the L7 tables gets them on open, and `files.l7` (0 for its files so far: `withoutL7`). Reads go through the Distributed tables and aggregation
 * runs on the shards (`queryEdges` is one GROUP BY), so only edges come back. Inserts go through
 * the Distributed tables with `insert_distributed_sync = 1` (the insert returns once every shard
 * has its rows, or fails), and every query runs with `skip_unavailable_shards = 0`, checked on
 * open: a shard that is down fails the query, and the error names it (failures.ts).
 *
 * Atomicity and idempotency per file: see writer.ts (batch ids, the `files` row as the commit).
 * Talks to the server with `@clickhouse/client` over HTTP (checked against Debian's 18.16: DDL by
 * `command`, JSONEachRow `insert` and `query(...).json()`, per-request settings all work). What
 * does not: server-side query parameters (18.16 answers "Unknown setting param_…"), so sql.ts
 * escapes literals; `INSERT … SETTINGS` (a syntax error on 18.16), so settings travel as request
 * parameters; and the client's error parser does not read 18.16's message format, so
 * failures.ts reads codes and addresses from the message itself. No raw-HTTP fallback is needed.
 */
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { MapWorkload } from "../../model/map.js";
import { fail } from "../../model/problems.js";
import { mergeWorkloadRecords } from "../merge.js";
import { compareRawFlows, compareStoredDns, compareStoredEdges, compareStoredHttp } from "../rows.js";
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
import { explainFailure } from "./failures.js";
import { type ClickHouseSpec, parseClickHouseSpec } from "./spec.js";
import * as sql from "./sql.js";
import { createClickHouseWriter } from "./writer.js";

export { type ClickHouseSpec, isClickHouseSpec, parseClickHouseSpec } from "./spec.js";

type Row = Record<string, unknown>;

/** Settings sent with every request (see the module doc). */
const SETTINGS = { skip_unavailable_shards: 0, insert_distributed_sync: 1 } as const;

function num(v: unknown, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n))
    fail("data-missing", `ClickHouse store: ${what} ${String(v)} is not a safe integer`);
  return n;
}

function makeClient(url: string): ClickHouseClient {
  return createClient({
    url,
    clickhouse_settings: SETTINGS,
    log: { level: ClickHouseLogLevel.OFF },
    request_timeout: 300_000,
  });
}

/** A committed file with the batch and commit order that count for it. */
interface FileRow extends IngestedFile {
  batch: string;
  seq: number;
}

/** A Store in a ClickHouse cluster. Open with {@link openClickHouseStore}. */
export class ClickHouseStore implements Store {
  readonly kind = "clickhouse" as const;
  private writing = false;
  private lastSeq = 0;
  private readonly schema: sql.Schema;

  private constructor(
    /** Where the store lives. */
    readonly spec: ClickHouseSpec,
    private readonly client: ClickHouseClient,
  ) {
    this.schema = { database: spec.database, cluster: spec.cluster };
  }

  /** Connects, creates the schema where it can, and checks every shard has it. */
  static async open(spec: ClickHouseSpec): Promise<ClickHouseStore> {
    const store = new ClickHouseStore(spec, makeClient(spec.url));
    try {
      await store.setUp();
    } catch (e) {
      await store.client.close();
      throw e;
    }
    return store;
  }

  private async run<T>(action: string, work: () => Promise<T>, url = this.spec.url): Promise<T> {
    try {
      return await work();
    } catch (e) {
      return explainFailure(e, { client: this.client, schema: this.schema, url, action });
    }
  }

  private async select<T extends Row>(action: string, query: string): Promise<T[]> {
    return this.run(action, async () =>
      (await this.client.query({ query, format: "JSONEachRow" })).json<T>(),
    );
  }

  private async setUp(): Promise<void> {
    const urls = [this.spec.url, ...this.spec.shardUrls.filter((u) => u !== this.spec.url)];
    for (const url of urls) {
      const client = url === this.spec.url ? this.client : makeClient(url);
      try {
        await this.createSchema(client, url);
      } finally {
        if (client !== this.client) await client.close();
      }
    }
    const s = await this.effectiveSettings();
    if (s.skip !== "0" || s.sync !== "1")
      fail(
        "config-invalid",
        `ClickHouse store ${this.spec.url}: the server does not honour skip_unavailable_shards=0 and insert_distributed_sync=1`,
      );
    await this.select("reach every shard's tables", sql.probeTables(this.schema));
  }

  /** The settings as the server applies them to this client's requests (system.settings). */
  private async effectiveSettings(): Promise<{ skip: string; sync: string }> {
    const rows = await this.select<{ name: string; value: string }>(
      "check settings",
      "SELECT name, value FROM system.settings WHERE name IN ('skip_unavailable_shards', 'insert_distributed_sync')",
    );
    const get = (n: string) => rows.find((r) => r.name === n)?.value ?? "";
    return { skip: get("skip_unavailable_shards"), sync: get("insert_distributed_sync") };
  }

  private async createSchema(client: ClickHouseClient, url: string): Promise<void> {
    const statements = [
      sql.createDatabase(this.schema),
      ...sql.TABLE_NAMES.map((t) => sql.createLocalTable(this.schema, t)),
      ...sql.TABLE_NAMES.map((t) => sql.createDistributedTable(this.schema, t)),
    ];
    for (const query of statements) {
      await this.run("create the schema", () => client.command({ query }), url);
    }
    // a store made before the L7 tables: its files get `l7` (0 for every file so far)
    for (const table of ["files_local", "files"] as const) {
      const has = await this.run(
        "check the schema",
        async () =>
          (
            await (
              await client.query({ query: sql.hasColumn(this.schema, table, "l7"), format: "JSONEachRow" })
            ).json()
          ).length > 0,
        url,
      );
      if (!has)
        await this.run(
          "upgrade the schema",
          () => client.command({ query: sql.addFilesL7Column(this.schema, table) }),
          url,
        );
    }
  }

  /** Inserts rows into a Distributed table (every shard, synchronously). */
  private async insert(table: sql.TableName, values: Row[], action: string): Promise<void> {
    await this.run(action, () =>
      this.client.insert({ table: `${this.schema.database}.${table}`, values, format: "JSONEachRow" }),
    );
  }

  /** True when a file with this content hash was committed. */
  async hasFile(hash: string): Promise<boolean> {
    const [row] = await this.select<{ n: string }>("look up a file", sql.countFile(this.schema, hash));
    return Number(row?.n ?? 0) > 0;
  }

  /** Writes one whole file (see writer.ts for what "atomic" means here). */
  async ingestFile(batch: FileBatch): Promise<void> {
    await writeBatch(this, batch);
  }

  /** Starts a file under a fresh batch id; nothing is counted until commit. */
  async beginFile(): Promise<FileWriter> {
    if (this.writing) fail("usage", "store: another file is being written");
    this.writing = true;
    return createClickHouseWriter({
      insert: (table, rows, action) => this.insert(table, rows, action),
      hasFile: (hash) => this.hasFile(hash),
      nextSeq: () => {
        this.lastSeq = Math.max(Date.now(), this.lastSeq + 1);
        return this.lastSeq;
      },
      release: () => {
        this.writing = false;
      },
    });
  }

  /** Edges summed over the range by the shards (one GROUP BY over the Distributed table). */
  async queryEdges(range?: TimeRange): Promise<StoredEdge[]> {
    const rows = await this.select("query edges", sql.selectEdges(this.schema, range));
    return rows
      .map((r) => ({
        src: String(r.src),
        dst: String(r.dst),
        protocol: String(r.protocol),
        port: num(r.port, "port"),
        verdict: String(r.verdict),
        flows: num(r.total_flows, "flows"),
        bytes: num(r.total_bytes, "bytes"),
        packets: num(r.total_packets, "packets"),
        firstSeen: num(r.min_first_seen, "firstSeen"),
        lastSeen: num(r.max_last_seen, "lastSeen"),
      }))
      .sort(compareStoredEdges);
  }

  /** HTTP rows summed over the range by the shards. */
  async queryHttp(range?: TimeRange): Promise<StoredHttp[]> {
    const rows = await this.select("query HTTP rows", sql.selectHttp(this.schema, range));
    return rows
      .map((r) => ({
        src: String(r.src),
        dst: String(r.dst),
        method: String(r.method),
        path: String(r.path),
        flows: num(r.total_flows, "flows"),
      }))
      .sort(compareStoredHttp);
  }

  /** DNS rows summed over the range by the shards. */
  async queryDns(range?: TimeRange): Promise<StoredDns[]> {
    const rows = await this.select("query DNS rows", sql.selectDns(this.schema, range));
    return rows
      .map((r) => ({
        workload: String(r.workload),
        name: String(r.name),
        records: num(r.total_records, "records"),
      }))
      .sort(compareStoredDns);
  }

  private async fileRows(): Promise<FileRow[]> {
    const rows = await this.select("list files", sql.selectFiles(this.schema));
    return rows.map((r) => {
      const f: FileRow = {
        hash: String(r.hash),
        path: String(r.first_path),
        format: String(r.first_format),
        records: num(r.first_records, "records"),
        ingestedAt: num(r.first_ingested_at, "ingestedAt"),
        batch: String(r.first_batch),
        seq: num(r.first_seq, "seq"),
      };
      if (Number(r.first_l7) !== 1) f.withoutL7 = true;
      return f;
    });
  }

  /** Workload records of committed files, merged in commit order. */
  async workloads(): Promise<MapWorkload[]> {
    const seqOf = new Map((await this.fileRows()).map((f) => [f.batch, f.seq]));
    const rows = await this.select("read workloads", sql.selectWorkloads(this.schema));
    const ordered = rows
      .filter((r) => seqOf.has(String(r.batch)))
      .map((r) => ({ seq: seqOf.get(String(r.batch))!, ord: num(r.ord, "ord"), record: String(r.record) }))
      .sort((a, b) => a.seq - b.seq || a.ord - b.ord);
    return mergeWorkloadRecords(ordered.map((r) => JSON.parse(r.record) as MapWorkload));
  }

  /** The committed files, sorted by path then ingest time. */
  async files(): Promise<IngestedFile[]> {
    return (await this.fileRows())
      .map(({ batch: _b, seq: _s, ...f }) => f)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.ingestedAt - b.ingestedAt));
  }

  /** Raw flows of committed files in the range (exact, by flow time). */
  async rawFlows(range?: TimeRange): Promise<RawFlow[]> {
    const rows = await this.select("read raw flows", sql.selectRawFlows(this.schema, range));
    return rows
      .map((r) => ({
        time: num(r.time, "time"),
        src: String(r.src),
        dst: String(r.dst),
        srcIp: String(r.src_ip),
        dstIp: String(r.dst_ip),
        srcPort: num(r.src_port, "srcPort"),
        dstPort: num(r.dst_port, "dstPort"),
        protocol: String(r.protocol),
        verdict: String(r.verdict),
        bytes: num(r.bytes, "bytes"),
        packets: num(r.packets, "packets"),
        line: num(r.line, "line"),
      }))
      .sort(compareRawFlows);
  }

  /** Closes the HTTP connections. */
  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Opens (and sets up) the ClickHouse store a `clickhouse://…` spec names. */
export async function openClickHouseStore(spec: string | ClickHouseSpec): Promise<ClickHouseStore> {
  return ClickHouseStore.open(typeof spec === "string" ? parseClickHouseSpec(spec) : spec);
}

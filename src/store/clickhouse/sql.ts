/**
 * The SQL of the ClickHouse store. Every statement here was run against Debian's ClickHouse 18.16
 * and uses only syntax that current releases accept as well:
 * - `ENGINE = MergeTree() PARTITION BY … ORDER BY …` (custom partitioning, 18.x and later);
 * - `CREATE TABLE … AS local ENGINE = Distributed(cluster, db, local, key)`;
 * - no query parameters (`{name:Type}` arrived in 19.x): literals are escaped here;
 * - no `INSERT … SETTINGS` (not parsed by 18.16): settings go in the HTTP request;
 * - `GLOBAL IN` for the subquery over the Distributed files table (a plain IN over two
 *   Distributed tables is refused with distributed_product_mode = deny);
 * - no DateTime64, no Nullable, no LowCardinality, no `_shard_num`.
 */
import { HOUR_MS } from "../rows.js";
import type { TimeRange } from "../types.js";

/** A ClickHouse string literal (quotes and backslashes escaped). */
export function literal(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** An integer literal (rounded up; the callers compare integer columns against it). */
function intLiteral(n: number): string {
  return String(Math.ceil(n));
}

/**
 * `files.l7`: 1 for files ingested with their HTTP and DNS rows. Stores made before the L7 tables
 * get the column by {@link addFilesL7Column} (existing rows read the default, 0).
 */
const FILES_L7_COLUMN = "l7 UInt8 DEFAULT 0";

/** The local (per-shard) tables: name → column list, engine clauses, sharding key. */
const TABLES = {
  edges: {
    columns: `batch String, hour DateTime, src String, dst String, protocol String, port UInt16,
  verdict String, flows UInt64, bytes UInt64, packets UInt64, first_seen UInt64, last_seen UInt64`,
    engine:
      "MergeTree() PARTITION BY toYYYYMM(hour) ORDER BY (src, dst, protocol, port, verdict, hour, batch)",
    key: "sipHash64(src)",
  },
  workloads: {
    columns: "batch String, ord UInt32, id String, record String",
    engine: "MergeTree() ORDER BY (batch, ord)",
    key: "sipHash64(batch)",
  },
  edge_http: {
    columns: "batch String, hour DateTime, src String, dst String, method String, path String, flows UInt64",
    engine: "MergeTree() PARTITION BY toYYYYMM(hour) ORDER BY (src, dst, method, path, hour, batch)",
    key: "sipHash64(src)",
  },
  dns_names: {
    columns: "batch String, hour DateTime, workload String, name String, records UInt64",
    engine: "MergeTree() PARTITION BY toYYYYMM(hour) ORDER BY (workload, name, hour, batch)",
    key: "sipHash64(workload)",
  },
  files: {
    columns: `hash String, batch String, seq UInt64, path String, format String, records UInt64,
  ingested_at UInt64, ${FILES_L7_COLUMN}`,
    engine: "MergeTree() ORDER BY (hash, batch)",
    key: "sipHash64(hash)",
  },
  raw_flows: {
    columns: `batch String, time UInt64, src String, dst String, src_ip String, dst_ip String,
  src_port UInt16, dst_port UInt16, protocol String, verdict String, bytes UInt64, packets UInt64,
  line UInt64`,
    engine: "MergeTree() ORDER BY (time, src, dst, line)",
    key: "sipHash64(src)",
  },
} as const;

/** The tables of the store (each has `<name>_local` on every shard and `<name>` over them). */
export type TableName = keyof typeof TABLES;

/** The names of the store's tables. */
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

/** Statements building one database's schema for a named cluster. */
export interface Schema {
  database: string;
  cluster: string;
}

/** `CREATE DATABASE IF NOT EXISTS`. */
export function createDatabase(s: Schema): string {
  return `CREATE DATABASE IF NOT EXISTS ${s.database}`;
}

/** The per-shard MergeTree table. */
export function createLocalTable(s: Schema, t: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${s.database}.${t}_local (\n  ${TABLES[t].columns}\n) ENGINE = ${TABLES[t].engine}`;
}

/** The Distributed table over the cluster's local tables. */
export function createDistributedTable(s: Schema, t: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${s.database}.${t} AS ${s.database}.${t}_local ENGINE = Distributed(${s.cluster}, ${s.database}, ${t}_local, ${TABLES[t].key})`;
}

/** Whether a table of the database has a column (0 or 1 rows), on the server asked. */
export function hasColumn(s: Schema, table: string, column: string): string {
  return `SELECT name FROM system.columns WHERE database = ${literal(s.database)} AND table = ${literal(table)} AND name = ${literal(column)}`;
}

/** Adds `l7` to a `files` table made before it (`files_local` or the Distributed `files`). */
export function addFilesL7Column(s: Schema, table: "files" | "files_local"): string {
  return `ALTER TABLE ${s.database}.${table} ADD COLUMN ${FILES_L7_COLUMN}`;
}

/** The batch that counts for each committed file hash: the first one committed. */
function countedBatches(s: Schema): string {
  return `SELECT argMin(batch, seq) FROM ${s.database}.files GROUP BY hash`;
}

/** Hour-granular range condition on `hour` (a row counts when since <= hour + 1h - 1 and hour < until). */
function hourRange(range: TimeRange): string {
  const parts: string[] = [];
  if (range.since !== undefined)
    parts.push(`toInt64(toUInt32(hour)) * 1000 + ${HOUR_MS - 1} >= ${intLiteral(range.since)}`);
  if (range.until !== undefined) parts.push(`toInt64(toUInt32(hour)) * 1000 < ${intLiteral(range.until)}`);
  return parts.map((p) => ` AND ${p}`).join("");
}

/** Edges summed over the range, aggregated on the shards: only edges come back. */
export function selectEdges(s: Schema, range: TimeRange = {}): string {
  return `SELECT src, dst, protocol, port, verdict, sum(flows) AS total_flows, sum(bytes) AS total_bytes,
  sum(packets) AS total_packets, min(first_seen) AS min_first_seen, max(last_seen) AS max_last_seen
FROM ${s.database}.edges
WHERE batch GLOBAL IN (${countedBatches(s)})${hourRange(range)}
GROUP BY src, dst, protocol, port, verdict
ORDER BY src, dst, protocol, port, verdict`;
}

/** HTTP rows summed over the range by the shards (ordered by the caller). */
export function selectHttp(s: Schema, range: TimeRange = {}): string {
  return `SELECT src, dst, method, path, sum(flows) AS total_flows
FROM ${s.database}.edge_http
WHERE batch GLOBAL IN (${countedBatches(s)})${hourRange(range)}
GROUP BY src, dst, method, path`;
}

/** DNS rows summed over the range by the shards (ordered by the caller). */
export function selectDns(s: Schema, range: TimeRange = {}): string {
  return `SELECT workload, name, sum(records) AS total_records
FROM ${s.database}.dns_names
WHERE batch GLOBAL IN (${countedBatches(s)})${hourRange(range)}
GROUP BY workload, name`;
}

/**
 * One row per committed hash: the first commit's batch, order and file record. Aliases differ
 * from column names: ClickHouse resolves a name to an alias first, so `min(seq) AS seq` would
 * nest aggregates in `argMin(path, seq)`.
 */
export function selectFiles(s: Schema): string {
  return `SELECT hash, argMin(batch, seq) AS first_batch, min(seq) AS first_seq,
  argMin(path, seq) AS first_path, argMin(format, seq) AS first_format,
  argMin(records, seq) AS first_records, argMin(ingested_at, seq) AS first_ingested_at,
  argMin(l7, seq) AS first_l7
FROM ${s.database}.files
GROUP BY hash`;
}

/** Whether a hash was committed. */
export function countFile(s: Schema, hash: string): string {
  return `SELECT count() AS n FROM ${s.database}.files WHERE hash = ${literal(hash)}`;
}

/** Workload records of counted batches (ordered by the caller, which knows each batch's seq). */
export function selectWorkloads(s: Schema): string {
  return `SELECT batch, ord, record FROM ${s.database}.workloads WHERE batch GLOBAL IN (${countedBatches(s)})`;
}

/** Raw flows of counted batches in the range (exact, by flow time). */
export function selectRawFlows(s: Schema, range: TimeRange = {}): string {
  const cond: string[] = [];
  if (range.since !== undefined) cond.push(` AND time >= ${intLiteral(range.since)}`);
  if (range.until !== undefined) cond.push(` AND time < ${intLiteral(range.until)}`);
  return `SELECT time, src, dst, src_ip, dst_ip, src_port, dst_port, protocol, verdict, bytes, packets, line
FROM ${s.database}.raw_flows
WHERE batch GLOBAL IN (${countedBatches(s)})${cond.join("")}
ORDER BY time, src, dst, line`;
}

/** The shards of the cluster as the coordinator knows them. */
export function selectClusterShards(s: Schema): string {
  return `SELECT shard_num AS shard, host_address AS host, port FROM system.clusters WHERE cluster = ${literal(s.cluster)} ORDER BY shard_num`;
}

/** A query that succeeds only when the coordinator can reach the shard's native port. */
export function probeShard(host: string, port: number): string {
  return `SELECT count() AS n FROM remote(${literal(`${host}:${port}`)}, system.one)`;
}

/** A query that succeeds only when every shard has every local table (reads no rows). */
export function probeTables(s: Schema): string {
  return TABLE_NAMES.map((t) => `SELECT count() AS n FROM ${s.database}.${t} WHERE 0`).join(" UNION ALL ");
}

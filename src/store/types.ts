/**
 * The Store interface: where ingested flows are kept between commands. Implementations:
 * memory (tests, small inputs), DuckDB (embedded default, `.microseg/flows.duckdb`) and
 * ClickHouse (scale-out; aggregation pushed down as SQL, only edges come back).
 *
 * What is stored: hourly edge aggregates always (one row per hour × src × dst × protocol × port ×
 * verdict, with counts and first/last seen), hourly HTTP and DNS rows (L7), the workload records
 * seen, and optionally raw flows.
 * Ingest is idempotent per input file (its content hash is recorded) and atomic per file.
 *
 * Changes (keep this file the single source of truth for every implementation):
 * - Streaming writes: `beginFile()` returns a {@link FileWriter}; parts are added in any number of
 *   calls (bounded memory) and become visible together on `commit` (one transaction per file).
 *   `ingestFile(batch)` stays as the one-call form (begin, add everything, commit).
 * - `FileBatch.flows` / `FileWriter.addFlows`: raw flows, kept only with `--keep-raw`.
 * - The same edge key may be written several times (several chunks, several files): rows are
 *   summed by `queryEdges` (flows, bytes, packets) with min/max of first/last seen.
 * - Workload records of the same id merge with `mergeStoredWorkloads` (src/store/merge.ts): every
 *   store returns the same merge for the same files (newer ingests win on scalar fields and label
 *   values; address/port/service lists are unioned and sorted).
 * - Time ranges select hourly rows: a row counts when `since <= hour + 1h - 1` and `hour < until`
 *   (a range cuts at hour granularity; see docs/semantics.md).
 * - L7 facts (store schema 2): hourly HTTP rows (method and path template per edge, the edge's
 *   `http` in a map) and hourly DNS rows (names a workload looked up, the map's `dns`), written
 *   with `addHttp`/`addDns` and summed over a range by `queryHttp`/`queryDns` under the same
 *   hour rule as edges. Files ingested before a store kept them are marked `withoutL7`.
 */
import type { MapWorkload } from "../model/map.js";

/** One hourly aggregate row. Times are epoch milliseconds (UTC). */
export interface HourlyEdge {
  /** Start of the hour. */
  hour: number;
  src: string;
  dst: string;
  protocol: string;
  /** 0 when the protocol has no port. */
  port: number;
  /** forwarded | dropped | audit */
  verdict: string;
  flows: number;
  bytes: number;
  packets: number;
  firstSeen: number;
  lastSeen: number;
}

/**
 * One hourly HTTP row: requests of an edge (forwarded or audit, the records that make edge rows)
 * with this method and path template (src/graph/http-template.ts).
 */
export interface HourlyHttp {
  /** Start of the hour. */
  hour: number;
  src: string;
  dst: string;
  method: string;
  /** The path template (`/details/{id}`), as `discover` puts it in a map. */
  path: string;
  /** Requests with this method and template in the hour. */
  flows: number;
}

/**
 * One hourly DNS row: a workload looked a name up (records of any verdict or direction that carry
 * the query; the client is the request's source, a reply's destination).
 */
export interface HourlyDns {
  /** Start of the hour. */
  hour: number;
  workload: string;
  name: string;
  /** Records that carried the name in the hour. */
  records: number;
}

/** An input file as the store records it. */
export interface IngestedFile {
  /** The file's content hash: `xxh128:<hex>`, or bare hex SHA-256 in stores begun before XXH3. */
  hash: string;
  path: string;
  format: string;
  records: number;
  /** Epoch ms when it was ingested. */
  ingestedAt: number;
  /**
   * Set by `files()` on files ingested before the store kept HTTP and DNS rows (store schema 1):
   * maps from the store have no L7 facts of theirs. Never set on input to `commit`.
   */
  withoutL7?: true;
}

/** A time window for queries (epoch ms; open ends allowed). */
export interface TimeRange {
  since?: number;
  until?: number;
}

/** One edge aggregated over a time range (what `discover --store` turns into map edges). */
export interface StoredEdge {
  src: string;
  dst: string;
  protocol: string;
  port: number;
  verdict: string;
  flows: number;
  bytes: number;
  packets: number;
  firstSeen: number;
  lastSeen: number;
}

/** HTTP rows of an edge aggregated over a time range (one per src, dst, method, path). */
export interface StoredHttp {
  src: string;
  dst: string;
  method: string;
  path: string;
  flows: number;
}

/** DNS rows aggregated over a time range (one per workload and name). */
export interface StoredDns {
  workload: string;
  name: string;
  records: number;
}

/** One raw flow record as stored with `--keep-raw` (resolved ids beside the addresses). */
export interface RawFlow {
  /** Epoch ms; 0 when the source gave no time. */
  time: number;
  src: string;
  dst: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  protocol: string;
  /** forwarded | dropped | audit | unknown */
  verdict: string;
  bytes: number;
  packets: number;
  /** The record's source line (1-based) in the file. */
  line: number;
}

/** Everything ingested from one file, written atomically. */
export interface FileBatch {
  file: IngestedFile;
  edges: HourlyEdge[];
  workloads: MapWorkload[];
  /** Raw flows (only with `--keep-raw`). */
  flows?: RawFlow[];
  /** Hourly HTTP rows. */
  http?: HourlyHttp[];
  /** Hourly DNS rows. */
  dns?: HourlyDns[];
}

/**
 * One file being written. Parts may be added in any number of calls; nothing is visible to
 * queries (nor does `hasFile` say true) until `commit`. Any failure leaves the store as before.
 */
export interface FileWriter {
  addEdges(edges: readonly HourlyEdge[]): Promise<void>;
  addWorkloads(workloads: readonly MapWorkload[]): Promise<void>;
  addFlows(flows: readonly RawFlow[]): Promise<void>;
  /** Adds hourly HTTP rows (the same key written several times is summed by `queryHttp`). */
  addHttp(rows: readonly HourlyHttp[]): Promise<void>;
  /** Adds hourly DNS rows (summed by `queryDns`). */
  addDns(rows: readonly HourlyDns[]): Promise<void>;
  /**
   * Records the file (its hash marks it ingested) and makes everything visible at once. Fails,
   * writing nothing, when the hash is already recorded ("already ingested").
   */
  commit(file: IngestedFile): Promise<void>;
  /** Discards everything this writer wrote (safe to call after a failed commit). */
  abort(): Promise<void>;
}

/** A place to keep flows. */
export interface Store {
  readonly kind: "memory" | "duckdb" | "clickhouse";
  /** True when a file with this content hash was ingested before. */
  hasFile(hash: string): Promise<boolean>;
  /** Writes one file's aggregates atomically: all of it, or (on any failure) none of it. */
  ingestFile(batch: FileBatch): Promise<void>;
  /** Starts writing one file in parts (see FileWriter); one file at a time per store. */
  beginFile(): Promise<FileWriter>;
  /** Edges aggregated over the range (summed across hours), sorted by src, dst, protocol, port, verdict. */
  queryEdges(range?: TimeRange): Promise<StoredEdge[]>;
  /** HTTP rows summed over the range, sorted by src, dst, path, method (a map's `http` order). */
  queryHttp(range?: TimeRange): Promise<StoredHttp[]>;
  /** DNS rows summed over the range, sorted by workload, name. */
  queryDns(range?: TimeRange): Promise<StoredDns[]>;
  /** The workload records seen, merged, sorted by id. */
  workloads(): Promise<MapWorkload[]>;
  /** The files ingested, sorted by path. */
  files(): Promise<IngestedFile[]>;
  /** Raw flows kept with `--keep-raw` in the range, sorted by time, src, dst. */
  rawFlows(range?: TimeRange): Promise<RawFlow[]>;
  close(): Promise<void>;
}

/**
 * The Store interface: where ingested flows are kept between commands. Implementations:
 * memory (tests, small inputs), DuckDB (embedded default, `.microseg/flows.duckdb`) and
 * ClickHouse (scale-out; aggregation pushed down as SQL, only edges come back).
 *
 * What is stored: hourly edge aggregates always (one row per hour × src × dst × protocol × port ×
 * verdict, with counts and first/last seen), the workload records seen, and optionally raw flows.
 * Ingest is idempotent per input file (its content hash is recorded) and atomic per file.
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

/** An input file as the store records it. */
export interface IngestedFile {
  /** SHA-256 of the file's content (hex). */
  hash: string;
  path: string;
  format: string;
  records: number;
  /** Epoch ms when it was ingested. */
  ingestedAt: number;
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

/** Everything ingested from one file, written atomically. */
export interface FileBatch {
  file: IngestedFile;
  edges: HourlyEdge[];
  workloads: MapWorkload[];
}

/** A place to keep flows. */
export interface Store {
  readonly kind: "memory" | "duckdb" | "clickhouse";
  /** True when a file with this content hash was ingested before. */
  hasFile(hash: string): Promise<boolean>;
  /** Writes one file's aggregates atomically: all of it, or (on any failure) none of it. */
  ingestFile(batch: FileBatch): Promise<void>;
  /** Edges aggregated over the range (summed across hours). */
  queryEdges(range?: TimeRange): Promise<StoredEdge[]>;
  /** The workload records seen, merged, sorted by id. */
  workloads(): Promise<MapWorkload[]>;
  /** The files ingested, sorted by path. */
  files(): Promise<IngestedFile[]>;
  close(): Promise<void>;
}

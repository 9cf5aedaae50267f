/**
 * The DuckDB schema of the embedded store. Times are epoch milliseconds (BIGINT, UTC).
 * `edges` may hold several rows per key (chunks, files): queries sum them.
 */

/** The schema version this code writes (kept in `meta`). */
export const DUCKDB_SCHEMA_VERSION = 1;

/** Statements that create the schema (idempotent). */
export const DUCKDB_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS files (
     hash VARCHAR PRIMARY KEY, path VARCHAR NOT NULL, format VARCHAR NOT NULL,
     records BIGINT NOT NULL, ingested_at BIGINT NOT NULL, seq BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS edges (
     hour BIGINT NOT NULL, src VARCHAR NOT NULL, dst VARCHAR NOT NULL,
     protocol VARCHAR NOT NULL, port INTEGER NOT NULL, verdict VARCHAR NOT NULL,
     flows BIGINT NOT NULL, bytes BIGINT NOT NULL, packets BIGINT NOT NULL,
     first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS workloads (file_hash VARCHAR NOT NULL, ord BIGINT NOT NULL, id VARCHAR NOT NULL, record VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS flows (
     time BIGINT NOT NULL, src VARCHAR NOT NULL, dst VARCHAR NOT NULL,
     src_ip VARCHAR NOT NULL, dst_ip VARCHAR NOT NULL, src_port INTEGER NOT NULL, dst_port INTEGER NOT NULL,
     protocol VARCHAR NOT NULL, verdict VARCHAR NOT NULL, bytes BIGINT NOT NULL, packets BIGINT NOT NULL,
     line BIGINT NOT NULL)`,
  `INSERT INTO meta VALUES ('schemaVersion', '${DUCKDB_SCHEMA_VERSION}') ON CONFLICT DO NOTHING`,
];

/**
 * The DuckDB schema of the embedded store. Times are epoch milliseconds (BIGINT, UTC).
 * `edges`, `edge_http` and `dns_names` may hold several rows per key (chunks, files): queries sum them.
 *
 * Versions (kept in `meta` under `schemaVersion`):
 * - 1: edges, workloads, files, raw flows.
 * - 2: adds the L7 rows (`edge_http`: method and path template per edge and hour; `dns_names`:
 *   names a workload looked up per hour) and `files.l7`, true for files ingested with them.
 *   A version-1 store is migrated on open (one transaction): its files get `l7 = false`, so
 *   `discover --store` can say which files have no L7 facts; a store newer than this code is
 *   refused with a clear error.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { fail } from "../../model/problems.js";

/** The schema version this code writes (kept in `meta`). */
export const DUCKDB_SCHEMA_VERSION = 2;

const META = `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`;

/** The L7 tables (version 2). */
const L7_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS edge_http (
     hour BIGINT NOT NULL, src VARCHAR NOT NULL, dst VARCHAR NOT NULL,
     method VARCHAR NOT NULL, path VARCHAR NOT NULL, flows BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS dns_names (
     hour BIGINT NOT NULL, workload VARCHAR NOT NULL, name VARCHAR NOT NULL, records BIGINT NOT NULL)`,
];

/** Statements that create the current schema (idempotent). */
export const DUCKDB_SCHEMA: readonly string[] = [
  META,
  `CREATE TABLE IF NOT EXISTS files (
     hash VARCHAR PRIMARY KEY, path VARCHAR NOT NULL, format VARCHAR NOT NULL,
     records BIGINT NOT NULL, ingested_at BIGINT NOT NULL, seq BIGINT NOT NULL,
     l7 BOOLEAN NOT NULL DEFAULT false)`,
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
  ...L7_TABLES,
  `INSERT INTO meta VALUES ('schemaVersion', '${DUCKDB_SCHEMA_VERSION}') ON CONFLICT DO NOTHING`,
];

/** Version 1 → 2: the L7 tables, and `files.l7` (false for every file ingested so far). */
const MIGRATE_1_TO_2: readonly string[] = [
  `ALTER TABLE files ADD COLUMN l7 BOOLEAN DEFAULT false`,
  ...L7_TABLES,
  `UPDATE meta SET value = '2' WHERE key = 'schemaVersion'`,
];

/**
 * Creates the schema of a new store, migrates an older one, or refuses a newer one
 * (`file-unreadable`, naming the file and both versions).
 */
export async function ensureDuckDbSchema(conn: DuckDBConnection, file: string): Promise<void> {
  await conn.run(META);
  const rows = (
    await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'schemaVersion'`)
  ).getRowObjects();
  const found = rows.length ? String(rows[0].value) : undefined;
  if (found === undefined || found === String(DUCKDB_SCHEMA_VERSION)) {
    for (const sql of DUCKDB_SCHEMA) await conn.run(sql);
    return;
  }
  if (found === "1") {
    await conn.run("BEGIN TRANSACTION");
    try {
      for (const sql of MIGRATE_1_TO_2) await conn.run(sql);
      await conn.run("COMMIT");
    } catch (e) {
      await conn.run("ROLLBACK").catch(() => undefined);
      fail("file-unreadable", `cannot upgrade the store from schema 1 to 2: ${(e as Error).message}`, {
        file,
      });
    }
    return;
  }
  fail(
    "file-unreadable",
    `the store has schema version ${found}; this microseg reads versions 1 to ${DUCKDB_SCHEMA_VERSION} (use the microseg that wrote it, or a newer one)`,
    { file },
  );
}

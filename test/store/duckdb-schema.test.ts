/**
 * DuckDB store schema versions: a store written by the version before L7 rows (schema 1, built
 * here with its DDL) is upgraded on open, keeps its files and edges, marks those files
 * `withoutL7` (and `discover --store` says so), and takes new files with their L7 rows; a store
 * from a newer microseg is refused with a located error (exit 2), not misread.
 */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { DuckDbStore } from "../../src/store/duckdb/index.js";
import { problemLines, run, scratchDirs } from "../cli/run.js";
import { corpusPath } from "../helpers/corpus.js";
import { dnsRow, edgeRow, fileRecord, httpRow } from "./contract.js";

const scratch = scratchDirs("duckdb-schema");
const T0 = Date.UTC(2024, 2, 1);

/** The schema-1 tables (as microseg created them before the L7 rows). */
const SCHEMA_1 = [
  `CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE files (hash VARCHAR PRIMARY KEY, path VARCHAR NOT NULL, format VARCHAR NOT NULL,
     records BIGINT NOT NULL, ingested_at BIGINT NOT NULL, seq BIGINT NOT NULL)`,
  `CREATE TABLE edges (hour BIGINT NOT NULL, src VARCHAR NOT NULL, dst VARCHAR NOT NULL,
     protocol VARCHAR NOT NULL, port INTEGER NOT NULL, verdict VARCHAR NOT NULL,
     flows BIGINT NOT NULL, bytes BIGINT NOT NULL, packets BIGINT NOT NULL,
     first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL)`,
  `CREATE TABLE workloads (file_hash VARCHAR NOT NULL, ord BIGINT NOT NULL, id VARCHAR NOT NULL, record VARCHAR NOT NULL)`,
  `CREATE TABLE flows (time BIGINT NOT NULL, src VARCHAR NOT NULL, dst VARCHAR NOT NULL,
     src_ip VARCHAR NOT NULL, dst_ip VARCHAR NOT NULL, src_port INTEGER NOT NULL, dst_port INTEGER NOT NULL,
     protocol VARCHAR NOT NULL, verdict VARCHAR NOT NULL, bytes BIGINT NOT NULL, packets BIGINT NOT NULL,
     line BIGINT NOT NULL)`,
];

/** A schema-1 store holding one file with one edge; `version` overrides the recorded version. */
async function oldStore(version = "1"): Promise<string> {
  const path = join(scratch(), "old.duckdb");
  const db = await DuckDBInstance.create(path);
  const c = await db.connect();
  for (const sql of SCHEMA_1) await c.run(sql);
  await c.run(`INSERT INTO meta VALUES ('schemaVersion', '${version}')`);
  await c.run(`INSERT INTO files VALUES ('h-old', 'old.log', 'hubble', 3, ${T0}, 1)`);
  await c.run(
    `INSERT INTO edges VALUES (${T0}, 'shop/web', 'shop/db', 'TCP', 5432, 'forwarded', 3, 30, 6, ${T0 + 1}, ${T0 + 9})`,
  );
  c.closeSync();
  db.closeSync();
  return path;
}

describe("DuckDB store schema versions", () => {
  it("upgrades a schema-1 store on open: old files are withoutL7, new files carry HTTP and DNS rows", async () => {
    const path = await oldStore();
    const s = await DuckDbStore.open({ path, threads: 1 });
    try {
      expect(await s.query("SELECT value FROM meta WHERE key = 'schemaVersion'")).toEqual([{ value: "2" }]);
      expect(await s.files()).toEqual([
        { ...fileRecord("h-old", "old.log", 3), format: "hubble", withoutL7: true },
      ]);
      expect((await s.queryEdges()).map((e) => [e.src, e.dst, e.flows])).toEqual([
        ["shop/web", "shop/db", 3],
      ]);
      expect(await s.queryHttp()).toEqual([]);
      await s.ingestFile({
        file: fileRecord("h-new", "new.log"),
        edges: [edgeRow({ hour: T0 })],
        workloads: [],
        http: [httpRow({ hour: T0, dst: "shop/db" })],
        dns: [dnsRow({ hour: T0 })],
      });
      expect((await s.files()).map((f) => [f.path, f.withoutL7])).toEqual([
        ["new.log", undefined],
        ["old.log", true],
      ]);
      expect((await s.queryHttp()).map((h) => h.path)).toEqual(["/items/{id}"]);
      expect((await s.queryDns()).map((d) => d.name)).toEqual(["api.shop.svc.cluster.local"]);
    } finally {
      await s.close();
    }
    // a second open finds schema 2 and changes nothing
    const again = await DuckDbStore.open({ path, threads: 1 });
    try {
      expect((await again.files()).map((f) => f.withoutL7)).toEqual([undefined, true]);
    } finally {
      await again.close();
    }
  });

  it("discover --store names the files that have no L7 facts", async () => {
    const path = await oldStore();
    const r = await run(["discover", "--store", path, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(problemLines(r.stderr)).toEqual([
      `microseg: ${path}: warning[data-missing]: 1 file was ingested before the store kept HTTP and DNS facts (old.log): the map has no HTTP templates or DNS names from it; ingest it into a new store to get them`,
    ]);
    expect(JSON.parse(r.stdout).edges).toHaveLength(1);
    // once every file is from this version, no note
    const fresh = join(scratch(), "new.duckdb");
    const flows = corpusPath("flows", "hubble", "hubble-otel-basic-sample-10-flows.jsonl");
    expect((await run(["ingest", "--flows", flows, "--store", fresh])).code).toBe(0);
    const r2 = await run(["discover", "--store", fresh, "-o", "json"]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).not.toContain("HTTP and DNS facts");
  });

  it("refuses a store from a newer microseg with a located error, leaving it as it was", async () => {
    const path = await oldStore("7");
    const r = await run(["discover", "--store", path, "-o", "json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(problemLines(r.stderr)).toEqual([
      `microseg: ${path}: error[file-unreadable]: the store has schema version 7; this microseg reads versions 1 to 2 (use the microseg that wrote it, or a newer one)`,
    ]);
    const db = await DuckDBInstance.create(path);
    const c = await db.connect();
    const tables = (await c.runAndReadAll("SELECT table_name FROM duckdb_tables() ORDER BY 1")).getRows();
    c.closeSync();
    db.closeSync();
    expect(tables.flat()).toEqual(["edges", "files", "flows", "meta", "workloads"]);
  });
});

/**
 * Crash safety of the DuckDB store: a real `microseg ingest` child kills itself (SIGKILL) at an
 * exact point (src/store/crash-hook.ts) of the streaming path and of the bulk VPC path; the store
 * then holds exactly the files committed before the kill, L7 rows included, and a re-run equals a
 * clean run (./crash-support.ts). Inputs are generated VPC logs and Hubble files with HTTP and DNS
 * records (./crash-inputs.ts). The same cases run against ClickHouse in clickhouse-crash.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { DuckDbStore } from "../../src/store/duckdb/index.js";
import { l7Inputs, vpcInputs } from "./crash-inputs.js";
import {
  afterCommitOfFile1,
  afterCommitOfFile2,
  allRowsOfFile2,
  beforeCommitOfFile2,
  type CrashBackend,
  crashCases,
  midRowsOfFile2,
} from "./crash-support.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-crash-"));
let vpc: string[] = [];
let l7: string[] = [];

/** Every table a file writes rows into (the `files` row is the commit, not a written row). */
const ROW_TABLES = ["edges", "edge_http", "dns_names", "workloads", "flows"];

const duckdb: CrashBackend = {
  fresh: (label) => join(dir, `${label}-${Math.random().toString(36).slice(2, 8)}.duckdb`),
  rawRows: async (path) => {
    const s = await DuckDbStore.open({ path, threads: 1 });
    try {
      const counts = ROW_TABLES.map((t) => `(SELECT count(*) FROM ${t})`).join(" + ");
      const [r] = await s.query(`SELECT ${counts} AS n`);
      return Number(r.n);
    } finally {
      await s.close();
    }
  },
  keepsOrphans: false,
};

describe("DuckDB ingest killed at a named point", () => {
  beforeAll(async () => {
    vpc = await vpcInputs.write(dir);
    l7 = await l7Inputs.write(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe("streaming path", () => {
    crashCases({
      backend: () => duckdb,
      inputs: vpcInputs,
      files: () => vpc,
      args: ["--no-bulk", "--chunk-rows", "200"],
      via: "stream",
      cases: [midRowsOfFile2, beforeCommitOfFile2, afterCommitOfFile1],
    });
  });

  describe("bulk VPC path (commits through the DuckDB file writer)", () => {
    crashCases({
      backend: () => duckdb,
      inputs: vpcInputs,
      files: () => vpc,
      args: [],
      via: "bulk",
      cases: [beforeCommitOfFile2, afterCommitOfFile1, afterCommitOfFile2],
    });
  });

  // L7 formats have no bulk path. The streaming path writes a file's rows whenever --chunk-rows
  // of them are pending (here every 5), so the 2nd file goes out in many parts and the mid-rows
  // kill falls between two writes of its rows, before its commit
  describe("streaming path, Hubble files with HTTP and DNS rows", () => {
    crashCases({
      backend: () => duckdb,
      inputs: l7Inputs,
      files: () => l7,
      args: ["--chunk-rows", "5"],
      via: "stream",
      cases: [midRowsOfFile2, allRowsOfFile2, beforeCommitOfFile2, afterCommitOfFile1],
    });
  });
});

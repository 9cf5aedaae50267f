/**
 * Crash safety of the DuckDB store: a real `microseg ingest` child kills itself (SIGKILL) at an
 * exact point (src/store/crash-hook.ts) of the streaming path (small chunks, so the 2nd file is
 * written in many parts) and of the bulk VPC path; the store then holds exactly the files
 * committed before the kill, and a re-run equals a clean run (./crash-support.ts). The same
 * cases run against ClickHouse in clickhouse-crash.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { DuckDbStore } from "../../src/store/duckdb/index.js";
import {
  afterCommitOfFile1,
  afterCommitOfFile2,
  beforeCommitOfFile2,
  type CrashBackend,
  crashCases,
  generateInputs,
  midRowsOfFile2,
} from "./crash-support.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-crash-"));
let files: string[] = [];

const duckdb: CrashBackend = {
  fresh: (label) => join(dir, `${label}-${Math.random().toString(36).slice(2, 8)}.duckdb`),
  rawRows: async (path) => {
    const s = await DuckDbStore.open({ path, threads: 1 });
    try {
      const [r] = await s.query(
        "SELECT (SELECT count(*) FROM edges) + (SELECT count(*) FROM workloads) + (SELECT count(*) FROM flows) AS n",
      );
      return Number(r.n);
    } finally {
      await s.close();
    }
  },
  keepsOrphans: false,
};

describe("DuckDB ingest killed at a named point", () => {
  beforeAll(async () => {
    files = await generateInputs(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe("streaming path", () => {
    crashCases({
      backend: () => duckdb,
      inputs: () => files,
      args: ["--no-bulk", "--chunk-rows", "200"],
      via: "stream",
      cases: [midRowsOfFile2, beforeCommitOfFile2, afterCommitOfFile1],
    });
  });

  describe("bulk VPC path (commits through the DuckDB file writer)", () => {
    crashCases({
      backend: () => duckdb,
      inputs: () => files,
      args: [],
      via: "bulk",
      cases: [beforeCommitOfFile2, afterCommitOfFile1, afterCommitOfFile2],
    });
  });
});

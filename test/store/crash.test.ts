/**
 * Crash safety: a real child process ingesting large generated files is killed (SIGKILL) at
 * several random moments, then re-run to completion; the store must hold exactly what a clean
 * run stores (no file lost, none counted twice). Both ingest paths: streaming (small chunks, so
 * a file's transaction gets many appends) and DuckDB's bulk read.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generateVpc, prng } from "../../bench/ingest/generate.js";
import { DuckDbStore } from "../../src/store/duckdb/index.js";
import type { StoredEdge } from "../../src/store/types.js";
import { repoRoot } from "../helpers/corpus.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-crash-"));
const flows = join(dir, "flows");

function ingestChild(
  store: string,
  extra: string[],
): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null }> } {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repoRoot(), "src/cli/bin.ts"),
      "ingest",
      "--flows",
      flows,
      "--store",
      store,
      ...extra,
    ],
    { cwd: repoRoot(), stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr?.on("data", (d) => {
    err += String(d);
  });
  const done = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      if (code !== 0 && signal === null) process.stderr.write(err);
      resolve({ code, signal });
    }),
  );
  return { child, done };
}

async function storeState(path: string): Promise<{ edges: StoredEdge[]; files: number }> {
  const s = await DuckDbStore.open({ path, threads: 1 });
  try {
    return { edges: await s.queryEdges(), files: (await s.files()).length };
  } finally {
    await s.close();
  }
}

const modes: { name: string; args: string[] }[] = [
  { name: "streaming", args: ["--no-bulk", "--chunk-rows", "2000"] },
  { name: "bulk", args: [] },
];

describe("ingest survives SIGKILL at any moment", () => {
  beforeAll(async () => {
    mkdirSync(flows);
    for (let i = 0; i < 3; i++) await generateVpc(join(flows, `vpc-${i}.log`), 40_000, 11 + i);
  }, 60_000);

  for (const mode of modes) {
    it(`${mode.name}: killed and re-run equals a clean run`, async () => {
      const cleanDb = join(dir, `clean-${mode.name}.duckdb`);
      const t0 = Date.now();
      expect((await ingestChild(cleanDb, mode.args).done).code).toBe(0);
      const cleanMs = Date.now() - t0;
      const clean = await storeState(cleanDb);
      expect(clean.files).toBe(3);
      expect(clean.edges.reduce((n, e) => n + e.flows, 0)).toBeGreaterThan(70_000);

      const db = join(dir, `crash-${mode.name}.duckdb`);
      const rand = prng(mode.name.length * 7919);
      const filesAfterKill: number[] = [];
      // four kills at random moments; up to four more (earlier) if the machine ran faster than the clean run
      for (let k = 0; k < 8 && (k < 4 || !filesAfterKill.some((n) => n < 3)); k++) {
        const run = ingestChild(db, mode.args);
        const span = k < 4 ? 0.1 + 0.8 * rand() : 0.05 + 0.3 * rand();
        const timer = setTimeout(() => run.child.kill("SIGKILL"), Math.round(cleanMs * span));
        const r = await run.done;
        clearTimeout(timer);
        if (r.signal === "SIGKILL") filesAfterKill.push((await storeState(db)).files);
      }
      // at least one kill landed mid-run, before every file was in
      expect(filesAfterKill.some((n) => n < 3)).toBe(true);
      expect((await ingestChild(db, mode.args).done).code).toBe(0);
      const after = await storeState(db);
      expect(after.files).toBe(3);
      expect(after.edges).toEqual(clean.edges);
      // a further run skips every file and changes nothing
      expect((await ingestChild(db, mode.args).done).code).toBe(0);
      expect((await storeState(db)).edges).toEqual(clean.edges);
    }, 180_000);
  }
});

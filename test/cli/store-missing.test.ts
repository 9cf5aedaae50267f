/**
 * A reading command never creates a store: a typo'd `discover --store` is bad input (exit 2,
 * "no store at PATH"), and the file stays absent. `ingest` creates the store; a store path the
 * system refuses is a located exit-2 error there, not a hang or a stack trace.
 */
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpusPath } from "../helpers/corpus.js";
import { problemLines, run, scratchDirs } from "./run.js";

const scratch = scratchDirs("store-missing");
const TEN = corpusPath("flows", "hubble", "hubble-otel-basic-sample-10-flows.jsonl");

describe("discover --store with no store there", () => {
  for (const spec of ["PATH", "duckdb:PATH"]) {
    it(`${spec}: exit 2 "no store at PATH (run microseg ingest first)", nothing created`, async () => {
      const path = join(scratch(), "nonexist.duckdb");
      const r = await run(["discover", "--store", spec.replace("PATH", path)]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(problemLines(r.stderr)).toEqual([
        `microseg: ${path}: error[data-missing]: no store at ${path} (run microseg ingest first)`,
      ]);
      expect(existsSync(path)).toBe(false);
    });
  }

  it("after ingest created it, the same --store reads the flows (exit 0, edges in the map)", async () => {
    const path = join(scratch(), "flows.duckdb");
    const ing = await run(["ingest", "--flows", TEN, "--store", path]);
    expect(ing.code).toBe(0);
    expect(existsSync(path)).toBe(true);
    const r = await run(["discover", "--store", path, "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).edges.length).toBeGreaterThan(0);
  });
});

describe("ingest --store the system refuses", () => {
  it("under /proc: exit 2 output-unwritable naming the store", async () => {
    const path = "/proc/microseg-no-such-dir/flows.duckdb";
    const r = await run(["ingest", "--flows", TEN, "--store", path]);
    expect(r.code).toBe(2);
    const errors = problemLines(r.stderr).filter((l) => l.includes("error["));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^microseg: ${path}: error\\[output-unwritable\\]: `));
  });
});

/** An inventory broken on its last line (an unclosed flow sequence). */
const BROKEN_INVENTORY = "workloads:\n  - name: a\n    addresses: [10.0.0.1\n";

/** `ingest` of the ten Hubble flows with an inventory, into a store. */
const ingestWith = (inventory: string, store: string) =>
  run(["ingest", "--flows", TEN, "--inventory", inventory, "--store", store]);

describe("ingest with a bad inventory", () => {
  it("exit 2 at the inventory's line, and no store, spill or directory left where none was", async () => {
    const dir = scratch();
    const inv = join(dir, "inventory.yaml");
    writeFileSync(inv, BROKEN_INVENTORY);
    const path = join(dir, "new", "deeper", "flows.duckdb");
    const r = await ingestWith(inv, path);
    expect(r.code).toBe(2);
    expect(problemLines(r.stderr).find((l) => l.includes("error["))).toMatch(
      new RegExp(`^microseg: ${inv}:\\d+`),
    );
    expect(readdirSync(dir)).toEqual(["inventory.yaml"]);
    // an existing directory is kept (only what this run made goes)
    const kept = join(dir, "kept");
    mkdirSync(kept);
    const again = await ingestWith(inv, join(kept, "flows.duckdb"));
    expect(again.code).toBe(2);
    expect(readdirSync(kept)).toEqual([]);
  });
});

describe("ingest with a bad inventory, beside other runs", () => {
  it("a dangling symlink where the store's directory would go is left alone", async () => {
    const dir = scratch();
    const inv = join(dir, "inventory.yaml");
    writeFileSync(inv, BROKEN_INVENTORY);
    symlinkSync(join(dir, "not-yet"), join(dir, "link"));
    const r = await ingestWith(inv, join(dir, "link", "flows.duckdb"));
    expect(r.code).toBe(2);
    expect(lstatSync(join(dir, "link")).isSymbolicLink()).toBe(true);
  });

  it("a file another run put into the new directory while the inventory was read is kept", async () => {
    const dir = scratch();
    // the inventory comes through a named pipe, so the test decides when the read ends: after the
    // store's directory exists and "another run" has written into it
    const fifo = join(dir, "inventory.yaml");
    execFileSync("mkfifo", [fifo]);
    const storeDir = join(dir, "out", "stores");
    const running = ingestWith(fifo, join(storeDir, "a.duckdb"));
    for (let i = 0; i < 400 && !existsSync(storeDir); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(storeDir)).toBe(true);
    writeFileSync(join(storeDir, "b.duckdb"), "another run's store");
    writeFileSync(fifo, BROKEN_INVENTORY);
    const r = await running;
    expect(r.code).toBe(2);
    expect(readdirSync(storeDir)).toEqual(["b.duckdb"]);
  });
});

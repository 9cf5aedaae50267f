/**
 * A reading command never creates a store: a typo'd `discover --store` is bad input (exit 2,
 * "no store at PATH"), and the file stays absent. `ingest` creates the store; a store path the
 * system refuses is a located exit-2 error there, not a hang or a stack trace.
 */
import { existsSync } from "node:fs";
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

/**
 * L7 facts through a store: `ingest` then `discover --store` gives the same edges (with their
 * HTTP method/path templates) and DNS names as `discover --flows` over the same files, on real
 * captures with L7 records (Hubble HTTP and DNS, Istio/Envoy access logs), also when the files
 * are written in many small chunks and when `--since`/`--until` select part of the store; and
 * `generate` from either map writes the same Cilium policies, HTTP rules included.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CommunicationMap } from "../../src/model/map.js";
import { run, scratchDirs } from "../cli/run.js";
import { corpusPath } from "../helpers/corpus.js";

const scratch = scratchDirs("store-l7");

function corpusFiles(dir: string, ext: string): string[] {
  const d = corpusPath("flows", dir);
  return readdirSync(d)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => join(d, f));
}

const flowArgs = (files: readonly string[]) => files.flatMap((f) => ["--flows", f]);

async function discover(args: string[]): Promise<CommunicationMap> {
  const r = await run(["discover", ...args, "-o", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as CommunicationMap;
}

/** Ingests the files into a new DuckDB store (small chunks: every file is written in many parts). */
async function ingested(files: readonly string[]): Promise<string> {
  const store = join(scratch(), "flows.duckdb");
  const r = await run(["ingest", ...flowArgs(files), "--store", store, "--chunk-rows", "7"]);
  expect(r.code, r.stderr).toBe(0);
  return store;
}

/** The L7 parts of a map, as JSON text (so key order and array order count too). */
function l7View(m: CommunicationMap): { edges: string; dns: string } {
  return { edges: JSON.stringify(m.edges), dns: JSON.stringify(m.dns ?? []) };
}

describe("L7 facts through the store", () => {
  const hubble = corpusFiles("hubble", ".jsonl");

  it("Hubble captures: the store's map has the in-memory map's edges with HTTP templates, and its DNS names", async () => {
    const memory = await discover(flowArgs(hubble));
    const withHttp = memory.edges.filter((e) => e.http?.length);
    expect(withHttp.length).toBeGreaterThan(5);
    expect(memory.edges).toContainEqual(
      expect.objectContaining({
        src: "bookinfo/productpage-v1",
        dst: "bookinfo/details-v1",
        http: [{ method: "GET", path: "/details/{id}" }],
      }),
    );
    expect(memory.dns?.length).toBeGreaterThan(1);
    const fromStore = await discover(["--store", await ingested(hubble)]);
    expect(l7View(fromStore)).toEqual(l7View(memory));
  });

  it("Istio/Envoy access logs: the same HTTP templates per edge from the store as in memory", async () => {
    const envoy = corpusFiles("istio-envoy", ".log");
    const memory = await discover(flowArgs(envoy));
    expect(memory.edges.filter((e) => e.http?.length).length).toBeGreaterThan(5);
    expect(memory.edges.flatMap((e) => e.http ?? [])).toContainEqual({
      method: "GET",
      path: "/reviews/{id}",
    });
    const fromStore = await discover(["--store", await ingested(envoy)]);
    expect(l7View(fromStore)).toEqual(l7View(memory));
  });

  it("--since/--until select L7 rows by hour as edges: a window equals the map of the files inside it", async () => {
    // the 400-* captures are from 2021-11-10; the others from 2021-06, 2021-10 and 2023
    const november = hubble.filter((f) => f.includes("-400-"));
    expect(november.length).toBeGreaterThan(2);
    const memory = await discover(flowArgs(november));
    expect(memory.edges.some((e) => e.http?.length)).toBe(true);
    expect(memory.dns?.length).toBeGreaterThan(0);
    const store = await ingested(hubble);
    const window = ["--since", "2021-11-01T00:00:00Z", "--until", "2022-01-01T00:00:00Z"];
    const fromStore = await discover(["--store", store, ...window]);
    expect(l7View(fromStore)).toEqual(l7View(memory));
    // and outside it, none of those HTTP templates or names
    const before = await discover(["--store", store, "--until", "2021-11-01T00:00:00Z"]);
    const beforeHttp = before.edges.flatMap((e) => (e.http ?? []).map((h) => `${e.src} ${e.dst} ${h.path}`));
    expect(beforeHttp.length).toBeGreaterThan(0); // the 2021-10 HTTP capture
    expect(beforeHttp).not.toContain("bookinfo/productpage-v1 bookinfo/details-v1 /details/{id}");
    expect(before.dns?.map((d) => d.workload)).not.toContain("bookinfo/ratings-v1");
  });

  it("generate --target cilium writes the same policies, HTTP rules included, from either map", async () => {
    const dir = scratch();
    const maps = {
      memory: await discover(flowArgs(hubble)),
      store: await discover(["--store", await ingested(hubble)]),
    };
    const out: Record<string, string> = {};
    for (const [name, map] of Object.entries(maps)) {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(map));
      const r = await run(["generate", "--map", file, "--target", "cilium"]);
      expect(r.code, r.stderr).toBe(0);
      out[name] = r.stdout;
    }
    expect(out.store).toMatch(/^\s+http:\n\s+- method: GET\n\s+path: \/details\/\[\^\/\]\+$/m);
    expect(out.store).toBe(out.memory);
  });
});

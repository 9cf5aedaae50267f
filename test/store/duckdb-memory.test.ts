/**
 * DuckDB's memory settings: a memory limit below the machine's RAM and a spill directory beside the
 * database (so large ingests spill instead of failing), and a bulk VPC load of high-cardinality
 * records (nearly one hourly group per record, generated) under a limit far below what the load
 * would take in memory: it spills and gives the same store as the streaming path.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generateVpc } from "../../bench/ingest/generate.js";
import { DEFAULT_DUCKDB_MEMORY_LIMIT, DuckDbStore } from "../../src/store/duckdb/index.js";
import { ingestFiles } from "../../src/store/ingest/pipeline.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-duckdb-mem-"));

async function setting(store: DuckDbStore, name: string): Promise<string> {
  const r = await store.query(`SELECT current_setting('${name}') AS v`);
  return String(r[0].v);
}

describe("DuckDB memory settings", () => {
  it("limits memory and spills beside the database file", async () => {
    const path = join(dir, "a", "flows.duckdb");
    const store = await DuckDbStore.open({ path });
    try {
      expect(DEFAULT_DUCKDB_MEMORY_LIMIT).toBe("512MB");
      // DuckDB reports the limit in its own units (488.2 MiB for 512MB)
      expect(await setting(store, "memory_limit")).toMatch(/^48\d\.\d MiB$/);
      expect(await setting(store, "temp_directory")).toBe(`${path}.tmp`);
      expect(await setting(store, "preserve_insertion_order")).toBe("false");
    } finally {
      await store.close();
    }
  });

  describe("high-cardinality bulk load under a small limit", () => {
    const flows = join(dir, "indep.log");
    beforeAll(async () => {
      await generateVpc(flows, 150_000, 5, "independent");
    }, 60_000);

    async function load(bulk: boolean, memoryLimit?: string) {
      const store = await DuckDbStore.open({ path: join(dir, `hc-${bulk}.duckdb`), memoryLimit, threads: 2 });
      try {
        const summary = await ingestFiles({ store, flows: [flows], bulk });
        return { summary, edges: await store.queryEdges() };
      } finally {
        await store.close();
      }
    }

    it("spills instead of failing and agrees with the streaming path", async () => {
      const bulk = await load(true, "64MB");
      const stream = await load(false);
      expect(bulk.summary.files[0].via).toBe("bulk");
      expect(bulk.edges.length).toBeGreaterThan(80_000);
      expect(bulk.edges).toEqual(stream.edges);
    }, 120_000);
  });
});

/**
 * The DuckDB bulk path (read_csv + SQL) and the streaming parser give the same store on the real
 * AWS VPC samples (../shared/corpus/flows/aws-vpc: default v2, custom v3/v5/v7/v8 layouts).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DuckDbStore } from "../../src/store/duckdb/index.js";
import { ingestFiles } from "../../src/store/ingest/pipeline.js";
import { corpusPath } from "../helpers/corpus.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-bulk-"));

async function ingest(bulk: boolean) {
  const store = await DuckDbStore.open({ path: join(dir, `${bulk}.duckdb`), threads: 1 });
  try {
    const summary = await ingestFiles({ store, flows: [corpusPath("flows", "aws-vpc")], bulk });
    return { summary, edges: await store.queryEdges(), workloads: await store.workloads() };
  } finally {
    await store.close();
  }
}

describe("bulk VPC ingest agrees with the streaming parser", () => {
  it("same hourly edges, workloads and record roles on the corpus samples", async () => {
    const stream = await ingest(false);
    const bulk = await ingest(true);
    expect(bulk.summary.files.every((f) => f.via === "bulk")).toBe(true);
    expect(stream.summary.files.every((f) => f.via === "stream")).toBe(true);
    expect(stream.edges.length).toBeGreaterThan(100);
    expect(bulk.edges).toEqual(stream.edges);
    expect(bulk.workloads).toEqual(stream.workloads);
    const roles = (s: typeof stream.summary) => [
      s.counts.edgeRecords,
      s.counts.droppedRecords,
      s.counts.noPort,
      s.counts.otherVerdict,
    ];
    expect(roles(bulk.summary)).toEqual(roles(stream.summary));
    expect(bulk.summary.unresolvedAddresses).toBe(stream.summary.unresolvedAddresses);
  });
});

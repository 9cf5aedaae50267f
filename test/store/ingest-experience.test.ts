/**
 * Ingest experience: the progress bar (only on a terminal), chunked writes (bounded memory: many
 * small drains give the same store as one), raw flows with keepRaw, strict mode leaves nothing.
 */
import { describe, expect, it } from "vitest";
import { createProgressBar, progressLine } from "../../src/cli/commands/ingest-progress.js";
import { ingestFiles } from "../../src/store/ingest/pipeline.js";
import { MemoryStore } from "../../src/store/memory/index.js";
import { corpusPath } from "../helpers/corpus.js";

const vpcDir = corpusPath("flows", "aws-vpc");

/** An in-memory store that counts the writes of edge rows (how many parts a file went in). */
class CountingStore extends MemoryStore {
  edgeWrites = 0;
  override async beginFile() {
    const w = await super.beginFile();
    const add = w.addEdges.bind(w);
    w.addEdges = async (rows) => {
      this.edgeWrites++;
      return add(rows);
    };
    return w;
  }
}

describe("ingest experience", () => {
  it("draws the bar only on a terminal, with bytes, records/s and ETA", () => {
    const p = { bytesDone: 250e6, bytesTotal: 1e9, records: 2_500_000, file: "f" };
    expect(progressLine(p, 5000)).toBe(
      "[######..................]  25% 250 MB/1.0 GB 500000 rec/s 50 MB/s ETA 0:15",
    );
    const quiet: string[] = [];
    const bar = createProgressBar({ isTty: false, write: (s) => quiet.push(s) });
    bar.update(p);
    bar.done();
    expect(quiet).toEqual([]);
    const shown: string[] = [];
    let now = 0;
    const tty = createProgressBar({ isTty: true, write: (s) => shown.push(s), now: () => now });
    now = 1000;
    tty.update(p);
    tty.update(p); // throttled
    tty.done();
    expect(shown).toHaveLength(2);
    expect(shown[0]).toContain("25%");
  });

  it("small chunks (bounded memory) store the same edges as one big chunk", async () => {
    const one = new CountingStore();
    const many = new CountingStore();
    await ingestFiles({ store: one, flows: [vpcDir] });
    const s = await ingestFiles({ store: many, flows: [vpcDir], chunkRows: 3 });
    expect(s.counts.records).toBeGreaterThan(300);
    expect(await many.queryEdges()).toEqual(await one.queryEdges());
    // the corpus files are far under one read batch: the rows still go out 3 at a time
    const edges = (await many.queryEdges()).length;
    expect(many.edgeWrites).toBeGreaterThanOrEqual(Math.ceil(edges / 3));
    expect(one.edgeWrites).toBeLessThan(many.edgeWrites / 4);
  });

  it("keeps raw flows with keepRaw; reports the first skipped lines with their locations", async () => {
    const store = new MemoryStore();
    const s = await ingestFiles({ store, flows: [vpcDir], keepRaw: true });
    expect((await store.rawFlows()).length).toBe(s.counts.records);
    expect(s.ignoredLines).toBeGreaterThan(0);
    expect(s.firstSkipped[0]).toMatchObject({
      file: expect.stringContaining("aws-vpc"),
      line: expect.any(Number),
    });
  });

  it("strict: a malformed line fails its file and writes nothing of it", async () => {
    const store = new MemoryStore();
    await expect(
      ingestFiles({
        store,
        flows: [corpusPath("flows", "aws-vpc", "elastic-integrations-v7-ecs-fields.log")],
        strict: true,
      }),
    ).rejects.toThrow(/fields/);
    expect(await store.files()).toEqual([]);
  });
});

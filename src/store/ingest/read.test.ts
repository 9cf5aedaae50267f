/**
 * Content hashes of ingested files: XXH3-128 for new stores, SHA-256 kept for stores that began
 * with it (so a re-run still recognises their files), and the same answer whatever the read size.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OVERLONG_LINE } from "../../io/line-reader.js";
import { MemoryStore } from "../memory/index.js";
import { HashPrefetch } from "./hash-worker.js";
import { ingestFiles } from "./pipeline.js";
import { HASH_READ_BYTES, hashFile, readFileLines, storeHashAlgorithm, XXH128_PREFIX } from "./read.js";
import { createXxh128, defaultXxh128Implementation } from "./xxh128.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-hash-"));
const VPC =
  "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" +
  "2 123456789012 eni-1 10.0.0.1 10.0.0.2 40000 443 6 10 840 1700000000 1700000060 ACCEPT OK\n";

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe("content hash", () => {
  it("is xxh128:<32 hex digits>, equal for equal bytes and different for one changed byte", async () => {
    // bigger than the 4 MiB read buffer, so the hash spans several reads
    const big = Buffer.alloc(9 * 1024 * 1024 + 7, 0x61);
    const a = await hashFile(file("a", big));
    expect(a).toMatch(/^xxh128:[0-9a-f]{32}$/);
    expect(await hashFile(file("a-copy", Buffer.from(big)))).toBe(a);
    big[5 * 1024 * 1024] = 0x62;
    expect(await hashFile(file("a-changed", big))).not.toBe(a);
    // known XXH3-128 value of the empty input (from the XXH3 specification's test vectors)
    expect(await hashFile(file("empty", ""))).toBe(`${XXH128_PREFIX}99aa06d3014798d86001c324468d497f`);
  });

  it("the worker computes the same hashes ahead; a missing file rejects with its name", async () => {
    const big = file("w-big", Buffer.alloc(6 * 1024 * 1024 + 3, 0x7a));
    const small = file("w-small", VPC);
    const missing = join(dir, "no-such-file");
    const pre = new HashPrefetch([big, small, missing, small]);
    try {
      expect(await pre.get(big)).toBe(await hashFile(big));
      expect(await pre.get(small)).toBe(await hashFile(small));
      await expect(pre.get(missing)).rejects.toThrow(/no-such-file/);
      expect(pre.get(join(dir, "never-given"))).toBeUndefined();
    } finally {
      await pre.close();
    }
  });

  it("the native addon and hash-wasm give the same XXH3-128 for every length class, whole or in pieces", async () => {
    // XXH3 has separate code paths for 0, 1-3, 4-8, 9-16, 17-128, 129-240 bytes and longer inputs
    // (stripes of 64 bytes, blocks of 1 KiB), and the streaming form buffers partial stripes
    // the fast path is really taken where the addon ships a prebuilt binary (CI: linux x64 glibc)
    if (process.platform === "linux" && process.arch === "x64")
      expect(defaultXxh128Implementation()).toBe("native");
    const sizes = [0, 1, 3, 4, 8, 9, 16, 17, 128, 129, 240, 241, 1023, 1024, 1025, 65_536, 300_001];
    const data = Buffer.alloc(300_001);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    for (const n of sizes) {
      const bytes = data.subarray(0, n);
      const digests: string[] = [];
      for (const impl of ["native", "wasm"] as const) {
        const whole = await createXxh128(impl);
        whole.update(bytes);
        digests.push(whole.hex());
        const pieces = await createXxh128(impl);
        for (let at = 0; at < n; at += 7919) pieces.update(bytes.subarray(at, Math.min(n, at + 7919)));
        digests.push(pieces.hex());
      }
      expect(new Set(digests).size, `length ${n}`).toBe(1);
      expect(digests[0]).toMatch(/^[0-9a-f]{32}$/);
    }
    const big = file("impl-big", data);
    expect(await hashFile(big, "xxh128", "native")).toBe(await hashFile(big, "xxh128", "wasm"));
    expect(HASH_READ_BYTES).toBeLessThan(data.length); // the file spans several reads
    const h = await createXxh128();
    expect(() => h.update("text" as unknown as Buffer)).toThrow(/Buffer/);
  });

  it("the worker gives the same hashes with either implementation", async () => {
    const big = file("w2-big", Buffer.alloc(3 * 1024 * 1024 + 11, 0x5a));
    for (const native of [true, false]) {
      const pre = new HashPrefetch([big], { native });
      try {
        expect(await pre.get(big)).toBe(await hashFile(big, "xxh128", "wasm"));
        expect(pre.implementation).toBe(native ? defaultXxh128Implementation() : "wasm");
      } finally {
        await pre.close();
      }
    }
  });

  it("is the hex SHA-256 of the bytes for stores that began with SHA-256", async () => {
    const p = file("s", VPC);
    expect(await hashFile(p, "sha256")).toBe(createHash("sha256").update(VPC).digest("hex"));
  });

  it("keeps a store on the algorithm its rows were made with", () => {
    expect(storeHashAlgorithm([])).toBe("xxh128");
    expect(storeHashAlgorithm([`${XXH128_PREFIX}00`])).toBe("xxh128");
    expect(storeHashAlgorithm([`${XXH128_PREFIX}00`, "ab".repeat(32)])).toBe("sha256");
  });

  it("a store holding a SHA-256 row still skips that file on a re-run", async () => {
    const p = file("flows.log", VPC);
    const store = new MemoryStore();
    const w = await store.beginFile();
    await w.commit({
      hash: createHash("sha256").update(VPC).digest("hex"),
      path: p,
      format: "aws-vpc",
      records: 1,
      ingestedAt: 0,
    });
    const s = await ingestFiles({ store, flows: [p] });
    expect(s.files.map((f) => f.status)).toEqual(["skipped"]);
    expect(s.counts.records).toBe(0);
    const fresh = new MemoryStore();
    const first = await ingestFiles({ store: fresh, flows: [p] });
    expect(first.files[0]).toMatchObject({ status: "ingested", hash: expect.stringMatching(/^xxh128:/) });
    expect((await ingestFiles({ store: fresh, flows: [p] })).files[0].status).toBe("skipped");
  });
});

describe("line reading holds no line over the cap", () => {
  const collect = async (p: string, max?: number) => {
    const out: { first: number; lines: string[] }[] = [];
    for await (const b of readFileLines(p, { bytes: 0 }, max)) out.push(b);
    return out.flatMap((b) => b.lines.map((l, i) => [b.first + i, l === OVERLONG_LINE ? "OVERLONG" : l]));
  };

  it("an over-long line, within a chunk or across several, comes out as one marker at its number", async () => {
    const big = "y".repeat(3 * 1024 * 1024 + 5); // spans several 1 MiB reads
    const p = file("long-lines.txt", `a\r\n${"z".repeat(20)}\nb\n${big}\nc\n${big}`);
    expect(await collect(p, 10)).toEqual([
      [1, "a"],
      [2, "OVERLONG"],
      [3, "b"],
      [4, "OVERLONG"],
      [5, "c"],
      [6, "OVERLONG"],
    ]);
    // the default cap (1 MiB) keeps the short line
    expect((await collect(p)).map(([, l]) => (typeof l === "string" ? l.length : l))).toEqual([
      1, 20, 1, 8, 1, 8,
    ]);
  });

  it("ingest skips it as a malformed line at its number and keeps the records around it", async () => {
    const line = VPC.split("\n")[1];
    const p = file("vpc-long.log", `${VPC}${"9".repeat(2 * 1024 * 1024)}\n${line}\n`);
    const s = await ingestFiles({ store: new MemoryStore(), flows: [p] });
    expect(s.counts.records).toBe(2);
    expect(s.malformedLines).toBe(1);
    expect(s.firstSkipped[0]).toMatchObject({
      line: 3,
      reason: expect.stringMatching(/^line longer than 1 MiB/),
    });
  });
});

/**
 * Fast line reading for ingest: big chunks, one indexOf loop, the compressed bytes read so far
 * (progress), and the content hash of a file. Memory is one chunk plus one partial line.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { DEFAULT_MAX_LINE, decodeUtf8, type OVERLONG_LINE, splitLineBatches } from "../../io/line-reader.js";
import { createXxh128, type Xxh128Implementation } from "./xxh128.js";

const CHUNK = 1 << 20;

/**
 * How a file's identity is hashed. `xxh128` (XXH3, 128 bits, written `xxh128:<hex>`) for new
 * stores: the hash only tells a file already ingested from a new one, and natively (./xxh128.ts)
 * it costs a few hundredths of a second per GB beside the read itself, where SHA-256 was a quarter
 * of the bulk ingest's time (and hash-wasm's XXH3 still a tenth). Bare hex is SHA-256:
 * a store that already holds such rows keeps using it, so its files are still recognised on a
 * re-run. (CDE evidence keeps SHA-256: it is a tamper-evidence digest, not a lookup key.)
 */
export type ContentHashAlgorithm = "xxh128" | "sha256";

/** The prefix of XXH3-128 hash values. */
export const XXH128_PREFIX = "xxh128:";

/** The algorithm of a store whose files rows hold these hashes (XXH3-128 for an empty store). */
export function storeHashAlgorithm(hashes: readonly string[]): ContentHashAlgorithm {
  return hashes.some((h) => !h.startsWith(XXH128_PREFIX)) ? "sha256" : "xxh128";
}

interface Hasher {
  update(data: Buffer): void;
  digest(): string;
}

async function hasher(algorithm: ContentHashAlgorithm, xxh?: Xxh128Implementation): Promise<Hasher> {
  if (algorithm === "sha256") {
    const h = createHash("sha256");
    return { update: (d) => h.update(d), digest: () => h.digest("hex") };
  }
  const h = await createXxh128(xxh);
  return { update: (d) => h.update(d), digest: () => XXH128_PREFIX + h.hex() };
}

/**
 * Bytes per read when hashing: 256 KiB. Copies out of the page cache into a buffer that stays in
 * the CPU's cache cost a third of those into a 4 MiB one (measured on a 1 GB file: 0.15 s against
 * 0.5 s), and hashing runs beside DuckDB's scan, so its CPU time is the scan's loss.
 */
export const HASH_READ_BYTES = 256 * 1024;

/**
 * The content hash of a file's bytes (as stored: a `.gz` is hashed compressed): `xxh128:<hex>`,
 * or bare hex SHA-256. One reused buffer, so a big file allocates nothing per read. `xxh` picks
 * the XXH3 implementation (tests compare the two).
 */
export async function hashFile(
  file: string,
  algorithm: ContentHashAlgorithm = "xxh128",
  xxh?: Xxh128Implementation,
): Promise<string> {
  const h = await hasher(algorithm, xxh);
  const fh = await open(file, "r");
  try {
    const buf = Buffer.allocUnsafe(HASH_READ_BYTES);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest();
}

/** The first bytes of a file (format sniffing: gzip, Parquet). */
export async function fileHead(file: string, n = 8): Promise<Uint8Array> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A counter the reader advances as it consumes the file's bytes. */
export interface ByteCounter {
  bytes: number;
}

/** Consecutive lines of a file: `lines[i]` is line `first + i` (1-based). */
export interface LineBatch {
  first: number;
  lines: string[];
}

/**
 * The lines of a file (gunzipped when its name ends in `.gz`) in batches of one chunk each, split
 * as every reader splits them (../../io/line-reader.ts: CRLF cut, a line longer than `maxLine`
 * characters not held but given as {@link OVERLONG_LINE}), numbered, and with the file's bytes
 * (compressed, as stored) counted as they are read, for progress.
 */
export async function* readFileLines(
  file: string,
  counter: ByteCounter,
  maxLine = DEFAULT_MAX_LINE,
): AsyncGenerator<LineBatch> {
  const raw = createReadStream(file, { highWaterMark: CHUNK });
  raw.on("data", (c) => {
    counter.bytes += (c as Buffer).length;
  });
  const input = file.endsWith(".gz") ? raw.pipe(createGunzip({ chunkSize: CHUNK })) : raw;
  if (input !== raw) raw.on("error", (e) => input.destroy(e));
  let n = 0;
  try {
    for await (const lines of splitLineBatches(decodeUtf8(input as AsyncIterable<Buffer>), {
      max: maxLine,
    })) {
      yield { first: n + 1, lines };
      n += lines.length;
    }
  } finally {
    input.destroy();
  }
}

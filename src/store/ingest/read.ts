/**
 * Fast line reading for ingest: big chunks, one indexOf loop, the compressed bytes read so far
 * (progress), and the SHA-256 of a file's content. Memory is one chunk plus one partial line.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";

const CHUNK = 1 << 20;

/** Hex SHA-256 of a file's bytes (as stored: a `.gz` is hashed compressed). */
export async function hashFile(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * CHUNK })) h.update(chunk as Buffer);
  return h.digest("hex");
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

/** The lines of a file (gunzipped when its name ends in `.gz`) in batches of one chunk each. */
export async function* readFileLines(file: string, counter: ByteCounter): AsyncGenerator<LineBatch> {
  const raw = createReadStream(file, { highWaterMark: CHUNK });
  raw.on("data", (c) => {
    counter.bytes += (c as Buffer).length;
  });
  const input = file.endsWith(".gz") ? raw.pipe(createGunzip({ chunkSize: CHUNK })) : raw;
  if (input !== raw) raw.on("error", (e) => input.destroy(e));
  const decoder = new StringDecoder("utf8");
  let rest = "";
  let n = 0;
  for await (const chunk of input) {
    const text = rest + decoder.write(chunk as Buffer);
    const lines: string[] = [];
    let pos = 0;
    for (let nl = text.indexOf("\n", pos); nl >= 0; nl = text.indexOf("\n", pos)) {
      const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      lines.push(text.slice(pos, end));
      pos = nl + 1;
    }
    rest = text.slice(pos);
    if (lines.length > 0) {
      yield { first: n + 1, lines };
      n += lines.length;
    }
  }
  rest += decoder.end();
  if (rest.length > 0) yield { first: n + 1, lines: [rest] };
}

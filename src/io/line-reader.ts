/**
 * Lines of a file (gunzipped when it ends in `.gz`) or of stdin (`-`), streamed in batches, with a
 * cap on the length of one line: a partial line is kept as a list of pieces (joined once, at its
 * newline), so a file without newlines costs linear time and at most the cap in memory; a line
 * over the cap is dropped as it streams and stands in the batch as {@link OVERLONG_LINE}, so that
 * the lines after it keep their numbers.
 */
import { isAscii } from "node:buffer";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";

/** Bytes per read (and per gunzip output chunk): big chunks mean fewer awaits per line. */
export const READ_CHUNK = 1 << 20;

/** The default cap on one line of a line format: 1 MiB (counted in characters). */
export const DEFAULT_MAX_LINE = 1 << 20;

/** Stands in a batch for a line longer than the cap (its text is not kept). */
export const OVERLONG_LINE = "\u0000microseg: over-long line\u0000";

/**
 * A cap in characters for messages: `1 MiB (1048576 characters)`, `1.2 KiB (1200 characters)`, or
 * just `52 characters` under 1 KiB.
 */
export function capText(chars: number): string {
  const m = chars / (1024 * 1024);
  if (m >= 1) return `${Number.isInteger(m) ? m : m.toFixed(1)} MiB (${chars} characters)`;
  const k = chars / 1024;
  if (k >= 1) return `${Number.isInteger(k) ? k : k.toFixed(1)} KiB (${chars} characters)`;
  return `${chars} characters`;
}

/** Why a line over the cap was skipped (the same words wherever lines are read). */
export function overlongLineReason(maxLine: number): string {
  return `line longer than ${capText(maxLine)} skipped`;
}

/** The cap on one line; readers may change `max` while reading (it applies to the lines that follow). */
export interface LineLimit {
  max: number;
}

/** The input stream of a file (gunzipped when it ends in `.gz`) or of stdin (`-`). */
export function openInput(file: string, stdin?: Readable): Readable {
  if (file === "-") return stdin ?? process.stdin;
  const raw = createReadStream(file, { highWaterMark: READ_CHUNK });
  if (!file.endsWith(".gz")) return raw;
  const input = raw.pipe(createGunzip({ chunkSize: READ_CHUNK }));
  raw.on("error", (e) => input.destroy(e));
  return input;
}

/** A line being assembled from the pieces of several chunks. */
class PartialLine {
  private pieces: string[] = [];
  private length = 0;
  private overlong = false;

  /** Adds text to the line (dropped, and the line marked over-long, beyond `max`). */
  add(text: string, max: number): void {
    if (this.overlong || text.length === 0) return;
    if (this.length + text.length > max) {
      this.overlong = true;
      this.pieces = [];
      this.length = 0;
      return;
    }
    this.pieces.push(text);
    this.length += text.length;
  }

  /** True when nothing is pending. */
  isEmpty(): boolean {
    return !this.overlong && this.length === 0;
  }

  /** The whole line (or {@link OVERLONG_LINE}), and a fresh start. */
  take(): string {
    const line = this.overlong
      ? OVERLONG_LINE
      : this.pieces.length === 1
        ? this.pieces[0]
        : this.pieces.join("");
    this.pieces = [];
    this.length = 0;
    this.overlong = false;
    return line;
  }
}

/**
 * UTF-8 chunks of bytes as text, the same text a UTF-8 decoder gives (a character split between
 * chunks joined, invalid bytes as U+FFFD). Flow logs are ASCII: while every chunk is, each is
 * copied as Latin-1 (ASCII's own text) instead of decoded, a third of the time on a 1 GB VPC log;
 * from the first chunk with another byte on, the decoder reads the rest.
 */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  let decoder: StringDecoder | undefined;
  for await (const chunk of chunks) {
    if (typeof chunk === "string") {
      yield chunk;
      continue;
    }
    // an object-mode stream may carry plain Uint8Arrays (a web stream's): viewed as a Buffer
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!decoder && isAscii(bytes)) {
      yield bytes.toString("latin1");
      continue;
    }
    decoder ??= new StringDecoder("utf8");
    const text = decoder.write(bytes);
    if (text.length > 0) yield text;
  }
  const rest = decoder?.end();
  if (rest) yield rest;
}

/** The text of a file (gunzipped when it ends in `.gz`) or of stdin (`-`), in UTF-8 decoded chunks. */
export async function* readTextChunks(file: string, stdin?: Readable): AsyncGenerator<string> {
  const input = openInput(file, stdin);
  try {
    yield* decodeUtf8(input as AsyncIterable<Buffer>);
  } finally {
    if (file !== "-") input.destroy();
  }
}

/**
 * The lines of a file or of stdin (`-`), in batches (the lines ending in one chunk read): one await
 * per batch instead of one per line. A trailing `\r` is cut. A line longer than `limit.max` is
 * yielded as {@link OVERLONG_LINE}.
 */
export function readLineBatches(
  file: string,
  stdin?: Readable,
  limit: LineLimit = { max: DEFAULT_MAX_LINE },
): AsyncGenerator<string[]> {
  return splitLineBatches(readTextChunks(file, stdin), limit);
}

/** The lines of text chunks in batches, as {@link readLineBatches} reads them from a file. */
export async function* splitLineBatches(
  chunks: AsyncIterable<string>,
  limit: LineLimit = { max: DEFAULT_MAX_LINE },
): AsyncGenerator<string[]> {
  const partial = new PartialLine();
  for await (const chunk of chunks) {
    const parts = chunk.split("\n");
    const tail = parts.pop() ?? "";
    if (parts.length > 0) {
      partial.add(parts[0], limit.max);
      parts[0] = partial.take();
      for (let i = 1; i < parts.length; i++) if (parts[i].length > limit.max) parts[i] = OVERLONG_LINE;
      yield stripCr(parts);
    }
    partial.add(tail, limit.max);
  }
  if (!partial.isEmpty()) yield stripCr([partial.take()]);
}

/** Cuts the `\r` of CRLF line ends. */
function stripCr(lines: string[]): string[] {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** The lines of a file (gunzipped when it ends in `.gz`) or of stdin (`-`), streamed. */
export async function* readLines(file: string, stdin?: Readable, limit?: LineLimit): AsyncGenerator<string> {
  for await (const batch of readLineBatches(file, stdin, limit)) yield* batch;
}

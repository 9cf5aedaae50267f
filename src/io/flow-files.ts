/**
 * Reading flow inputs: files, directories (recursive, sorted) or `-` (stdin), gzip included,
 * streamed into an AsyncIterable<Flow>: line by line, value by value for JSON document formats
 * (src/io/flow-documents.ts), record by record for binary ones. The format is `auto`-detected per
 * file from its first lines (src/io/flow-head.ts). Malformed records are reported (file:line) and
 * skipped, or fatal with `strict`.
 */
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { detectFormat, FLOW_FORMATS, getFormat } from "../ingest/registry.js";
import {
  type FlowFormat,
  type FlowParseResult,
  type FlowParserOptions,
  isFlowSkip,
  malformed,
} from "../ingest/types.js";
import type { Flow } from "../model/flow.js";
import { fail, MicrosegError, type ProblemSink, problem } from "../model/problems.js";
import { plural } from "../render/plural.js";
import { maxJsonValueChars, readJsonDocument } from "./flow-documents.js";
import { readInputHead, replayHead } from "./flow-head.js";
import {
  capText,
  DEFAULT_MAX_LINE,
  OVERLONG_LINE,
  overlongLineReason,
  readTextChunks,
  splitLineBatches,
} from "./line-reader.js";

/** The name stdin has in locations. */
export const STDIN_NAME = "<stdin>";

/** How many first lines `auto` detection reads. */
const DETECT_LINES = 10;
/** Malformed records reported one by one per file; the rest are summed up in one problem. */
const MAX_REPORTED_PER_FILE = 20;
/** Flows per batch for binary formats (line formats batch per chunk read). */
const BATCH_FLOWS = 4096;

/** Counts per input file. */
export interface FlowFileStats {
  file: string;
  format: string;
  lines: number;
  flows: number;
  ignored: number;
  malformed: number;
}

/** Options for reading flows. */
export interface ReadFlowsOptions {
  /** A format name or `auto` (default). */
  format?: string;
  /** Make the first malformed record fatal (MicrosegError `flow-malformed`). */
  strict?: boolean;
  /** Where malformed/ignored records are reported. */
  problems: ProblemSink;
  /** The stream `-` reads (default: process.stdin). */
  stdin?: Readable;
  /** Filled with one entry per file read. */
  stats?: FlowFileStats[];
  /** The formats to choose from (default: the registry). */
  formats?: readonly FlowFormat[];
  /** Options handed to every parser (e.g. `vpcFields` from `--vpc-fields`). */
  parserOptions?: FlowParserOptions;
  /** Told which format each file is read as and why (detection scores, or `--format`). */
  onFormat?: (file: string, format: string, reason: string) => void;
  /** Filled with the files that were not read as flows: empty, or in no known format. */
  skipped?: SkippedFlowFile[];
  /** The longest line a line format reads, in characters (default 1 MiB); longer ones are malformed. */
  maxLineChars?: number;
  /**
   * The longest JSON value (one record of a document format) read, in characters (default:
   * `MICROSEG_MAX_JSON_VALUE_MB` MiB from the environment, else 64 MiB); a longer one is a
   * malformed record at the line it starts on. Documents themselves have no size limit.
   */
  maxJsonValueChars?: number;
  /** Name every format's detection score in problems (else the best one only). */
  verbose?: boolean;
  /** Called once every input has been read (it may throw, e.g. {@link checkFlowsFound}). */
  onEnd?: () => void;
}

/** An input file not read as flows, and why. */
export interface SkippedFlowFile {
  file: string;
  why: "empty" | "unknown-format";
}

/** One file to read: `fromDirectory` when found by walking a directory (not named by the user). */
export interface FlowInputFile {
  file: string;
  fromDirectory: boolean;
}

/** Expands inputs into the files to read: directories recursively (sorted, hidden entries skipped), `-` kept. */
export async function listFlowFiles(inputs: readonly string[]): Promise<FlowInputFile[]> {
  const out: FlowInputFile[] = [];
  for (const input of inputs) {
    if (input === "-") {
      out.push({ file: "-", fromDirectory: false });
      continue;
    }
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(input);
    } catch (e) {
      fail("file-unreadable", `cannot read flow input: ${(e as Error).message}`, { file: input });
    }
    if (st.isDirectory())
      out.push(...(await listDirectory(input)).map((file) => ({ file, fromDirectory: true })));
    else out.push({ file: input, fromDirectory: false });
  }
  return out;
}

async function listDirectory(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => !e.name.startsWith(".")).sort((a, b) => compare(a.name, b.name));
  const out: string[] = [];
  for (const e of names) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listDirectory(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The format of one input. An undetectable file named by the user is fatal; one found by walking a
 * directory (a README next to the captures) is skipped with a warning (undefined).
 */
function chooseFormat(
  firstLines: string[],
  opts: ReadFlowsOptions,
  input: FlowInputFile,
  hint = "",
): FlowFormat | undefined {
  const name = opts.format ?? "auto";
  const file = input.file === "-" ? STDIN_NAME : input.file;
  if (name !== "auto") {
    const format = getFormat(name, opts.formats);
    opts.onFormat?.(file, format.name, `--format ${format.name}`);
    return format;
  }
  const d = detectFormat(firstLines, opts.formats);
  if (d.format) {
    opts.onFormat?.(file, d.format.name, d.reason);
    return d.format;
  }
  const best = d.scores[0];
  const why = opts.verbose
    ? d.reason
    : `no format recognises the first ${plural(firstLines.length, "line")}${best ? ` (best: ${best.name} ${best.confidence.toFixed(2)})` : ""}`;
  const message = `cannot detect the flow format: ${why}${hint}`;
  if (!input.fromDirectory) fail("flow-unknown-format", message, { file });
  opts.skipped?.push({ file, why: "unknown-format" });
  opts.problems.report("flow-unknown-format", "warning", `${message}; file skipped`, { file });
  return undefined;
}

/** The first bytes of a file (for binary formats' magic numbers). */
async function readHead(file: string, n: number): Promise<Uint8Array> {
  const fh = await open(file, "r");
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } catch (e) {
    return fail("file-unreadable", `cannot read flows: ${(e as Error).message}`, { file });
  } finally {
    await fh.close();
  }
}

/** The binary format (Parquet) that claims a file, if any: `--format`'s, or the first that claims it. */
async function binaryFormat(input: FlowInputFile, opts: ReadFlowsOptions): Promise<FlowFormat | undefined> {
  if (input.file === "-") return undefined;
  const forced = opts.format && opts.format !== "auto" ? getFormat(opts.format, opts.formats) : undefined;
  const candidates = (forced ? [forced] : (opts.formats ?? FLOW_FORMATS)).filter((f) => f.readFile);
  if (candidates.length === 0) return undefined;
  const head = await readHead(input.file, 8);
  return candidates.find((f) => f.isBinaryFile?.(input.file, head));
}

/** Reads a binary file (Parquet) with its format's own reader. */
async function* readBinaryFile(
  file: string,
  format: FlowFormat,
  opts: ReadFlowsOptions,
): AsyncGenerator<Flow[]> {
  const how = opts.format && opts.format !== "auto" ? `--format ${format.name}` : "binary file";
  opts.onFormat?.(file, format.name, `${how} (${format.name} claims its first bytes)`);
  const stats: FlowFileStats = { file, format: format.name, lines: 0, flows: 0, ignored: 0, malformed: 0 };
  opts.stats?.push(stats);
  try {
    let batch: Flow[] = [];
    for await (const { line, result } of format.readFile!(file, opts.parserOptions)) {
      const flow = count(stats, line, result, opts);
      if (flow) batch.push(flow);
      if (batch.length >= BATCH_FLOWS) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } catch (e) {
    if (e instanceof MicrosegError) throw e;
    fail("file-unreadable", `cannot read flows: ${(e as Error).message}`, { file });
  }
  summarise(stats, opts);
}

/** Reads one file (or stdin) into batches of flows. */
async function* readFile(input: FlowInputFile, opts: ReadFlowsOptions): AsyncGenerator<Flow[]> {
  const name = input.file === "-" ? STDIN_NAME : input.file;
  const binary = await binaryFormat(input, opts);
  if (binary) {
    yield* readBinaryFile(input.file, binary, opts);
    return;
  }
  const it = readIoErrors(readTextChunks(input.file, opts.stdin), name)[Symbol.asyncIterator]();
  try {
    yield* parseFile(it, input, opts);
  } finally {
    await it.return?.(undefined);
  }
}

/** Detects the format from the head of the text, then parses the head and the rest. */
async function* parseFile(
  it: AsyncIterator<string>,
  input: FlowInputFile,
  opts: ReadFlowsOptions,
): AsyncGenerator<Flow[]> {
  const name = input.file === "-" ? STDIN_NAME : input.file;
  const maxLine = opts.maxLineChars ?? DEFAULT_MAX_LINE;
  // detectors read the start of each of the first lines: the head holds at most that many lines' worth
  const head = await readInputHead(it, { lines: DETECT_LINES, maxLine, maxChars: DETECT_LINES * maxLine });
  if (head.ended && head.lines.every((l) => !l.trim())) {
    opts.skipped?.push({ file: name, why: "empty" });
    return;
  }
  const hint = head.longLine
    ? `; line ${head.longLine} is longer than ${capText(maxLine)} and only its start was looked at`
    : "";
  const format = chooseFormat(head.lines, opts, input, hint);
  if (!format) return;
  const stats: FlowFileStats = {
    file: name,
    format: format.name,
    lines: 0,
    flows: 0,
    ignored: 0,
    malformed: 0,
  };
  opts.stats?.push(stats);
  const text = replayHead(head, it);
  if (format.jsonDocument && (format.isDocument?.(head.lines) ?? true)) {
    const lines = yield* readJsonDocument(format.jsonDocument, text, {
      file: name,
      parserOptions: opts.parserOptions,
      maxValueChars: maxJsonValueChars(opts.maxJsonValueChars),
      take: (line, result) => count(stats, line, result, opts),
    });
    stats.lines = Math.max(stats.lines, lines);
  } else yield* parseLines(format, text, stats, { ...opts, maxLineChars: maxLine });
  summarise(stats, opts);
}

/** Line formats: one record a line, each line over the cap one malformed record. */
async function* parseLines(
  format: FlowFormat,
  text: AsyncIterable<string>,
  stats: FlowFileStats,
  opts: ReadFlowsOptions & { maxLineChars: number },
): AsyncGenerator<Flow[]> {
  const maxLine = opts.maxLineChars;
  const parser = format.createParser(stats.file, opts.parserOptions);
  const overlong = overlongLineReason(maxLine);
  let lineNo = 0;
  for await (const lines of splitLineBatches(text, { max: maxLine })) {
    const flows: Flow[] = [];
    for (const line of lines) {
      lineNo++;
      const r = line === OVERLONG_LINE ? malformed(overlong) : parser.parse(line, lineNo);
      const flow = count(stats, lineNo, r, opts);
      if (flow) flows.push(flow);
    }
    if (flows.length > 0) yield flows;
  }
}

/** Counts one parse result (of line `lineNo`); returns the flow if it is one. */
function count(
  stats: FlowFileStats,
  lineNo: number,
  r: FlowParseResult,
  opts: ReadFlowsOptions,
): Flow | undefined {
  stats.lines = Math.max(stats.lines, lineNo);
  if (r === null) return undefined;
  if (!isFlowSkip(r)) {
    stats.flows++;
    return r;
  }
  if (r.skip === "ignored") stats.ignored++;
  else reportMalformed(stats, r.reason, lineNo, opts);
  return undefined;
}

/** The items of `source`, with an I/O error turned into a `file-unreadable` MicrosegError. */
async function* readIoErrors<T>(source: AsyncIterable<T>, file: string): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (e) {
    if (e instanceof MicrosegError) throw e;
    fail("file-unreadable", `cannot read flows: ${(e as Error).message}`, { file });
  }
}

function reportMalformed(stats: FlowFileStats, reason: string, line: number, opts: ReadFlowsOptions): void {
  stats.malformed++;
  const where = { file: stats.file, line };
  if (opts.strict) throw new MicrosegError(problem("flow-malformed", "error", reason, where));
  if (stats.malformed <= MAX_REPORTED_PER_FILE)
    opts.problems.report("flow-malformed", "warning", reason, where);
}

function summarise(stats: FlowFileStats, opts: ReadFlowsOptions): void {
  const hidden = stats.malformed - MAX_REPORTED_PER_FILE;
  if (hidden > 0) {
    opts.problems.report("flow-malformed", "warning", `${plural(hidden, "more malformed record")} skipped`, {
      file: stats.file,
    });
  }
  if (stats.ignored > 0) {
    opts.problems.report(
      "flow-ignored",
      "info",
      `${plural(stats.ignored, "record")} without a flow skipped (status records of the source: node status, lost events, NODATA …)`,
      { file: stats.file },
    );
  }
}

/**
 * Streams the flows of every input (files, directories, `-`) in order. Problems go to
 * `opts.problems`; with `strict` the first malformed record throws MicrosegError.
 */
export function readFlows(inputs: readonly string[], opts: ReadFlowsOptions): AsyncIterableIterator<Flow> {
  return flatten(readFlowBatches(inputs, opts));
}

/** The items of batches one by one: a plain iterator (cheaper per item than an async generator's yield*). */
function flatten<T>(batches: AsyncIterable<T[]>): AsyncIterableIterator<T> {
  const it = batches[Symbol.asyncIterator]();
  let batch: T[] = [];
  let i = 0;
  const self: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => self,
    async next(): Promise<IteratorResult<T>> {
      while (i >= batch.length) {
        const r = await it.next();
        if (r.done) return { done: true, value: undefined };
        batch = r.value;
        i = 0;
      }
      return { done: false, value: batch[i++] };
    },
    async return(): Promise<IteratorResult<T>> {
      batch = [];
      await it.return?.(undefined);
      return { done: true, value: undefined };
    },
  };
  return self;
}

/**
 * Like readFlows, in batches (the flows of one chunk read, in order): one await per batch instead
 * of one per flow, for consumers that aggregate at speed (ingest, benchmarks).
 */
export async function* readFlowBatches(
  inputs: readonly string[],
  opts: ReadFlowsOptions,
): AsyncGenerator<Flow[]> {
  if (opts.format && opts.format !== "auto") getFormat(opts.format, opts.formats);
  for (const input of await listFlowFiles(inputs)) yield* readFile(input, opts);
  opts.onEnd?.();
}

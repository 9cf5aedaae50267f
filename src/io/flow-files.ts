/**
 * Reading flow inputs: files, directories (recursive, sorted) or `-` (stdin), gzip included,
 * streamed line by line into an AsyncIterable<Flow>. The format is `auto`-detected per file from
 * its first lines. Malformed records are reported (file:line) and skipped, or fatal with `strict`.
 */
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { detectFormat, getFormat } from "../ingest/registry.js";
import { type FlowFormat, type FlowParser, isFlowSkip } from "../ingest/types.js";
import type { Flow } from "../model/flow.js";
import { fail, MicrosegError, type ProblemSink, problem } from "../model/problems.js";

/** The name stdin has in locations. */
export const STDIN_NAME = "<stdin>";

/** How many first lines `auto` detection reads. */
const DETECT_LINES = 10;
/** Malformed records reported one by one per file; the rest are summed up in one problem. */
const MAX_REPORTED_PER_FILE = 20;

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

/** The lines of a file (gunzipped when it ends in `.gz`) or of stdin (`-`), streamed. */
export function readLines(file: string, stdin?: Readable): AsyncIterable<string> {
  let input: Readable;
  if (file === "-") input = stdin ?? process.stdin;
  else {
    const raw = createReadStream(file);
    input = file.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
    if (input !== raw) raw.on("error", (e) => input.destroy(e));
  }
  return createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

/** Numbers lines from 1. */
async function* numbered(lines: AsyncIterable<string>): AsyncGenerator<[number, string]> {
  let n = 0;
  for await (const line of lines) yield [++n, line];
}

/**
 * The format of one input. An undetectable file named by the user is fatal; one found by walking a
 * directory (a README next to the captures) is skipped with a warning (undefined).
 */
function chooseFormat(
  firstLines: string[],
  opts: ReadFlowsOptions,
  input: FlowInputFile,
): FlowFormat | undefined {
  const name = opts.format ?? "auto";
  if (name !== "auto") return getFormat(name, opts.formats);
  const d = detectFormat(firstLines, opts.formats);
  if (d.format) return d.format;
  const file = input.file === "-" ? STDIN_NAME : input.file;
  const message = `cannot detect the flow format: ${d.reason}`;
  if (!input.fromDirectory) fail("flow-unknown-format", message, { file });
  opts.problems.report("flow-unknown-format", "warning", `${message}; file skipped`, { file });
  return undefined;
}

/** Reads one file (or stdin) into flows. */
async function* readFile(input: FlowInputFile, opts: ReadFlowsOptions): AsyncGenerator<Flow> {
  const name = input.file === "-" ? STDIN_NAME : input.file;
  const it = numbered(readIoErrors(readLines(input.file, opts.stdin), name))[Symbol.asyncIterator]();
  try {
    yield* parseFile(it, input, opts);
  } finally {
    await it.return?.(undefined);
  }
}

/** Detects the format from the first lines, then parses them and the rest. */
async function* parseFile(
  it: AsyncIterator<[number, string]>,
  input: FlowInputFile,
  opts: ReadFlowsOptions,
): AsyncGenerator<Flow> {
  const name = input.file === "-" ? STDIN_NAME : input.file;
  const head: [number, string][] = [];
  while (head.filter(([, l]) => l.trim()).length < DETECT_LINES) {
    const r = await it.next();
    if (r.done) break;
    head.push(r.value);
  }
  const stats: FlowFileStats = { file: name, format: "", lines: 0, flows: 0, ignored: 0, malformed: 0 };
  if (head.every(([, l]) => !l.trim())) return;
  const format = chooseFormat(
    head.map(([, l]) => l),
    opts,
    input,
  );
  if (!format) return;
  stats.format = format.name;
  opts.stats?.push(stats);
  const parser = format.createParser(name);
  for (const [lineNo, line] of head) {
    const flow = parseOne(parser, stats, lineNo, line, opts);
    if (flow) yield flow;
  }
  for (let r = await it.next(); !r.done; r = await it.next()) {
    const flow = parseOne(parser, stats, r.value[0], r.value[1], opts);
    if (flow) yield flow;
  }
  summarise(stats, opts);
}

/** Parses one line, counting it; returns the flow if the line carries one. */
function parseOne(
  parser: FlowParser,
  stats: FlowFileStats,
  lineNo: number,
  line: string,
  opts: ReadFlowsOptions,
): Flow | undefined {
  stats.lines = lineNo;
  const r = parser.parse(line, lineNo);
  if (r === null) return undefined;
  if (!isFlowSkip(r)) {
    stats.flows++;
    return r;
  }
  if (r.skip === "ignored") stats.ignored++;
  else reportMalformed(stats, r.reason, lineNo, opts);
  return undefined;
}

async function* readIoErrors(lines: AsyncIterable<string>, file: string): AsyncGenerator<string> {
  try {
    yield* lines;
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
    opts.problems.report("flow-malformed", "warning", `${hidden} more malformed record(s) skipped`, {
      file: stats.file,
    });
  }
  if (stats.ignored > 0) {
    opts.problems.report(
      "flow-ignored",
      "info",
      `${stats.ignored} record(s) without a flow skipped (node status, lost events)`,
      { file: stats.file },
    );
  }
}

/**
 * Streams the flows of every input (files, directories, `-`) in order. Problems go to
 * `opts.problems`; with `strict` the first malformed record throws MicrosegError.
 */
export async function* readFlows(inputs: readonly string[], opts: ReadFlowsOptions): AsyncGenerator<Flow> {
  if (opts.format && opts.format !== "auto") getFormat(opts.format, opts.formats);
  for (const input of await listFlowFiles(inputs)) yield* readFile(input, opts);
}

/**
 * `microseg ingest` as a library call: input files → store, one transaction per file.
 *
 * Per file: hash the content (XXH3-128; SHA-256 in stores begun with it, see ./read.ts); a hash the store has is skipped and reported; else the
 * file is read and written through one FileWriter and committed at its end, so a crash leaves
 * the file wholly in the store or not at all, and a re-run picks up exactly the missing files.
 * AWS VPC text files going into DuckDB are loaded by DuckDB itself (./bulk-vpc.ts's SQL with an
 * interval join for identities) unless raw flows are kept; everything else streams through the
 * format parsers and the HourlyAggregator in bounded chunks.
 */
import { stat } from "node:fs/promises";
import { IdentityResolver } from "../../identity/resolve.js";
import { detectFormat, getFormat } from "../../ingest/registry.js";
import { type FlowFormat, type FlowParserOptions, isFlowSkip } from "../../ingest/types.js";
import type { NamedNetwork } from "../../inventory/static/networks.js";
import { NetworkNamer } from "../../inventory/static/networks.js";
import type { AddressBinding, Inventory } from "../../inventory/types.js";
import { listFlowFiles, readFlows } from "../../io/flow-files.js";
import { readInputHead } from "../../io/flow-head.js";
import { DEFAULT_MAX_LINE, OVERLONG_LINE, overlongLineReason, readTextChunks } from "../../io/line-reader.js";
import { fail, MicrosegError, ProblemSink, problem } from "../../model/problems.js";
import { HourlyAggregator } from "../aggregate.js";
import type { Store } from "../types.js";
import { type ContentHashAlgorithm, fileHead, hashFile, readFileLines, storeHashAlgorithm } from "./read.js";
import {
  addCounts,
  emptyCounts,
  type IngestFileReport,
  type IngestSummary,
  type SkippedLine,
} from "./summary.js";

/** Progress of a run (bytes over all input files). */
export interface IngestProgress {
  bytesDone: number;
  bytesTotal: number;
  records: number;
  file: string;
}

/** Options of {@link ingestFiles}. */
export interface IngestOptions {
  store: Store;
  flows: readonly string[];
  format?: string;
  parserOptions?: FlowParserOptions;
  inventory?: Pick<Inventory, "workloads" | "namespaces" | "bindings">;
  networks?: readonly NamedNetwork[];
  keepRaw?: boolean;
  strict?: boolean;
  /** Let DuckDB read AWS VPC text files itself (default true). */
  bulk?: boolean;
  /**
   * Hourly rows held before they are written into the file's transaction (default 25 000: the
   * streaming path's memory is bounded by this, not by the input's size; the same key written in
   * several chunks is summed by the store).
   */
  chunkRows?: number;
  onProgress?: (p: IngestProgress) => void;
  /** Told about files skipped with a warning (undetectable files found in a directory). */
  onWarning?: (message: string) => void;
  /** Told which format each file is read as and why. */
  onFormat?: (file: string, format: string, reason: string) => void;
  now?: () => number;
  /** XXH3-128 hashes computed ahead (./hash-worker.ts), by file path; used when the store hashes with XXH3. */
  prefetchedHashes?: { get(file: string): Promise<string> | undefined };
}

const DETECT_LINES = 10;
/** Why a line over the cap (not held in memory) was skipped. */
const OVERLONG_REASON = overlongLineReason(DEFAULT_MAX_LINE);
/** Hourly rows held by the streaming path before a write (see IngestOptions.chunkRows). */
const DEFAULT_CHUNK_ROWS = 25_000;
const FIRST_SKIPPED = 20;

/** Bulk loaders by store kind (DuckDB only): imported lazily so other stores never load DuckDB. */
async function bulkLoader() {
  return (await import("./bulk-vpc.js")).bulkIngestVpc;
}

interface Run {
  o: IngestOptions;
  resolver: IdentityResolver;
  bindings: readonly AddressBinding[];
  networks: NetworkNamer;
  summary: IngestSummary;
  unresolved: Map<string, string>;
  bytesTotal: number;
  bytesBefore: number;
  /** How this store's files are hashed. */
  hashAlgorithm: ContentHashAlgorithm;
  /** Paths of files the store had at the start (a re-run: hash before reading). */
  knownPaths: Set<string>;
}

/** Ingests every input file; returns the summary. Throws MicrosegError on fatal input problems. */
export async function ingestFiles(o: IngestOptions): Promise<IngestSummary> {
  if (o.flows.includes("-"))
    fail("usage", "ingest reads files, not stdin: a file's content hash makes ingest idempotent");
  if (o.format && o.format !== "auto") getFormat(o.format);
  const inputs = await listFlowFiles(o.flows);
  const files = inputs.map((f) => f.file);
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const bindings = o.inventory?.bindings ?? [];
  const known = await o.store.files();
  const run: Run = {
    o,
    resolver: new IdentityResolver(o.inventory ? { inventory: o.inventory } : {}),
    bindings,
    networks: new NetworkNamer(o.networks ?? []),
    summary: {
      files: [],
      recordsByFormat: {},
      counts: emptyCounts(),
      unresolvedAddresses: 0,
      unresolvedByPeer: {},
      malformedLines: 0,
      ignoredLines: 0,
      firstSkipped: [],
    },
    unresolved: new Map(),
    bytesTotal: sizes.reduce((a, b) => a + b, 0),
    bytesBefore: 0,
    hashAlgorithm: storeHashAlgorithm(known.map((f) => f.hash)),
    knownPaths: new Set(known.map((f) => f.path)),
  };
  for (let i = 0; i < files.length; i++) {
    await ingestOne(run, files[i], sizes[i], inputs[i].fromDirectory);
    run.bytesBefore += sizes[i];
  }
  finishUnresolved(run);
  return run.summary;
}

function finishUnresolved(run: Run): void {
  run.summary.unresolvedAddresses = run.unresolved.size;
  const by: Record<string, number> = {};
  for (const id of run.unresolved.values()) {
    const k = id.startsWith("cidr:") ? "address peers (cidr:<ip>/32)" : id;
    by[k] = (by[k] ?? 0) + 1;
  }
  run.summary.unresolvedByPeer = by;
}

/**
 * The first non-blank lines of a text file (detection, the VPC header), each cut to the line cap;
 * at most {@link DETECT_LINES} lines' worth of text is read, so a minified one-line JSON document
 * costs the cap, not its size.
 */
async function headLines(file: string): Promise<string[]> {
  const it = readTextChunks(file);
  try {
    const head = await readInputHead(it, {
      lines: DETECT_LINES,
      maxLine: DEFAULT_MAX_LINE,
      maxChars: DETECT_LINES * DEFAULT_MAX_LINE,
    });
    return head.lines.filter((l) => l.trim());
  } finally {
    await it.return(undefined);
  }
}

async function chooseFormat(
  run: Run,
  file: string,
  head: string[],
  binary: boolean,
  fromDirectory: boolean,
): Promise<FlowFormat | undefined> {
  const name = run.o.format ?? "auto";
  if (name !== "auto") {
    run.o.onFormat?.(file, name, `--format ${name}`);
    return getFormat(name);
  }
  if (binary) return getFormat("aws-vpc");
  const d = detectFormat(head);
  if (!d.format) {
    if (head.length === 0) return undefined;
    if (fromDirectory) {
      run.o.onWarning?.(`${file}: cannot detect the flow format (${d.reason}); file skipped`);
      return undefined;
    }
    fail("flow-unknown-format", `cannot detect the flow format: ${d.reason}`, { file });
  }
  run.o.onFormat?.(file, d.format.name, d.reason);
  return d.format;
}

async function ingestOne(run: Run, file: string, size: number, fromDirectory: boolean): Promise<void> {
  const { o } = run;
  const report: IngestFileReport = { file, format: "", hash: "", status: "skipped", records: 0, bytes: size };
  const head = await fileHead(file);
  const binary =
    head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;
  const lines = binary ? [] : await headLines(file);
  const format = await chooseFormat(run, file, lines, binary, fromDirectory);
  if (!format && lines.length > 0) return;
  report.format = format?.name ?? "empty";
  const hashing =
    (run.hashAlgorithm === "xxh128" ? o.prefetchedHashes?.get(file) : undefined) ??
    hashFile(file, run.hashAlgorithm);
  hashing.catch(() => undefined); // awaited below (a read error surfaces there)
  const useBulk =
    o.store.kind === "duckdb" && (o.bulk ?? true) && !o.keepRaw && !binary && format?.name === "aws-vpc";
  // A bulk load of a path the store has not seen hashes while DuckDB scans (the hash is checked
  // before the commit); anything else is hashed first, so a re-run skips its files without a scan.
  if (!useBulk || run.knownPaths.has(file)) {
    report.hash = await hashing;
    if (await o.store.hasFile(report.hash)) {
      run.summary.files.push(report);
      return;
    }
  }
  if (useBulk) {
    const bulk = await bulkLoader();
    const r = await bulk({
      store: o.store,
      file,
      hash: hashing,
      head: lines,
      bindings: run.bindings,
      networks: run.networks,
      resolver: run.resolver,
      parserOptions: o.parserOptions,
      strict: o.strict,
      now: o.now,
    });
    report.hash = r.hash;
    if (r.duplicate) {
      run.summary.files.push(report);
      return;
    }
    report.status = "ingested";
    report.via = "bulk";
    report.records = r.counts.records;
    addCounts(run.summary.counts, r.counts);
    for (const [ip, id] of r.unresolved) run.unresolved.set(ip, id);
    run.summary.malformedLines += r.skipped.length;
    run.summary.ignoredLines += r.ignored;

    addSkipped(run, r.skipped);
  } else {
    report.status = "ingested";
    report.via = "stream";
    report.records = await streamFile(run, file, size, format, binary, report.hash);
  }
  if (format)
    run.summary.recordsByFormat[format.name] =
      (run.summary.recordsByFormat[format.name] ?? 0) + report.records;
  run.summary.files.push(report);
  o.onProgress?.({
    bytesDone: run.bytesBefore + size,
    bytesTotal: run.bytesTotal,
    records: run.summary.counts.records,
    file,
  });
}

function addSkipped(run: Run, lines: readonly SkippedLine[]): void {
  for (const l of lines)
    if (run.summary.firstSkipped.length < FIRST_SKIPPED) run.summary.firstSkipped.push(l);
}

/** Streams one file through its parser into one FileWriter; returns the record count. */
async function streamFile(
  run: Run,
  file: string,
  size: number,
  format: FlowFormat | undefined,
  binary: boolean,
  hash: string,
): Promise<number> {
  const { o } = run;
  const agg = new HourlyAggregator({
    resolver: run.resolver,
    bindings: run.bindings,
    networks: run.networks,
    keepRaw: o.keepRaw,
  });
  const chunk = o.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const writer = await o.store.beginFile();
  try {
    const flush = async () => {
      const d = agg.drain();
      if (d.edges.length) await writer.addEdges(d.edges);
      if (d.flows.length) await writer.addFlows(d.flows);
      if (d.http.length) await writer.addHttp(d.http);
      if (d.dns.length) await writer.addDns(d.dns);
    };
    const counter = { bytes: 0 };
    let lastReport = 0;
    const progress = () => {
      const now = Date.now();
      if (now - lastReport < 200) return;
      lastReport = now;
      o.onProgress?.({
        bytesDone: run.bytesBefore + Math.min(counter.bytes, size),
        bytesTotal: run.bytesTotal,
        records: run.summary.counts.records + agg.counts.records,
        file,
      });
    };
    if (format && !binary && !format.jsonDocument) {
      const parser = format.createParser(file, o.parserOptions);
      for await (const batch of readFileLines(file, counter)) {
        for (let i = 0; i < batch.lines.length; i++) {
          const line = batch.lines[i];
          if (line === OVERLONG_LINE) {
            skipLine(run, { file, line: batch.first + i, kind: "malformed", reason: OVERLONG_REASON });
            continue;
          }
          const r = parser.parse(line, batch.first + i);
          if (r === null) continue;
          if (isFlowSkip(r)) {
            skipLine(run, { file, line: batch.first + i, kind: r.skip, reason: r.reason });
            continue;
          }
          agg.add(r);
          // checked per record, so --chunk-rows bounds the rows held whatever the read batch holds
          if (agg.pending >= chunk) await flush();
        }
        progress();
      }
    } else if (format) {
      // JSON documents and Parquet: the shared reader (documents stream value by value, Parquet by row)
      const problems = new ProblemSink();
      for await (const f of readFlows([file], {
        format: format.name,
        problems,
        strict: o.strict,
        parserOptions: o.parserOptions,
      })) {
        agg.add(f);
        if (agg.pending >= chunk) await flush();
      }
      for (const p of problems.items)
        if (p.code === "flow-malformed" && p.location?.line)
          skipLine(run, { file, line: p.location.line, kind: "malformed", reason: p.message });
    }
    await flush();
    await writer.addWorkloads(agg.workloads());
    await writer.commit({
      hash,
      path: file,
      format: format?.name ?? "empty",
      records: agg.counts.records,
      ingestedAt: (o.now ?? Date.now)(),
    });
  } catch (e) {
    await writer.abort();
    throw locatedAt(e, file);
  }
  addCounts(run.summary.counts, agg.counts);
  for (const [ip, id] of agg.unresolved) run.unresolved.set(ip, id);
  return agg.counts.records;
}

function skipLine(run: Run, l: SkippedLine): void {
  if (l.kind === "malformed") {
    run.summary.malformedLines++;
    if (run.o.strict)
      throw new MicrosegError(problem("flow-malformed", "error", l.reason, { file: l.file, line: l.line }));
  } else run.summary.ignoredLines++;
  addSkipped(run, [l]);
}

/**
 * A file's data problem raised where the file is not known (the store's row checks, such as an
 * hourly sum past 2^53) is located at the file; any other error is left as it is.
 */
function locatedAt(e: unknown, file: string): unknown {
  if (!(e instanceof MicrosegError)) return e;
  if (!e.problems.some((p) => !p.location && p.code === "flow-malformed")) return e;
  return new MicrosegError(
    e.problems.map((p) => (p.location || p.code !== "flow-malformed" ? p : { ...p, location: { file } })),
  );
}

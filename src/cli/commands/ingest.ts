/**
 * `microseg ingest`: flow files → store (DuckDB by default), one transaction per file, files
 * already ingested (same content hash) skipped. Prints a summary on stderr; a progress bar when
 * stderr is a terminal.
 */
import { lstatSync, rmdirSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { MixedInventory } from "../../inventory/static/load.js";
import { listFlowFiles } from "../../io/flow-files.js";
import { fail, formatProblem, type Problem, problem } from "../../model/problems.js";
import { HashPrefetch } from "../../store/ingest/hash-worker.js";
import type { IngestSummary } from "../../store/ingest/summary.js";
import type { Store } from "../../store/types.js";
import { describeFormatChoice } from "../flows.js";
import type { CliIo } from "../main.js";
import { reportProblems } from "../report.js";
import { createProgressBar } from "./ingest-progress.js";

/** Options of `ingest`. */
export interface IngestCommandOptions {
  flows?: string[];
  inventory?: string[];
  store?: string;
  format?: string;
  vpcFields?: string;
  keepRaw?: boolean;
  strict?: boolean;
  bulk?: boolean;
  /** Rows held before they are written into the file's transaction (tests use small values). */
  chunkRows?: number;
  /** `json`: the summary as JSON on stdout. */
  output?: "text" | "json";
  /** Log every flow format's detection score. */
  verbose?: boolean;
  io: CliIo;
  log: (s: string) => void;
}

/** Loads `--inventory` paths (manifests, pod dumps, static YAML) into one inventory. */
export async function loadIngestInventory(
  paths: string[] | undefined,
  log: (s: string) => void,
): Promise<MixedInventory | undefined> {
  if (!paths?.length) return undefined;
  const { loadMixedInventory } = await import("../../inventory/static/load.js");
  const inv = await loadMixedInventory(paths);
  reportProblems(inv.problems, log);
  return inv;
}

/**
 * The pipeline's warnings as problems: `FILE: cannot detect the flow format (…); file skipped` is
 * located at FILE (the one warning it gives); anything else is a located-nowhere warning.
 */
export function warningProblem(message: string, verbose = false): Problem {
  const m = /^(.+?): (cannot detect the flow format[\s\S]*)$/.exec(message);
  if (m) {
    // the scores of every format, best first: only the best unless verbose
    const text = verbose
      ? m[2]
      : m[2].replace(/\(([\w-]+ \d\.\d\d)(, [\w-]+ \d\.\d\d)*\)/, "(best: $1)").replace("line(s)", "lines");
    return problem("flow-unknown-format", "warning", text, { file: m[1] });
  }
  return problem("data-missing", "warning", message);
}

/**
 * Opens the store while `load` runs (DuckDB opens on its own threads while the inventory parses on
 * this one). When `load` fails, the store is closed again, and what this call created for a new
 * DuckDB file (the file, its WAL and spill directory, and the directories made for it, such as
 * `.microseg/`) is removed, so a bad inventory leaves no new store behind.
 */
async function openWhileLoading<T>(
  storeSpec: string | undefined,
  load: () => Promise<T>,
): Promise<{ store: Store; loaded: T }> {
  const { DEFAULT_STORE_SPEC, openStore, parseStoreSpec, preloadStore } = await import("../../store/open.js");
  const spec = storeSpec ?? DEFAULT_STORE_SPEC;
  const parsed = parseStoreSpec(spec);
  const newFile =
    parsed.kind === "duckdb" && parsed.path !== ":memory:" && !pathEntryExists(parsed.path)
      ? parsed.path
      : undefined;
  const newDirs = newFile ? missingDirs(dirname(resolve(newFile))) : [];
  // the store's code first: loading it is main-thread work that would otherwise wait for the parse
  await preloadStore(spec);
  const opening = openStore(spec);
  opening.catch(() => undefined); // awaited below, or closed on the way out
  let loaded: T;
  try {
    loaded = await load();
  } catch (e) {
    const store = await opening.catch(() => undefined);
    await store?.close();
    // only what this run made: a store it opened itself (it held DuckDB's lock on the file, so no
    // other run was using it), then the directories that were missing, deepest first and only
    // while empty (another run may have put its own files there meanwhile)
    if (store && newFile) {
      for (const f of [newFile, `${newFile}.wal`, `${newFile}.tmp`])
        rmSync(f, { force: true, recursive: true });
      for (const d of newDirs) {
        try {
          rmdirSync(d);
        } catch {
          break; // not empty (or already gone): its parents are not ours to remove either
        }
      }
    }
    throw e;
  }
  return { store: await opening, loaded };
}

/** True when something (a file, a directory, even a dangling symlink) is at `path`. */
function pathEntryExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The directories missing on the way to `dir`, deepest first (empty when `dir` exists). */
function missingDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !pathEntryExists(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  return missing;
}

/** Runs `ingest`; returns the exit code. */
export async function runIngest(o: IngestCommandOptions): Promise<number> {
  if (!o.flows?.length) fail("usage", "give --flows (files or directories)");
  // hash the inputs on a worker while the inventory loads and the store opens (idle cores now)
  const prefetch = o.flows.includes("-")
    ? undefined
    : new HashPrefetch((await listFlowFiles(o.flows)).map((f) => f.file));
  try {
    return await ingestWith(o, prefetch);
  } finally {
    await prefetch?.close();
  }
}

async function ingestWith(o: IngestCommandOptions, prefetch: HashPrefetch | undefined): Promise<number> {
  const flows = o.flows ?? [];
  // the ingest code loads only now, after runIngest has started the hash worker
  const [{ ingestFiles }, { formatIngestSummary }] = await Promise.all([
    import("../../store/ingest/pipeline.js"),
    import("../../store/ingest/summary.js"),
  ]);
  const store = await openWhileLoading(o.store, () => loadIngestInventory(o.inventory, o.log));
  const inventory = store.loaded;
  const bar = createProgressBar({ isTty: o.io.isTty, write: o.io.stderr });
  let summary: IngestSummary;
  try {
    summary = await ingestFiles({
      store: store.store,
      flows,
      prefetchedHashes: prefetch,
      format: o.format,
      parserOptions: o.vpcFields ? { vpcFields: o.vpcFields } : undefined,
      inventory,
      networks: inventory?.networks,
      keepRaw: o.keepRaw,
      strict: o.strict,
      bulk: o.bulk,
      chunkRows: o.chunkRows,
      onProgress: bar.update,
      onWarning: (m) => o.log(`microseg: ${formatProblem(warningProblem(m, o.verbose))}`),
      onFormat: (file, format, reason) => {
        if (!o.format || o.format === "auto" || format !== o.format)
          o.log(`ingest: ${file}: ${describeFormatChoice(format, reason, o.verbose)}`);
      },
    });
  } finally {
    bar.done();
    await store.store.close();
  }
  if (o.output === "json") o.io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  for (const line of formatIngestSummary(summary)) o.log(line);
  return 0;
}

/**
 * The crash suite shared by the DuckDB and ClickHouse crash tests: a real `microseg ingest` child
 * is armed with MICROSEG_TEST_CRASH_AT (src/store/crash-hook.ts) so it SIGKILLs itself at a named
 * point of a named file; the store must then hold exactly the files committed before that point
 * (the same state as a clean run over just those files), and a re-run must leave exactly what a
 * clean run over every file leaves, skipping the committed files and ingesting the rest.
 *
 * The state compared is everything the Store interface reads back: files, edges, workloads and
 * the L7 rows (HTTP templates per edge, DNS names per workload), so a lost or doubled row of any
 * of them fails a case. Inputs are three files (./crash-inputs.ts: generated AWS VPC logs, or
 * Hubble files with HTTP and DNS records); the references are clean in-process runs into fresh
 * stores over the first one, two and three files.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import type { MapWorkload } from "../../src/model/map.js";
import { CRASH_AT_ENV } from "../../src/store/crash-hook.js";
import { openStore } from "../../src/store/open.js";
import type { IngestedFile, StoredDns, StoredEdge, StoredHttp } from "../../src/store/types.js";
import { run } from "../cli/run.js";
import { repoRoot } from "../helpers/corpus.js";
import type { CrashInputs, TotalKey } from "./crash-inputs.js";

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function ingestArgs(store: string, files: readonly string[], extra: readonly string[]): string[] {
  return ["ingest", ...files.flatMap((f) => ["--flows", f]), "--store", store, ...extra];
}

/** Runs `microseg ingest` in a child process with the crash hook armed at `crashAt`. */
export function ingestChild(
  store: string,
  files: readonly string[],
  extra: readonly string[],
  crashAt: string,
): Promise<ChildExit> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(repoRoot(), "src/cli/bin.ts"), ...ingestArgs(store, files, extra)],
    {
      cwd: repoRoot(),
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, [CRASH_AT_ENV]: crashAt },
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}

/**
 * Runs `microseg ingest` in process (no crash hook); returns what happened to each file in input
 * order: `skipped`, or `ingested` and the path it took (`ingested stream`, `ingested bulk`).
 */
export async function ingestClean(
  store: string,
  files: readonly string[],
  extra: readonly string[],
): Promise<string[]> {
  const r = await run([...ingestArgs(store, files, extra), "--output", "json"]);
  if (r.code !== 0) throw new Error(`ingest exited ${r.code}: ${r.stderr}`);
  const summary = JSON.parse(r.stdout) as { files: { status: string; via?: string }[] };
  return summary.files.map((f) => (f.status === "ingested" ? `ingested ${f.via}` : f.status));
}

/** What a store answers: its files (without the ingest time), edges, workloads and L7 rows. */
export interface StoreState {
  files: Omit<IngestedFile, "ingestedAt">[];
  edges: StoredEdge[];
  workloads: MapWorkload[];
  http: StoredHttp[];
  dns: StoredDns[];
}

/** Reads a store's state. */
export async function storeState(spec: string): Promise<StoreState> {
  const s = await openStore(spec, { threads: 1 });
  try {
    const files = (await s.files()).map(({ ingestedAt: _, ...f }) => f);
    return {
      files,
      edges: await s.queryEdges(),
      workloads: await s.workloads(),
      http: await s.queryHttp(),
      dns: await s.queryDns(),
    };
  } finally {
    await s.close();
  }
}

/** The totals a lost or doubled file changes (a readable first check before the full state). */
export function totals(s: StoreState): Record<TotalKey, number> {
  const sum = (k: "flows" | "bytes" | "packets") => s.edges.reduce((n, e) => n + e[k], 0);
  return {
    files: s.files.length,
    records: s.files.reduce((n, f) => n + f.records, 0),
    edges: s.edges.length,
    flows: sum("flows"),
    bytes: sum("bytes"),
    packets: sum("packets"),
    workloads: s.workloads.length,
    httpRows: s.http.length,
    httpRequests: s.http.reduce((n, h) => n + h.flows, 0),
    dnsRows: s.dns.length,
    dnsRecords: s.dns.reduce((n, d) => n + d.records, 0),
  };
}

/** A store to crash: where fresh stores come from and how many rows it physically holds. */
export interface CrashBackend {
  /** A spec of a new, empty store. */
  fresh(label: string): string;
  /**
   * Rows physically written (edges, HTTP and DNS rows, workloads, raw flows), committed or not:
   * the rows the crash hook's `rows:<n>` counts, so a case can check the count it printed.
   */
  rawRows(spec: string): Promise<number>;
  /** True when rows of a file killed before its commit stay on disk (uncounted). */
  keepsOrphans: boolean;
}

/** What the references tell a case. */
export interface References {
  /** Rows the first k files write (k = 0…3), from the reference stores. */
  rowsThrough: number[];
}

/** One kill: where, how many files are committed then, and how many rows are on disk. */
export interface CrashCase {
  name: string;
  crashAt: (refs: References) => string;
  committed: 1 | 2;
  /**
   * Rows the killed process had written (committed or not), given the count the hook printed;
   * checks that count too.
   */
  written: (count: number, refs: References) => number;
}

/** Half of the 2nd file's rows written. */
export const midRowsOfFile2: CrashCase = {
  name: "in the middle of the 2nd file's rows",
  crashAt: (r) => `rows:${r.rowsThrough[1] + Math.ceil((r.rowsThrough[2] - r.rowsThrough[1]) / 2)}`,
  committed: 1,
  written: (n, r) => {
    // some of the 2nd file's rows were written, not all
    expect(n).toBeGreaterThan(r.rowsThrough[1]);
    expect(n).toBeLessThan(r.rowsThrough[2]);
    return n;
  },
};

/**
 * The count reached exactly when the 2nd file's last rows are written, its commit not begun:
 * the kill lands there only when the hook counts every row a file puts in the store (L7 rows
 * too); a row kind it skipped would move the kill into the 3rd file, with two files committed.
 */
export const allRowsOfFile2: CrashCase = {
  name: "once the hook has counted every row of the 1st and 2nd files",
  crashAt: (r) => `rows:${r.rowsThrough[2]}`,
  committed: 1,
  written: (n, r) => {
    expect(n).toBe(r.rowsThrough[2]);
    return n;
  },
};

/** The 2nd file fully written, its commit not made. */
export const beforeCommitOfFile2: CrashCase = {
  name: "before the 2nd file's commit",
  crashAt: () => "before-commit:2",
  committed: 1,
  written: (n, r) => {
    expect(n).toBe(2);
    return r.rowsThrough[2];
  },
};

function afterCommitOf(k: 1 | 2): CrashCase {
  return {
    name: `right after the ${k === 1 ? "1st" : "2nd"} file's commit`,
    crashAt: () => `after-commit:${k}`,
    committed: k,
    written: (n, r) => {
      expect(n).toBe(k);
      return r.rowsThrough[k];
    },
  };
}

/** Right after the 1st file's commit. */
export const afterCommitOfFile1 = afterCommitOf(1);
/** Right after the 2nd file's commit. */
export const afterCommitOfFile2 = afterCommitOf(2);

/** What {@link crashCases} runs. */
export interface CrashSuite {
  /** The store (a function: it may exist only once the caller's beforeAll ran). */
  backend: () => CrashBackend;
  /** The kind of input (what the clean runs must show). */
  inputs: CrashInputs;
  /** The input files (written by `inputs.write` in the caller's beforeAll). */
  files: () => string[];
  /** Further `ingest` arguments (the path to take). */
  args: readonly string[];
  /** The path every file must take (`stream` or `bulk`), checked on the clean runs. */
  via: "stream" | "bulk";
  cases: readonly CrashCase[];
}

/** Declares the reference runs and one test per case. Call inside a describe. */
export function crashCases({
  backend,
  inputs,
  files: inputFiles,
  args: extra,
  via,
  cases,
}: CrashSuite): void {
  const refs: { states: StoreState[]; rowsThrough: number[] } = { states: [], rowsThrough: [0] };

  beforeAll(async () => {
    const files = inputFiles();
    for (let k = 1; k <= files.length; k++) {
      const spec = backend().fresh(`clean-${k}`);
      expect(await ingestClean(spec, files.slice(0, k), extra)).toEqual(Array(k).fill(`ingested ${via}`));
      refs.states[k] = await storeState(spec);
      refs.rowsThrough[k] = await backend().rawRows(spec);
    }
  }, 60_000);

  it(`clean runs: each file adds stored rows, a file and ${inputs.grows.join(", ")}`, () => {
    const t = refs.states.slice(1).map(totals);
    expect(t.map((x) => x.files)).toEqual([1, 2, 3]);
    // the first file against an empty store, then each against the one before
    for (const key of inputs.grows)
      for (const [k, x] of t.entries()) expect(x[key], key).toBeGreaterThan(k === 0 ? 0 : t[k - 1][key]);
    for (let k = 1; k < refs.rowsThrough.length; k++)
      expect(refs.rowsThrough[k]).toBeGreaterThan(refs.rowsThrough[k - 1]);
    expect(t[0].records).toBeGreaterThan(inputs.firstRecordsOver);
  });

  for (const c of cases) {
    it(`killed ${c.name}: holds the files committed before; a re-run equals a clean run`, async () => {
      const files = inputFiles();
      const b = backend();
      const point = c.crashAt(refs);
      const spec = b.fresh(`crash-${point.replace(":", "-")}`);
      const killed = await ingestChild(spec, files, extra, point);
      expect({ code: killed.code, signal: killed.signal }, killed.stderr).toEqual({
        code: null,
        signal: "SIGKILL",
      });
      const said = new RegExp(`killing the process at ${point.split(":")[0]} \\((\\d+)\\)`).exec(
        killed.stderr,
      );
      expect(said, killed.stderr).not.toBeNull();
      const written = c.written(Number(said![1]), refs);

      const ref = refs.states[c.committed];
      const after = await storeState(spec);
      expect(totals(after)).toEqual(totals(ref));
      expect(after).toEqual(ref);
      // DuckDB never replays the killed transaction; ClickHouse keeps its rows, counted by no query
      expect(await b.rawRows(spec)).toBe(b.keepsOrphans ? written : refs.rowsThrough[c.committed]);

      const statuses = files.map((_, i) => (i < c.committed ? "skipped" : `ingested ${via}`));
      expect(await ingestClean(spec, files, extra)).toEqual(statuses);
      const whole = refs.states[files.length];
      const rerun = await storeState(spec);
      expect(totals(rerun)).toEqual(totals(whole));
      expect(rerun).toEqual(whole);
      // one more run skips every file and changes nothing
      expect(await ingestClean(spec, files, extra)).toEqual(files.map(() => "skipped"));
      expect(await storeState(spec)).toEqual(whole);
    });
  }
}

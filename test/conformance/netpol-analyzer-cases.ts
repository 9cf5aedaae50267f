/**
 * Shared helpers of the netpol-analyzer conformance suites (../shared/corpus/netpol-analyzer):
 * the manifest (cases.json) and its case kinds, the group each case belongs to, the translation of
 * a case's `cli` field into a `microseg connectivity` command line, an in-process CLI run with
 * captured streams, the corpus comparison (all `\n` and `\r` removed) and per-group tallies.
 *
 * Groups (each suite runs its own and skips the others): `connlist-txt`, `connlist-json`,
 * `connlist-multinet-txt`, `connlist-multinet-json`, `exposure-txt`, `exposure-json`,
 * `explain-txt`, `cli-list`, `eval-pairs`, `eval-pairs-multinet`, `fatal`, `fatal-multinet`.
 */

import { readFileSync } from "node:fs";
import { afterAll } from "vitest";
import { type RunResult, run } from "../cli/run.js";
import { corpusPath } from "../helpers/corpus.js";

/** A connlist/exposure entry of cases.json. */
export interface ConnlistCase {
  test_dir: string;
  focus_workloads: string[];
  focus_workload_peers: string[];
  focus_direction: string;
  focus_conn: string;
  exposure: boolean;
  multiple_networks: boolean;
  format: string;
  expected_output: string;
  cli: string;
  expected_copied: boolean;
}

/** An explain entry of cases.json. */
export interface ExplainCase extends ConnlistCase {
  explain_only: string;
}

/** A CLI `list` entry of cases.json. */
export interface CliListCase {
  test_dir: string;
  format: string;
  expected_output: string;
  cli: string;
  expected_copied: boolean;
}

/** A single-connection check of cases.json. */
export interface EvalPairCase {
  origin: string;
  test_dir: string;
  src_ns: string;
  src: string;
  dst_ns: string;
  dst: string;
  protocol: string;
  port: string;
  expected_allowed: boolean;
}

/** A directory whose analysis must fail. */
export interface FatalCase {
  test_dir: string;
  name: string;
  expected_error_go_expr: string;
  multiple_networks: boolean;
}

/** The parts of cases.json the suites read. */
export interface NetpolManifest {
  connlist: ConnlistCase[];
  explain: ExplainCase[];
  cli_list: CliListCase[];
  eval_pairs: EvalPairCase[];
  bad_path_fatal: FatalCase[];
  dir_features: Record<string, { kinds: Record<string, number>; features: string[] }>;
}

/** Reads cases.json (once per suite). */
export function loadNetpolManifest(): NetpolManifest {
  return JSON.parse(readFileSync(corpusPath("netpol-analyzer", "cases.json"), "utf8")) as NetpolManifest;
}

/** The group of a connlist entry: `connlist-…` or `exposure-…`, with `-multinet` for multi-network runs. */
export function connlistGroup(c: ConnlistCase): string {
  const kind = c.exposure ? "exposure" : "connlist";
  return c.multiple_networks && !c.exposure ? `${kind}-multinet-${c.format}` : `${kind}-${c.format}`;
}

/** The group of a CLI `list` entry: its own `cli-list`, except exposure/explain runs. */
export function cliListGroup(c: CliListCase): string {
  if (/\s--explain\b/.test(c.cli)) return "explain-txt";
  if (/\s--exposure\b/.test(c.cli)) return `exposure-${c.format}`;
  return "cli-list";
}

/** Splits a `cli` field into words (the corpus uses no quoting). */
function words(cli: string): string[] {
  return cli.trim().split(/\s+/);
}

/**
 * Translates `netpol-analyzer list --dirpath tests/<dir> …` into microseg arguments:
 * `connectivity --dir <corpus>/tests/<dir> …` with every other flag as written.
 */
export function microsegArgs(cli: string): string[] {
  const w = words(cli);
  if (w[0] !== "netpol-analyzer" || w[1] !== "list") throw new Error(`not a list command: ${cli}`);
  const out = ["connectivity"];
  for (let i = 2; i < w.length; i++) {
    if (w[i] === "--dirpath") {
      out.push("--dir", corpusPath("netpol-analyzer", w[++i]));
    } else if (w[i].startsWith("--dirpath=")) {
      out.push("--dir", corpusPath("netpol-analyzer", w[i].slice("--dirpath=".length)));
    } else out.push(w[i]);
  }
  return out;
}

/** What one in-process CLI run produced (the CLI tests' runner: one mechanism for both suites). */
export type CliRun = RunResult;

/** Runs `microseg <args>` in process through the real entry point, capturing both streams. */
export const runMicroseg: (args: string[]) => Promise<CliRun> = run;

/** The corpus comparison form: every `\n` and `\r` removed. */
export function flat(s: string): string {
  return s.replace(/[\r\n]/g, "");
}

/** Reads an expected file of the corpus (path relative to the netpol-analyzer folder). */
export function expectedText(rel: string): string {
  return readFileSync(corpusPath("netpol-analyzer", rel), "utf8");
}

/** Per-group pass/fail counts; `report()` prints `conformance[<group>]: N passed, M failed`. */
export class GroupTally {
  private readonly counts = new Map<string, { passed: number; failed: string[]; excepted: string[] }>();

  private entry(group: string) {
    let e = this.counts.get(group);
    if (!e) {
      e = { passed: 0, failed: [], excepted: [] };
      this.counts.set(group, e);
    }
    return e;
  }

  /** Records one case. */
  record(group: string, name: string, ok: boolean): void {
    const e = this.entry(group);
    if (ok) e.passed++;
    else e.failed.push(name);
  }

  /** Records a case listed as an exception (a documented disagreement). */
  except(group: string, name: string): void {
    this.entry(group).excepted.push(name);
  }

  /** Passed and failed counts of a group. */
  get(group: string): { passed: number; failed: number; failedNames: string[] } {
    const e = this.entry(group);
    return { passed: e.passed, failed: e.failed.length, failedNames: [...e.failed] };
  }

  /** The report lines, sorted by group. */
  lines(): string[] {
    return [...this.counts.keys()].sort().map((g) => {
      const e = this.counts.get(g)!;
      const ex = e.excepted.length ? ` (${e.excepted.length} listed exceptions)` : "";
      return `conformance[${g}]: ${e.passed} passed, ${e.failed.length} failed${ex}`;
    });
  }

  /** Prints the report after the suite (call at the top level of a test file). */
  printAfterAll(): void {
    afterAll(() => {
      for (const l of this.lines()) console.log(l);
    });
  }
}

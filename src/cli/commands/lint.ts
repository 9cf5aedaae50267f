/**
 * `microseg lint PATH... [--config microseg.yaml] [-o table|json|sarif] [--out FILE]`: finds the
 * classic segmentation mistakes in NetworkPolicy/ANP/BANP, Cilium and Istio policies, with the
 * workloads found in PATH. Exit 1 when a finding is an error, 2 on bad input.
 */
import { realpathSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { LINT_RULES } from "../../analysis/lint/catalogue.js";
import { lintPolicies } from "../../analysis/lint/lint.js";
import type { LintFinding } from "../../analysis/lint/types.js";
import type { MicrosegConfig } from "../../config/schema.js";
import { loadK8sInventory, throwOnErrors } from "../../inventory/k8s/load.js";
import { writeFileAtomic } from "../../io/write.js";
import { fail, formatLocation, MicrosegError, ProblemSink } from "../../model/problems.js";
import { parseAllPolicies } from "../../policy/parse-all.js";
import { plural } from "../../render/plural.js";
import { renderSarif } from "../../render/sarif-lint.js";
import { renderTextTable } from "../../render/table.js";
import type { CliIo } from "../main.js";
import { reportProblems } from "../report.js";
import { VERSION } from "../version.js";

/** Options of `lint`. */
export interface LintOptions {
  paths: string[];
  config?: MicrosegConfig;
  configPath?: string;
  output: "table" | "json" | "sarif";
  out?: string;
  listRules?: boolean;
  io: CliIo;
  log: (s: string) => void;
}

/** Loads the paths and lints them (no output). */
export async function lintPaths(
  o: Pick<LintOptions, "paths" | "config" | "configPath" | "log">,
): Promise<LintFinding[]> {
  if (o.paths.length === 0) fail("usage", "give the policy and manifest files or directories to lint");
  const inventory = await loadK8sInventory(o.paths);
  // duplicate objects are a finding of the linter (duplicate-name), not bad input
  throwOnErrors(inventory.problems.filter((p) => p.code !== "resource-duplicate"));
  const sink = new ProblemSink();
  const set = parseAllPolicies(inventory.resources, sink);
  if (sink.hasErrors()) throw new MicrosegError(sink.errors());
  reportProblems(
    [...inventory.problems.filter((p) => p.code !== "resource-duplicate"), ...sink.items],
    o.log,
  );
  return lintPolicies({
    set,
    resources: inventory.resources,
    workloads: inventory.workloads,
    namespaces: inventory.namespaces,
    config: o.config,
    configFile: o.configPath,
    inputFile: inventory.files[0] ?? o.paths[0],
  });
}

function findingsTable(findings: readonly LintFinding[]): string {
  return renderTextTable({
    columns: [
      { name: "severity", type: "string" },
      { name: "rule", type: "string" },
      { name: "location", type: "string" },
      { name: "message", type: "string" },
    ],
    rows: findings.map((f) => [
      f.severity,
      f.ruleId,
      f.location.file ? formatLocation(f.location) : "-",
      f.message,
    ]),
  });
}

function catalogue(): string {
  return renderTextTable({
    columns: [
      { name: "rule", type: "string" },
      { name: "severity", type: "string" },
      { name: "finds", type: "string" },
    ],
    rows: LINT_RULES.map((r) => [r.id, r.severity, r.summary]),
  });
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** The current directory as the system has it, its real path, and the shell's $PWD when it is the same directory. */
function workingDirectories(): string[] {
  const cwd = process.cwd();
  const pwd = process.env.PWD;
  const real = realpathOr(cwd);
  const all = [cwd, real, ...(pwd && realpathOr(pwd) === real ? [pwd] : [])];
  return [...new Set(all)];
}

/**
 * A finding's file for SARIF: relative to the current directory (against %SRCROOT%) when it is
 * under it — also when either is reached through a symbolic link — else absolute (a `file:` URI).
 */
export function sarifPath(file: string, bases: readonly string[]): string {
  const abs = resolve(file);
  for (const candidate of new Set([abs, realpathOr(abs)]))
    for (const base of bases)
      if (candidate.startsWith(base.endsWith(sep) ? base : `${base}${sep}`))
        return relative(base, candidate).split(sep).join("/");
  return abs;
}

/** Runs `lint`: exit 1 when any finding is an error. */
export async function runLint(o: LintOptions): Promise<number> {
  if (o.listRules) {
    o.io.stdout(catalogue());
    return 0;
  }
  const findings = await lintPaths(o);
  const bases = workingDirectories();
  const located = findings.map((f) =>
    f.location.file ? { ...f, location: { ...f.location, file: sarifPath(f.location.file, bases) } } : f,
  );
  const text =
    o.output === "sarif"
      ? renderSarif(located, { version: VERSION, baseDir: process.cwd() })
      : o.output === "json"
        ? `${JSON.stringify({ findings }, null, 2)}\n`
        : findings.length
          ? findingsTable(findings)
          : "no findings\n";
  if (o.out) await writeFileAtomic(o.out, text);
  else o.io.stdout(text);
  const errors = findings.filter((f) => f.severity === "error").length;
  o.log(`lint: ${plural(findings.length, "finding")} (${plural(errors, "error")})`);
  return errors > 0 ? 1 : 0;
}

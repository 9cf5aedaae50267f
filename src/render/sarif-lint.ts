/**
 * Lint findings as SARIF 2.1.0 (the form GitHub code scanning takes): one run, the rule catalogue
 * as `tool.driver.rules`, one result per finding with its file and line. Paths under `baseDir`
 * become relative URIs against `%SRCROOT%`; others become absolute `file:` URIs.
 */
import { LINT_RULES } from "../analysis/lint/catalogue.js";
import type { LintFinding } from "../analysis/lint/types.js";
import type { Severity } from "../model/problems.js";

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  error: "error",
  warning: "warning",
  info: "note",
};

/** `no-default-deny` → `NoDefaultDeny` (SARIF's rule `name`). */
function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

function encodePath(p: string): string {
  return encodeURI(p.replace(/\\/g, "/")).replace(/[?#]/g, (c) => encodeURIComponent(c));
}

function artifact(file: string, baseDir: string): { uri: string; uriBaseId?: string } {
  const base = baseDir.endsWith("/") ? baseDir : `${baseDir}/`;
  if (file.startsWith(base)) return { uri: encodePath(file.slice(base.length)), uriBaseId: "SRCROOT" };
  if (file.startsWith("/")) return { uri: `file://${encodePath(file)}` };
  return { uri: encodePath(file), uriBaseId: "SRCROOT" };
}

/** Renders the findings as a SARIF 2.1.0 log (JSON text). `baseDir` is absolute. */
export function renderSarif(
  findings: readonly LintFinding[],
  opts: { version: string; baseDir: string },
): string {
  const index = new Map(LINT_RULES.map((r, i) => [r.id, i]));
  const base = opts.baseDir.endsWith("/") ? opts.baseDir : `${opts.baseDir}/`;
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "microseg",
            version: opts.version,
            rules: LINT_RULES.map((r) => ({
              id: r.id,
              name: pascal(r.id),
              shortDescription: { text: r.summary },
              fullDescription: { text: `${r.summary}. ${r.help}` },
              help: { text: r.help },
              defaultConfiguration: { level: LEVEL[r.severity] },
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: `file://${encodePath(base)}` } },
        columnKind: "utf16CodeUnits",
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId) ?? 0,
          level: LEVEL[f.severity],
          message: { text: f.message },
          ...(f.location.file
            ? {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: artifact(f.location.file, opts.baseDir),
                      ...(f.location.line !== undefined && f.location.line >= 1
                        ? { region: { startLine: f.location.line } }
                        : {}),
                    },
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/**
 * Reporting problems on stderr, apart from ./inputs.ts (which loads every policy parser) so that
 * commands that only report, such as `ingest`, start without loading them.
 */
import { formatProblem, type Problem } from "../model/problems.js";

/** Prints warnings (and, when verbose, infos) to the log; errors are left to the caller. */
export function reportProblems(
  problems: readonly Problem[],
  log: (s: string) => void,
  verbose = false,
): void {
  const shown = problems.filter((p) => p.severity === "warning" || (verbose && p.severity === "info"));
  const max = 20;
  for (const p of shown.slice(0, max)) log(`microseg: ${formatProblem(p)}`);
  if (shown.length > max) log(`microseg: … and ${shown.length - max} more warnings`);
}

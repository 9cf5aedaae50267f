/**
 * A test-only crash hook: `MICROSEG_TEST_CRASH_AT=<point>[:<n>]` makes the process SIGKILL itself
 * at a named point of a store write, so crash tests kill at an exact moment instead of on a timer
 * (test/store/crash.test.ts). Inert unless the variable is set; this is the one place it is read.
 *
 * Points (counted over the whole process, every file and writer; `n` defaults to 1):
 * - `rows:<n>`: once writers have written at least n rows in total (edges, HTTP and DNS rows,
 *   workloads and raw flows, counted after each write call; the bulk VPC path inserts its edges by SQL, so only its
 *   workload records count);
 * - `before-commit:<n>`: at the n-th commit, with every row of the file written but the commit
 *   not yet made (DuckDB: before `COMMIT`; ClickHouse: before the `files` row is inserted);
 * - `after-commit:<n>`: right after the n-th commit, before anything else (the next file).
 *
 * The counters live in this module: the writers that reach the points are created by different
 * stores and paths (the bulk VPC loader commits through the DuckDB writer), and threading one
 * counter object through all of them would spread test-only code over every constructor.
 */
import { writeSync } from "node:fs";

/** A named moment of a store write where a test may kill the process. */
export type CrashPoint = "rows" | "before-commit" | "after-commit";

/** The environment variable that arms the hook. */
export const CRASH_AT_ENV = "MICROSEG_TEST_CRASH_AT";

const POINTS: readonly CrashPoint[] = ["rows", "before-commit", "after-commit"];

/** How far the process got towards each point (test-only; see the module doc). */
const reached = new Map<CrashPoint, number>();

/** Parses `<point>[:<n>]`; throws on anything else, so a typo never makes a test pass silently. */
export function parseCrashAt(spec: string): { point: CrashPoint; n: number } {
  const m = /^([a-z-]+)(?::(\d+))?$/.exec(spec.trim());
  const point = m?.[1] as CrashPoint | undefined;
  const n = Number(m?.[2] ?? 1);
  if (!point || !POINTS.includes(point) || !Number.isSafeInteger(n) || n < 1)
    throw new Error(
      `${CRASH_AT_ENV}=${spec}: expected <point>[:<n>] with point ${POINTS.join(" | ")}, n >= 1`,
    );
  return { point, n };
}

/**
 * Marks that the process reached `point` (`amount` rows for `rows`, else one occurrence) and
 * SIGKILLs it when MICROSEG_TEST_CRASH_AT names that point and its count is reached.
 */
export function crashPoint(point: CrashPoint, amount = 1): void {
  const spec = process.env[CRASH_AT_ENV];
  if (!spec) return;
  const target = parseCrashAt(spec);
  if (target.point !== point) return;
  const count = (reached.get(point) ?? 0) + amount;
  reached.set(point, count);
  if (count < target.n) return;
  writeSync(2, `microseg: ${CRASH_AT_ENV}=${spec}: killing the process at ${point} (${count})\n`);
  process.kill(process.pid, "SIGKILL");
}

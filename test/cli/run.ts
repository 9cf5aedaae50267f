/**
 * Test helpers for the command line: run `runCli` in process with captured streams, and scratch
 * directories that are removed after the test file.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { runCli } from "../../src/cli/main.js";

/** What one CLI run produced. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in process (arguments without `microseg`), capturing stdout and stderr. */
export async function run(args: string[]): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    isTty: false,
  });
  return { code, stdout, stderr };
}

/** The lines of stderr that are microseg's own messages (`microseg: …`). */
export function problemLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("microseg:"));
}

/**
 * A factory of fresh scratch directories (one `mkdtemp` per call), all removed after the test
 * file. Call it at the top level of a test file.
 */
export function scratchDirs(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), `microseg-${prefix}-`));
    made.push(d);
    return d;
  };
}

/**
 * Asserts-by-value helper: what an output directory holds after a failed command. Returns the
 * names in `parent` (expected empty: no output, no `*.tmp-*` or `*.old-*` leftovers) and whether
 * `out` exists.
 */
export function leftovers(parent: string, out: string): { exists: boolean; entries: string[] } {
  return { exists: existsSync(out), entries: readdirSync(parent).sort() };
}

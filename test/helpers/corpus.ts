/**
 * Test helper: paths into the shared corpus (`../shared/corpus` next to the repository root).
 * Corpus files are read where they are, never copied into the repository.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the folder with package.json above this helper). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("corpus helper: no package.json above test/helpers");
    dir = up;
  }
  return dir;
}

/** A path inside `../shared/corpus` (relative to the repository root); throws a clear error if missing. */
export function corpusPath(...parts: string[]): string {
  const base = resolve(repoRoot(), "..", "shared", "corpus");
  const p = join(base, ...parts);
  if (!existsSync(p)) {
    throw new Error(`corpus file not found: ${p} (the shared corpus is expected at ${base})`);
  }
  return p;
}

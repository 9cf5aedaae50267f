/**
 * Input paths: `--inventory`, `--dir`, `--policies` (and colleagues' `--flows`) take files or
 * directories, recursive, repeatable. Expansion is deterministic: arguments in the order given,
 * each directory's files sorted by path, duplicates dropped.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fail } from "../model/problems.js";

/** The file extensions that hold Kubernetes manifests. */
export const MANIFEST_EXTENSIONS: readonly string[] = [".yaml", ".yml", ".json"];

/** Options for {@link expandPaths}. */
export interface ExpandPathsOptions {
  /** Extensions (with the dot, lower case) of the files taken from directories; default: manifests. */
  extensions?: readonly string[];
  /** Directory names not descended into (default: `.git`, `node_modules`). */
  skipDirs?: readonly string[];
}

const DEFAULT_SKIP_DIRS: readonly string[] = [".git", "node_modules"];

/** True when the file name ends with one of the extensions (case-insensitive). */
export function hasExtension(file: string, extensions: readonly string[]): boolean {
  const lower = file.toLowerCase();
  return extensions.some((ext) => lower.endsWith(ext));
}

/**
 * Expands files and directories into a sorted list of files. A file named explicitly is taken
 * whatever its extension; files found in directories must have one of `extensions`. A missing or
 * unreadable path is fatal (`file-unreadable`, with the path).
 */
export async function expandPaths(
  paths: readonly string[],
  opts: ExpandPathsOptions = {},
): Promise<string[]> {
  const extensions = opts.extensions ?? MANIFEST_EXTENSIONS;
  const skipDirs = new Set(opts.skipDirs ?? DEFAULT_SKIP_DIRS);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    for (const f of await expandOne(p, extensions, skipDirs)) {
      const key = resolve(f);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
  }
  return out;
}

async function expandOne(
  path: string,
  extensions: readonly string[],
  skipDirs: ReadonlySet<string>,
): Promise<string[]> {
  const info = await statOrFail(path);
  if (!info.isDirectory()) return [path];
  const files = await walkDir(path, extensions, skipDirs);
  return files.sort(comparePaths);
}

async function walkDir(
  dir: string,
  extensions: readonly string[],
  skipDirs: ReadonlySet<string>,
): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    return fail("file-unreadable", `cannot read directory ${dir}: ${errorText(e)}`, { file: dir });
  }
  const out: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const info = await statOrFail(full);
      isDir = info.isDirectory();
      isFile = info.isFile();
    }
    if (isDir) {
      if (!skipDirs.has(entry.name)) out.push(...(await walkDir(full, extensions, skipDirs)));
    } else if (isFile && hasExtension(entry.name, extensions)) {
      out.push(full);
    }
  }
  return out;
}

async function statOrFail(path: string): Promise<import("node:fs").Stats> {
  try {
    return await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : errorText(e);
    return fail("file-unreadable", `${path}: ${why}`, { file: path });
  }
}

/** Sorts paths by their segments, so `a/b.yaml` comes before `a-b.yaml` and `a/z/x.yaml`. */
export function comparePaths(a: string, b: string): number {
  const sa = a.split(/[\\/]/);
  const sb = b.split(/[\\/]/);
  const n = Math.min(sa.length, sb.length);
  for (let i = 0; i < n; i++) {
    if (sa[i] !== sb[i]) return sa[i] < sb[i] ? -1 : 1;
  }
  return sa.length - sb.length;
}

/** Reads a UTF-8 text file; an unreadable file is fatal (`file-unreadable`). A leading BOM is dropped. */
export async function readTextFile(file: string): Promise<string> {
  try {
    const text = await readFile(file, "utf8");
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : errorText(e);
    return fail("file-unreadable", `cannot read ${file}: ${why}`, { file });
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

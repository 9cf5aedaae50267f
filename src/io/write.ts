/**
 * Atomic output: everything a command writes goes to a temporary file beside its target and is
 * renamed into place, so a failure never leaves half-written results. A directory of outputs is
 * staged in a temporary directory and swapped in whole; a directory is only ever replaced when
 * microseg wrote it (it carries a marker file) or it is empty, never a folder of the user's files.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Document, isNode } from "yaml";
import { MicrosegError, problem } from "../model/problems.js";

/** The file that marks a directory as written by microseg (so it may be replaced). */
export const OUTPUT_MARKER = ".microseg-output";

function unwritable(path: string, why: string): MicrosegError {
  return new MicrosegError(
    problem("output-unwritable", "error", `cannot write ${path}: ${why}`, { file: path }),
  );
}

/**
 * Turns any failure to create, write or rename an output into a located usage error (exit 2)
 * instead of an internal one: the reason is the system's (`no such file or directory (ENOENT)`),
 * never the temporary file's name. A MicrosegError passes through unchanged.
 */
function asOutputError(path: string, e: unknown): MicrosegError {
  if (e instanceof MicrosegError) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  const code = typeof err?.code === "string" ? err.code : undefined;
  const text = String(err?.message ?? e);
  // Node's messages read "ENOENT: no such file or directory, open '/tmp/x.tmp-1-ab'"
  const reason = code && text.startsWith(`${code}: `) ? text.slice(code.length + 2).split(", ")[0] : text;
  return unwritable(path, code ? `${reason} (${code})` : reason);
}

async function kindOf(path: string): Promise<"file" | "dir" | "none"> {
  try {
    return (await stat(path)).isDirectory() ? "dir" : "file";
  } catch {
    return "none";
  }
}

/**
 * Creates `dir` and its missing parents one level at a time. (Node's `mkdir({recursive: true})`
 * never returns for a path under /proc: the kernel answers ENOENT for a parent that exists.)
 */
export async function ensureDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let d = resolve(dir);
  while ((await kindOf(d)) === "none") {
    missing.push(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing.reverse()) {
    await mkdir(m).catch((e: NodeJS.ErrnoException) => {
      if (e?.code !== "EEXIST") throw e;
    });
  }
}

/** Writes `content` to `path` atomically (temp file + rename), creating parent directories. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const abs = resolve(path);
  if ((await kindOf(abs)) === "dir") throw unwritable(path, "it is a directory");
  const tmp = `${abs}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await ensureDir(dirname(abs));
    await writeFile(tmp, content, "utf8");
    await rename(tmp, abs);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw asOutputError(path, e);
  }
}

/** One file of a directory output. */
export interface OutputFile {
  /** Path relative to the directory. */
  path: string;
  content: string;
}

/**
 * Writes a set of files into `dir` atomically: they are written to a fresh temporary directory
 * beside it, then swapped in with renames. An existing `dir` is replaced only when it is empty or
 * was written by microseg; an existing file there is never touched.
 */
export async function writeDirAtomic(dir: string, files: OutputFile[]): Promise<void> {
  const abs = resolve(dir);
  const existing = await kindOf(abs);
  if (existing === "file") throw unwritable(dir, "a file of that name exists (give a directory for --out)");
  if (existing === "dir") {
    const entries = await readdir(abs).catch((e: unknown) => {
      throw asOutputError(dir, e);
    });
    if (entries.length > 0 && !entries.includes(OUTPUT_MARKER))
      throw unwritable(
        dir,
        "the directory holds files microseg did not write; remove it or choose another --out",
      );
  }
  const tmp = `${abs}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await ensureDir(dirname(abs));
    await mkdir(tmp);
    for (const f of [
      ...files,
      { path: OUTPUT_MARKER, content: "written by microseg; replaced whole on the next run\n" },
    ]) {
      const target = resolve(tmp, f.path);
      if (!target.startsWith(`${tmp}/`)) throw unwritable(dir, `refusing to write outside it: ${f.path}`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, f.content, "utf8");
    }
    const old = `${abs}.old-${process.pid}-${randomBytes(4).toString("hex")}`;
    if (existing === "dir") await rename(abs, old);
    await rename(tmp, abs);
    if (existing === "dir") await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw asOutputError(dir, e);
  }
}

/** A comment to place above the node at a path of the document. */
export interface YamlComment {
  path: (string | number)[];
  text: string;
}

/**
 * Serialises an object as one YAML document, with comments above the nodes named by path and
 * an optional header comment. Strings are quoted by the library whenever plain style would
 * change their meaning, so untrusted label values cannot break the YAML.
 */
export function toYaml(object: unknown, opts: { comments?: YamlComment[]; header?: string } = {}): string {
  const doc = new Document(object);
  if (opts.header) doc.commentBefore = opts.header;
  for (const c of opts.comments ?? []) {
    const node = doc.getIn(c.path, true);
    if (isNode(node)) node.commentBefore = c.text.replace(/\r?\n|\r/g, " ");
  }
  return doc.toString({ lineWidth: 0 });
}

/** Joins documents into one multi-document YAML stream. */
export function joinYamlDocuments(docs: string[]): string {
  return docs.map((d) => (d.endsWith("\n") ? d : `${d}\n`)).join("---\n");
}

/**
 * Atomic output: everything a command writes goes to a temporary file beside its target and is
 * renamed into place, so a failure never leaves half-written results. A directory of outputs is
 * staged in a temporary directory and swapped in whole.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Document, isNode } from "yaml";

/** Writes `content` to `path` atomically (temp file + rename), creating parent directories. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const abs = resolve(path);
  await mkdir(dirname(abs), { recursive: true });
  const tmp = `${abs}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await writeFile(tmp, content, "utf8");
    await rename(tmp, abs);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
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
 * beside it, then the old directory (if any) is replaced by it in one rename.
 */
export async function writeDirAtomic(dir: string, files: OutputFile[]): Promise<void> {
  const abs = resolve(dir);
  await mkdir(dirname(abs), { recursive: true });
  const tmp = `${abs}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    for (const f of files) {
      const target = resolve(tmp, f.path);
      if (!target.startsWith(`${tmp}/`))
        throw new Error(`refusing to write outside the output directory: ${f.path}`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, f.content, "utf8");
    }
    const old = `${abs}.old-${process.pid}-${randomBytes(4).toString("hex")}`;
    const exists = await stat(abs).then(
      () => true,
      () => false,
    );
    if (exists) await rename(abs, old);
    await rename(tmp, abs);
    if (exists) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
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
    if (isNode(node)) node.commentBefore = c.text.replace(/\r?\n/g, " ");
  }
  return doc.toString({ lineWidth: 0 });
}

/** Joins documents into one multi-document YAML stream. */
export function joinYamlDocuments(docs: string[]): string {
  return docs.map((d) => (d.endsWith("\n") ? d : `${d}\n`)).join("---\n");
}

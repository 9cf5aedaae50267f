/**
 * Loads and validates `microseg.yaml`; every error names the file and the line of the offending
 * key.
 */
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { MicrosegError, type Problem, problem } from "../model/problems.js";
import { configSchema, type MicrosegConfig } from "./schema.js";

/** Reads and validates a configuration file; no path means the empty configuration. */
export async function loadConfig(path: string | undefined): Promise<MicrosegConfig> {
  if (!path) return {};
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new MicrosegError(
      problem("file-unreadable", "error", `cannot read the configuration: ${(e as Error).message}`, {
        file: path,
      }),
    );
  }
  return parseConfig(text, path);
}

/** Validates configuration text (YAML); errors carry file:line. */
export function parseConfig(text: string, file: string): MicrosegConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = lines.linePos(e.pos[0]);
    throw new MicrosegError(
      problem("yaml-syntax", "error", e.message.split("\n")[0], { file, line: pos.line, column: pos.col }),
    );
  }
  const data = doc.toJS() ?? {};
  const parsed = configSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems: Problem[] = parsed.error.issues.map((issue) => {
    const keyPath = issue.path.map(String);
    const extra = issue.code === "unrecognized_keys" ? issue.keys : [];
    const node = doc.getIn(extra.length ? [...keyPath, extra[0]] : keyPath, true) as
      | { range?: [number, number] }
      | undefined;
    const pair = extra.length ? findKeyOffset(doc.contents, extra[0]) : node?.range?.[0];
    const pos = pair !== undefined ? lines.linePos(pair) : undefined;
    return problem("config-invalid", "error", `${keyPath.join(".") || "(top level)"}: ${issue.message}`, {
      file,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
    });
  });
  throw new MicrosegError(problems);
}

function findKeyOffset(contents: unknown, key: string): number | undefined {
  const items =
    (contents as { items?: { key?: { value?: unknown; range?: [number, number] } }[] })?.items ?? [];
  for (const it of items) if (it.key?.value === key) return it.key.range?.[0];
  return undefined;
}

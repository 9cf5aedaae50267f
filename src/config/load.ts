/**
 * Loads and validates `microseg.yaml`; every error names the file and the line of the offending
 * key.
 */
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { MicrosegError, type Problem, problem } from "../model/problems.js";
import { BASTION, BUILTIN_ZONES } from "../zones/matrix.js";
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
  if (parsed.success) {
    const refs = zoneReferenceProblems(parsed.data).map(({ path, message }) => {
      const offset = issueOffset(doc, path, undefined);
      const pos = offset !== undefined ? lines.linePos(offset) : undefined;
      return problem("config-invalid", "error", `${path.join(".")}: ${message}`, {
        file,
        ...(pos ? { line: pos.line, column: pos.col } : {}),
      });
    });
    if (refs.length) throw new MicrosegError(refs);
    return parsed.data;
  }
  const problems: Problem[] = parsed.error.issues.map((issue) => {
    const keyPath = issue.path.map((k) => (typeof k === "number" ? k : String(k)));
    const extra = issue.code === "unrecognized_keys" ? issue.keys : [];
    const offset = issueOffset(doc, keyPath, extra[0]);
    const pos = offset !== undefined ? lines.linePos(offset) : undefined;
    const where = keyPath.map(String).join(".") || "(top level)";
    return problem("config-invalid", "error", `${where}: ${issue.message}`, {
      file,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
    });
  });
  throw new MicrosegError(problems);
}

/** Zone names the matrix uses that no zone defines, and zones defined twice. */
function zoneReferenceProblems(config: MicrosegConfig): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const defined = new Set<string>(BUILTIN_ZONES);
  (config.zones ?? []).forEach((z, i) => {
    if ((config.zones ?? []).findIndex((x) => x.name === z.name) < i)
      out.push({ path: ["zones", i, "name"], message: `zone ${z.name} is defined twice` });
    defined.add(z.name);
  });
  const known = [...defined].sort().join(", ");
  (config.zoneMatrix ?? []).forEach((f, i) => {
    if (f.from !== "*" && f.from !== BASTION && !defined.has(f.from))
      out.push({
        path: ["zoneMatrix", i, "from"],
        message: `unknown zone "${f.from}" (known: ${known}, bastion, *)`,
      });
    f.to.forEach((t, j) => {
      if (t !== "*" && !defined.has(t))
        out.push({ path: ["zoneMatrix", i, "to", j], message: `unknown zone "${t}" (known: ${known}, *)` });
    });
  });
  return out;
}

type YamlNode = {
  range?: [number, number];
  items?: { key?: { value?: unknown; range?: [number, number] } }[];
};

/**
 * Where an issue is: the unknown key itself, else the node at the path, else the nearest
 * ancestor that exists (a missing key is reported at its parent).
 */
function issueOffset(
  doc: ReturnType<typeof parseDocument>,
  keyPath: (string | number)[],
  unknownKey: string | undefined,
): number | undefined {
  for (let n = keyPath.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(keyPath.slice(0, n), true)) as YamlNode | undefined;
    if (!node) continue;
    if (unknownKey !== undefined && n === keyPath.length) {
      const hit = findKeyOffset(node, unknownKey);
      if (hit !== undefined) return hit;
    }
    if (node.range) return node.range[0];
  }
  return undefined;
}

function findKeyOffset(node: YamlNode, key: string): number | undefined {
  for (const it of node.items ?? []) if (it.key?.value === key) return it.key.range?.[0];
  return undefined;
}

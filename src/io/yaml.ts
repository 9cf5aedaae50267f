/**
 * YAML and JSON reading with locations: every document (and every item of a `kind: List` /
 * `*List`) knows the file and 1-based line it starts on, and can tell the line of any path
 * inside it. A syntax error is fatal (`yaml-syntax`, with `file:line:col` and what was expected)
 * unless the caller asks to skip broken documents.
 */
import { type Document, isNode, LineCounter, parseAllDocuments, type YAMLError } from "yaml";
import { MicrosegError, type Problem, problem } from "../model/problems.js";
import { readTextFile } from "./files.js";

/** A path inside a document: keys and sequence indexes. */
export type DocPath = readonly (string | number)[];

/** One parsed document (or one item of a list document) with where it is. */
export interface YamlDocument {
  /** The plain JS value (objects, arrays, strings, numbers, booleans, null). */
  value: unknown;
  file: string;
  /** 1-based line where the document's (or item's) content starts. */
  line: number;
  /** The 1-based line of a path inside this value, when it is there. */
  lineAt(path: DocPath): number | undefined;
}

/** Options for YAML parsing. */
export interface ParseYamlOptions {
  /**
   * `fatal` (default, DESIGN "bad input"): a syntax error throws a MicrosegError. `skip`: the
   * broken documents are dropped and reported as warnings; the others are kept (peer tools that
   * warn instead of failing do this).
   */
  syntaxErrors?: "fatal" | "skip";
}

/** Documents of one file and the non-fatal problems found while reading them. */
export interface YamlParseResult {
  documents: YamlDocument[];
  problems: Problem[];
}

/** What each `yaml` error code means the parser expected, for messages. */
const EXPECTED_BY_CODE: Readonly<Record<string, string>> = {
  BAD_INDENT: "consistent indentation with spaces",
  TAB_AS_INDENT: "spaces for indentation, not tabs",
  BAD_SCALAR_START: "a quoted string when a value starts with a reserved character",
  UNEXPECTED_TOKEN: "a `key: value` pair, a `- item` or the end of the document",
  MISSING_CHAR: "the closing character of a quoted string or flow collection",
  DUPLICATE_KEY: "unique keys in a mapping",
  MULTILINE_IMPLICIT_KEY: "a mapping key on a single line",
  BLOCK_AS_IMPLICIT_KEY: "a scalar as mapping key",
  MULTIPLE_DOCS: "one document",
  BAD_DIRECTIVE: "a valid %YAML or %TAG directive",
  BAD_ALIAS: "an alias to an anchor defined before it",
  UNEXPECTED_FLOW_END: "no flow collection end here",
};

/**
 * Parses every document of a YAML (or JSON) text. Empty documents are skipped. Throws a
 * MicrosegError (`yaml-syntax`) on the first syntax error unless `syntaxErrors: "skip"`.
 */
export function parseYamlDocuments(text: string, file: string, opts: ParseYamlOptions = {}): YamlParseResult {
  const first = parseOnce(text, file);
  if (first.errors.length === 0) return { documents: first.documents, problems: first.warnings };
  const retried = retryWithTabsExpanded(text, file) ?? retryWithQuotedLinesIndented(text, file);
  if (retried) return retried;
  const jsonFallback = file.toLowerCase().endsWith(".json") ? parseAsPlainJson(text, file) : undefined;
  if (jsonFallback) return jsonFallback;
  if ((opts.syntaxErrors ?? "fatal") === "fatal") throw new MicrosegError(first.errors[0]);
  const problems = [...first.warnings, ...first.errors.map((p) => ({ ...p, severity: "warning" as const }))];
  return { documents: first.documents, problems };
}

interface ParseOutcome {
  /** The documents without errors. */
  documents: YamlDocument[];
  /** One `yaml-syntax` error per broken document. */
  errors: Problem[];
  warnings: Problem[];
}

function parseOnce(text: string, file: string): ParseOutcome {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, merge: true, prettyErrors: false });
  const out: ParseOutcome = { documents: [], errors: [], warnings: [] };
  for (const doc of docs as Document.Parsed[]) {
    if (doc.errors.length > 0) {
      out.errors.push(syntaxProblem(doc.errors[0], text, file, lineCounter));
      continue;
    }
    for (const w of doc.warnings) out.warnings.push(syntaxProblem(w, text, file, lineCounter, "warning"));
    const located = locateDocument(doc, file, lineCounter);
    if (located) out.documents.push(located);
  }
  return out;
}

function locateDocument(
  doc: Document.Parsed,
  file: string,
  lineCounter: LineCounter,
): YamlDocument | undefined {
  const value: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (value === null || value === undefined) return undefined;
  const lineAt = (path: DocPath): number | undefined => {
    const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
    if (!isNode(node) || !node.range) return undefined;
    return lineCounter.linePos(node.range[0]).line;
  };
  return { value, file, line: lineAt([]) ?? 1, lineAt };
}

function syntaxProblem(
  err: YAMLError,
  text: string,
  file: string,
  lineCounter: LineCounter,
  severity: "error" | "warning" = "error",
): Problem {
  const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
  const what = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  // Messages that already say what they need ("must be…", "need to be…") get no hint.
  const expected = /\b(must|need)\b/.test(what) ? undefined : EXPECTED_BY_CODE[err.code];
  const found = foundText(text, err.pos[0]);
  const message = [
    `invalid YAML: ${what}`,
    expected ? `expected ${expected}` : undefined,
    found ? `found ${found}` : "found the end of the file",
  ]
    .filter(Boolean)
    .join("; ");
  return problem("yaml-syntax", severity, message, { file, line: pos.line, column: pos.col });
}

/** The text at an offset, up to the end of its line, quoted (empty at end of input). */
function foundText(text: string, offset: number): string | undefined {
  if (offset >= text.length) return undefined;
  const end = text.indexOf("\n", offset);
  const rest = text.slice(offset, end < 0 ? undefined : end).replace(/\r$/, "");
  const cut = rest.length > 60 ? `${rest.slice(0, 57)}...` : rest;
  return cut.trim() === "" ? "the end of the line" : JSON.stringify(cut);
}

/**
 * libyaml (kubectl, netpol-analyzer) accepts tabs in the leading whitespace of flow content;
 * the `yaml` package does not. When the text has such tabs and fails, read it again with them
 * as spaces; keep the result only when it parses cleanly, and say so.
 */
function retryWithTabsExpanded(text: string, file: string): YamlParseResult | undefined {
  if (!/^[ ]*\t/m.test(text)) return undefined;
  const expanded = text.replace(/^[ \t]+/gm, (ws) => ws.replace(/\t/g, "        "));
  const again = parseOnce(expanded, file);
  if (again.errors.length > 0) return undefined;
  const note = problem(
    "yaml-syntax",
    "warning",
    "tabs in indentation were read as 8 spaces (YAML forbids tabs there; kubectl accepts them)",
    { file },
  );
  return { documents: again.documents, problems: [...again.warnings, note] };
}

/**
 * libyaml also accepts continuation lines of a multi-line quoted scalar indented as deep as the
 * key that holds it (`config: '{` … `  }'`); the `yaml` package wants them deeper. Leading
 * whitespace of such lines is not part of the value, so indenting them by one space is safe.
 */
function retryWithQuotedLinesIndented(text: string, file: string): YamlParseResult | undefined {
  const lines = text.split("\n");
  let quote: string | undefined;
  let changed = false;
  const out = lines.map((line) => {
    const inside = quote !== undefined;
    quote = scanQuotes(line, quote);
    if (!inside) return line;
    changed = true;
    return ` ${line}`;
  });
  if (!changed) return undefined;
  const again = parseOnce(out.join("\n"), file);
  if (again.errors.length > 0) return undefined;
  const note = problem(
    "yaml-syntax",
    "warning",
    "a multi-line quoted string is indented less than YAML requires (kubectl accepts it)",
    { file },
  );
  return { documents: again.documents, problems: [...again.warnings, note] };
}

/** The quote still open at the end of a line (undefined if none), given the one open at its start. */
function scanQuotes(line: string, open: string | undefined): string | undefined {
  let q = open;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q === undefined) {
      if (ch === "#" && (i === 0 || /\s/.test(line[i - 1]))) return undefined;
      if ((ch === "'" || ch === '"') && /(^|[\s:\-[{,])$/.test(line.slice(Math.max(0, i - 1), i))) q = ch;
    } else if (q === '"' && ch === "\\") {
      i++;
    } else if (ch === q) {
      if (q === "'" && line[i + 1] === "'") i++;
      else q = undefined;
    }
  }
  return q;
}

/** A JSON file that YAML rejects but JSON.parse accepts: one document, located at line 1. */
function parseAsPlainJson(text: string, file: string): YamlParseResult | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null) return { documents: [], problems: [] };
  return { documents: [{ value, file, line: 1, lineAt: () => undefined }], problems: [] };
}

/** Reads and parses a YAML or JSON file (fatal `file-unreadable` / `yaml-syntax`). */
export async function readYamlFile(file: string, opts: ParseYamlOptions = {}): Promise<YamlParseResult> {
  return parseYamlDocuments(await readTextFile(file), file, opts);
}

/** True for `kind: List` and `*List` kinds (PodList, NamespaceList…) that carry an `items` array. */
export function isListDocument(value: unknown): value is { kind: string; items: unknown[] } {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as { kind?: unknown; items?: unknown };
  return typeof v.kind === "string" && v.kind.endsWith("List") && Array.isArray(v.items);
}

/**
 * Flattens list documents (`kind: List`, `PodList`, … as `kubectl get -o yaml|json` prints
 * them) into their items, each with its own line; other documents pass through. Items of a
 * typed list without a kind get the list's (`PodList` → `Pod`). Nested lists are flattened too.
 */
export function flattenListDocuments(docs: readonly YamlDocument[]): YamlDocument[] {
  const out: YamlDocument[] = [];
  for (const doc of docs) {
    if (!isListDocument(doc.value)) {
      out.push(doc);
      continue;
    }
    const itemKind = doc.value.kind === "List" ? undefined : doc.value.kind.slice(0, -"List".length);
    const apiVersion = (doc.value as { apiVersion?: unknown }).apiVersion;
    const items = doc.value.items.map((item, i) => listItem(doc, withKind(item, itemKind, apiVersion), i));
    out.push(...flattenListDocuments(items.filter((d) => d.value !== null && d.value !== undefined)));
  }
  return out;
}

/** Items of a typed list (`PodList`) may leave out their kind and apiVersion: they are the list's. */
function withKind(item: unknown, kind: string | undefined, apiVersion: unknown): unknown {
  if (!kind || !item || typeof item !== "object" || Array.isArray(item)) return item;
  const obj = item as Record<string, unknown>;
  if (obj.kind !== undefined) return item;
  return { apiVersion: obj.apiVersion ?? apiVersion, kind, ...obj };
}

function listItem(doc: YamlDocument, item: unknown, index: number): YamlDocument {
  const prefix = ["items", index] as const;
  const lineAt = (path: DocPath): number | undefined => doc.lineAt([...prefix, ...path]);
  return { value: item, file: doc.file, line: lineAt([]) ?? doc.line, lineAt };
}

/** Reads a manifest file: its documents with list documents flattened into their items. */
export async function readManifestFile(file: string, opts: ParseYamlOptions = {}): Promise<YamlParseResult> {
  const parsed = await readYamlFile(file, opts);
  return { documents: flattenListDocuments(parsed.documents), problems: parsed.problems };
}

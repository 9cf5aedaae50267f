/**
 * Test helper for flow formats: parses a whole file (or text) the way src/io/flow-files.ts does
 * (document mode when the format asks for it) and counts flows, ignored and malformed records.
 */
import { readFileSync } from "node:fs";
import { parseJsonDocumentText } from "../../src/ingest/json-doc.js";
import type { FlowFormat, FlowParserOptions, FlowSkip, LocatedParseResult } from "../../src/ingest/types.js";
import { isFlowSkip } from "../../src/ingest/types.js";
import type { Flow } from "../../src/model/flow.js";

/** What a file parsed into. */
export interface ParsedFlows {
  flows: Flow[];
  ignored: (FlowSkip & { line: number })[];
  malformed: (FlowSkip & { line: number })[];
}

/** Parses text with a format (line by line, or as a document when the format reads documents). */
export function parseText(
  format: FlowFormat,
  text: string,
  file = "test",
  options?: FlowParserOptions,
): ParsedFlows {
  const lines = text.split("\n");
  let results: Iterable<LocatedParseResult>;
  if (format.jsonDocument && (format.isDocument?.(lines.slice(0, 10)) ?? true)) {
    results = parseJsonDocumentText(format.jsonDocument, text, file, options);
  } else {
    const parser = format.createParser(file, options);
    results = lines.map((l, i) => ({ line: i + 1, result: parser.parse(l, i + 1) }));
  }
  const out: ParsedFlows = { flows: [], ignored: [], malformed: [] };
  for (const { line, result } of results) {
    if (result === null) continue;
    if (!isFlowSkip(result)) out.flows.push(result);
    else if (result.skip === "ignored") out.ignored.push({ ...result, line });
    else out.malformed.push({ ...result, line });
  }
  return out;
}

/** Parses a file with a format. */
export function parseFile(format: FlowFormat, file: string, options?: FlowParserOptions): ParsedFlows {
  return parseText(format, readFileSync(file, "utf8"), file, options);
}

/** Counts values. */
export function tally<T>(items: readonly T[], key: (t: T) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) {
    const k = key(t) ?? "?";
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

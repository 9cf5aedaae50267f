/**
 * JSON document helpers for document formats: parsing one value the splitter cut out
 * (src/ingest/json-splitter.ts), telling a document from JSON lines by its first lines, and reading
 * a whole text in memory the way readers stream a file (tests, small inputs).
 */
import { DEFAULT_MAX_VALUE_CHARS, type JsonChunk, splitJsonText } from "./json-splitter.js";
import {
  type FlowParserOptions,
  type FlowSkip,
  type JsonDocumentReader,
  type LocatedParseResult,
  malformed,
} from "./types.js";

export type { JsonChunk } from "./json-splitter.js";

/** Parses a chunk; undefined when it is not valid JSON. */
export function parseChunk(chunk: JsonChunk): unknown {
  try {
    return JSON.parse(chunk.text);
  } catch {
    return undefined;
  }
}

/** True when the first non-blank line does not hold a whole JSON value (a pretty-printed document or an array). */
export function startsJsonDocument(firstLines: readonly string[]): boolean {
  const first = firstLines.map((l) => l.trim()).find((l) => l.length > 0);
  if (!first) return false;
  if (first.startsWith("[")) return true;
  try {
    JSON.parse(first);
    return false;
  } catch {
    return first.startsWith("{");
  }
}

/** The malformed record a value longer than the cap (`maxChars` characters) stands for. */
export function overlongValue(maxChars: number): FlowSkip {
  const m = maxChars / (1024 * 1024);
  const size = `${Number.isInteger(m) ? m : m.toFixed(1)} MiB`;
  return malformed(`JSON value longer than ${size} (${maxChars} characters) skipped`);
}

/** The results of one value the splitter cut out: an over-long one is one malformed record. */
export function parseJsonValue(
  reader: JsonDocumentReader,
  value: JsonChunk,
  file: string,
  options: { parserOptions?: FlowParserOptions; maxValueChars?: number } = {},
): Iterable<LocatedParseResult> {
  if (!value.overlong) return reader.parseValue(value, file, options.parserOptions);
  return [{ line: value.line, result: overlongValue(options.maxValueChars ?? DEFAULT_MAX_VALUE_CHARS) }];
}

/** The results of a whole document text, value by value, as readers get them from a streamed file. */
export function* parseJsonDocumentText(
  reader: JsonDocumentReader,
  text: string,
  file: string,
  parserOptions?: FlowParserOptions,
): Generator<LocatedParseResult> {
  for (const value of splitJsonText(text, { unwrap: reader.unwrap }))
    yield* parseJsonValue(reader, value, file, { parserOptions });
}

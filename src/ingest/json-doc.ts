/**
 * JSON document helpers for document formats: parsing one value the splitter cut out
 * (src/ingest/json-splitter.ts), telling a document from JSON lines by its first lines, and reading
 * a whole text in memory the way readers stream a file (tests, small inputs).
 */
import { capText } from "../io/line-reader.js";
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

/** Options of {@link parseJsonValue}. */
export interface JsonValueOptions {
  parserOptions?: FlowParserOptions;
  /** The cap the splitter applied, in characters (default {@link DEFAULT_MAX_VALUE_CHARS}). */
  maxValueChars?: number;
  /** Appended to an over-long value's reason (how to raise the cap). */
  overlongHint?: string;
}

/** The malformed record a value longer than the cap (`maxChars` characters) stands for. */
export function overlongValue(maxChars: number, hint = ""): FlowSkip {
  return malformed(`JSON value longer than ${capText(maxChars)} skipped${hint}`);
}

/** The malformed record a value the text ends inside stands for. */
export const TRUNCATED_VALUE = "the file ends inside this JSON value (a cut-off document?); value skipped";

/** The malformed record a document cut between its values stands for (an array or wrapper never closed). */
export const TRUNCATED_DOCUMENT =
  "the file ends inside the JSON document (an array or object was never closed: a cut-off document?)";

/**
 * The results of one value the splitter cut out: an over-long one, or one the text ends inside,
 * is one malformed record at its line.
 */
export function parseJsonValue(
  reader: JsonDocumentReader,
  value: JsonChunk,
  file: string,
  options: JsonValueOptions = {},
): Iterable<LocatedParseResult> {
  if (value.overlong) {
    const max = options.maxValueChars ?? DEFAULT_MAX_VALUE_CHARS;
    return [{ line: value.line, result: overlongValue(max, options.overlongHint) }];
  }
  if (value.truncated)
    return [
      { line: value.line, result: malformed(value.text === "" ? TRUNCATED_DOCUMENT : TRUNCATED_VALUE) },
    ];
  return reader.parseValue(value, file, options.parserOptions);
}

/**
 * The results of a whole document text, value by value, as readers get them from a streamed file
 * (tests, small inputs; src/io/flow-documents.ts streams files).
 */
export function* parseJsonDocumentText(
  reader: JsonDocumentReader,
  text: string,
  file: string,
  parserOptions?: FlowParserOptions,
  maxValueChars?: number,
): Generator<LocatedParseResult> {
  for (const value of splitJsonText(text, { unwrap: reader.unwrap, maxValueChars }))
    yield* parseJsonValue(reader, value, file, { parserOptions, maxValueChars });
}

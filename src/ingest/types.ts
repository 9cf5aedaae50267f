/**
 * The FlowFormat plugin interface: one implementation per flow-log format (src/ingest/<format>/),
 * listed in the explicit registry array of src/ingest/registry.ts.
 */
import type { Flow } from "../model/flow.js";
import type { JsonChunk } from "./json-splitter.js";

/** Why a line carried no flow: `ignored` (a status record of the source) or `malformed`. */
export type FlowSkipKind = "ignored" | "malformed";

/** A line that carries no flow, with the reason (messages say what was expected and what was found). */
export interface FlowSkip {
  skip: FlowSkipKind;
  reason: string;
}

/** What a parser makes of one line: a flow, a skipped record, or `null` for a line that is no record (blank, comment, header). */
export type FlowParseResult = Flow | FlowSkip | null;

/** Options a parser may take from the command line (e.g. `--vpc-fields`). */
export interface FlowParserOptions {
  /** AWS VPC flow logs without a header line: the field names in order (space- or comma-separated). */
  vpcFields?: string;
}

/** One result of a document parser with the 1-based line the record starts on. */
export interface LocatedParseResult {
  line: number;
  result: FlowParseResult;
}

/** How a document format reads the values of a JSON document (see FlowFormat.jsonDocument). */
export interface JsonDocumentReader {
  /** Keys of a top-level object whose array holds the records, read element by element (Azure: `records`). */
  readonly unwrap?: readonly string[];
  /** The results of one value: an array element, an unwrapped record (`key` set) or a top-level value. */
  parseValue(value: JsonChunk, file: string, options?: FlowParserOptions): Iterable<LocatedParseResult>;
}

/** A parser for one file: it may keep state across lines (header lines, column layouts). */
export interface FlowParser {
  /** Parses one line; `lineNo` is 1-based. Never throws for bad input: it returns a FlowSkip. */
  parse(line: string, lineNo: number): FlowParseResult;
}

/** One flow-log format. */
export interface FlowFormat {
  /** The name `--format` takes (kebab-case, unique). */
  readonly name: string;
  /** One line for `--help` and error messages. */
  readonly description: string;
  /** How sure the format is that these first lines of a file are its own: 0 (not mine) … 1 (certainly mine). */
  detect(firstLines: readonly string[]): number;
  /** A fresh parser for one file (or stdin). */
  createParser(file: string, options?: FlowParserOptions): FlowParser;
  /**
   * Document formats (JSON documents that are not one record per line, e.g. Azure's
   * `{"records":[…]}` or a JSON array of log entries): how a document is read value by value.
   * Readers (src/io/flow-documents.ts) stream the file through src/ingest/json-splitter.ts and call
   * it instead of the line parser when `isDocument` says the file is a document; memory is one
   * value, not the file, and a value over the cap is one malformed record at its line.
   */
  jsonDocument?: JsonDocumentReader;
  /** With `jsonDocument`: whether a file starting with these lines is read as a document (default: always). */
  isDocument?(firstLines: readonly string[]): boolean;
  /**
   * Binary formats (Parquet): reads a file by path, one result per record (`line` = row number).
   * Readers call it instead of reading lines when `isBinaryFile` claims the file.
   */
  readFile?(file: string, options?: FlowParserOptions): AsyncIterable<LocatedParseResult>;
  /** With `readFile`: true when the file (its name and first bytes) is in this format's binary form. */
  isBinaryFile?(file: string, head: Uint8Array): boolean;
}

/** True when a parse result is a skipped record. */
export function isFlowSkip(r: FlowParseResult): r is FlowSkip {
  return r !== null && "skip" in r;
}

/** A malformed-record result. */
export function malformed(reason: string): FlowSkip {
  return { skip: "malformed", reason };
}

/** An ignored-record result (a record of the source that is not a flow). */
export function ignored(reason: string): FlowSkip {
  return { skip: "ignored", reason };
}

/**
 * The FlowFormat plugin interface: one implementation per flow-log format (src/ingest/<format>/),
 * listed in the explicit registry array of src/ingest/registry.ts.
 */
import type { Flow } from "../model/flow.js";

/** Why a line carried no flow: `ignored` (a status record of the source) or `malformed`. */
export type FlowSkipKind = "ignored" | "malformed";

/** A line that carries no flow, with the reason (messages say what was expected and what was found). */
export interface FlowSkip {
  skip: FlowSkipKind;
  reason: string;
}

/** What a parser makes of one line: a flow, a skipped record, or `null` for a line that is no record (blank, comment, header). */
export type FlowParseResult = Flow | FlowSkip | null;

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
  createParser(file: string): FlowParser;
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

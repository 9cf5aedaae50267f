/**
 * Reading JSON document formats (Azure `{"records":[…]}`, GCP `gcloud logging read --format=json`
 * arrays, pretty-printed entries) as a stream: the text goes chunk by chunk through a
 * JsonValueSplitter, each value is parsed as soon as it is complete, and flows come out in batches.
 * Memory is one value plus one batch, whatever the size of the document and however it is laid out
 * (pretty-printed, or minified on one line). A value over the cap is one malformed record at the
 * line it starts on; the values around it are read.
 */
import { parseJsonValue } from "../ingest/json-doc.js";
import { DEFAULT_MAX_VALUE_CHARS, type JsonChunk, JsonValueSplitter } from "../ingest/json-splitter.js";
import type { FlowParseResult, FlowParserOptions, JsonDocumentReader } from "../ingest/types.js";
import type { Flow } from "../model/flow.js";

/** The environment variable that sets the cap on one JSON value of a document, in MiB. */
export const MAX_JSON_VALUE_ENV = "MICROSEG_MAX_JSON_VALUE_MB";

/** Flows per batch at most (a batch also ends with each chunk of text). */
const BATCH_FLOWS = 4096;

/** How {@link readJsonDocument} reads and where its results go. */
export interface JsonDocumentReadOptions {
  /** The name the origins of flows carry. */
  file: string;
  parserOptions?: FlowParserOptions;
  /** The longest value read, in characters (see {@link maxJsonValueChars}). */
  maxValueChars: number;
  /** Takes one result of line `line` (counts it, reports a malformed one); returns the flow if it is one. */
  take(line: number, result: FlowParseResult): Flow | undefined;
}

/**
 * The cap on one JSON value: `option` when set, else `MICROSEG_MAX_JSON_VALUE_MB` MiB from the
 * environment, else {@link DEFAULT_MAX_VALUE_CHARS} (64 MiB).
 */
export function maxJsonValueChars(option?: number): number {
  if (option && option > 0) return option;
  const env = Number(process.env[MAX_JSON_VALUE_ENV]);
  return Number.isFinite(env) && env > 0 ? Math.floor(env * 1024 * 1024) : DEFAULT_MAX_VALUE_CHARS;
}

/**
 * Reads a document from its text chunks value by value; yields the flows in batches and returns
 * the number of lines read.
 */
export async function* readJsonDocument(
  reader: JsonDocumentReader,
  chunks: AsyncIterable<string>,
  o: JsonDocumentReadOptions,
): AsyncGenerator<Flow[], number> {
  const splitter = new JsonValueSplitter({ unwrap: reader.unwrap, maxValueChars: o.maxValueChars });
  const valueOptions = {
    parserOptions: o.parserOptions,
    maxValueChars: o.maxValueChars,
    overlongHint: ` (${MAX_JSON_VALUE_ENV}=N raises the cap)`,
  };
  function* batches(values: readonly JsonChunk[]): Generator<Flow[]> {
    let batch: Flow[] = [];
    for (const value of values) {
      for (const { line, result } of parseJsonValue(reader, value, o.file, valueOptions)) {
        const flow = o.take(line, result);
        if (!flow) continue;
        batch.push(flow);
        if (batch.length >= BATCH_FLOWS) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  }
  for await (const text of chunks) yield* batches(splitter.push(text));
  yield* batches(splitter.end());
  return splitter.lines;
}

/**
 * AWS VPC flow logs delivered to S3 as Parquet: the same fields as columns with underscores
 * (`account_id`, `log_status`, `pkt_src_aws_service` …). DuckDB (the project's engine) reads the
 * file; each row is turned into a text record in column order and parsed by the text parser, so both
 * forms map to flows the same way. Row numbers stand in for line numbers.
 */
import type { FlowParserOptions, LocatedParseResult } from "../types.js";
import { normaliseFieldName } from "./fields.js";
import { VpcLineParser } from "./parse.js";

/** Parquet files start (and end) with the magic bytes `PAR1`. */
export function isParquet(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;
}

/** A SQL string literal. */
function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** One cell as a text field: null and empty → `-`, spaces (never in VPC values) → `_`. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return "-";
  const s = String(v);
  return s === "" ? "-" : s.includes(" ") ? s.replaceAll(" ", "_") : s;
}

/** Streams the flows of a VPC flow-log Parquet file (one result per row). */
export async function* readVpcParquet(
  file: string,
  options?: FlowParserOptions,
): AsyncGenerator<LocatedParseResult> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    const result = await conn.stream(`SELECT * FROM read_parquet(${sqlString(file)})`);
    const fields = result.columnNames().map(normaliseFieldName);
    const parser = new VpcLineParser(file, options);
    parser.useFields(fields, `the Parquet columns of ${file}`);
    let row = 0;
    for await (const chunk of result) {
      for (const values of chunk.getRows()) {
        row++;
        yield { line: row, result: parser.parse(values.map(cell).join(" "), row) };
      }
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

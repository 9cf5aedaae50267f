/**
 * The reference: DuckDB's own CSV reader and GROUP BY on the same VPC file, nothing else.
 * Prints `groups seconds` on stdout.
 *
 * Usage: tsx bench/ingest/plain-query.ts FILE
 */
import { DuckDBInstance } from "@duckdb/node-api";

const [file] = process.argv.slice(2);
const db = await DuckDBInstance.create(":memory:", { memory_limit: "640MB" });
const conn = await db.connect();
const t0 = process.hrtime.bigint();
const r = await conn.runAndReadAll(
  `SELECT count(*) AS groups FROM (
     SELECT srcaddr, dstaddr, dstport, protocol, action, count(*) AS n
     FROM read_csv('${file.replaceAll("'", "''")}', delim = ' ', header = true)
     GROUP BY srcaddr, dstaddr, dstport, protocol, action)`,
);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(`${String(r.getRowObjects()[0].groups)} ${secs}\n`);

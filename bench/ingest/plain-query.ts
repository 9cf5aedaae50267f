/**
 * The reference: DuckDB's own CSV reader and GROUP BY on the same VPC file, nothing else.
 * `referenceSql` is the query; run directly, this prints `groups seconds` on stdout. The bench
 * (./run.ts) runs the same query in a plain `node` process (no TypeScript loader), so that its
 * whole-process time compares like for like with `microseg ingest`'s.
 *
 * Usage: tsx bench/ingest/plain-query.ts FILE
 */
import { DuckDBInstance } from "@duckdb/node-api";

/** The reference query on a VPC flow-log file with a header line. */
export function referenceSql(file: string): string {
  return `SELECT count(*) AS groups FROM (
     SELECT srcaddr, dstaddr, dstport, protocol, action, count(*) AS n
     FROM read_csv('${file.replaceAll("'", "''")}', delim = ' ', header = true)
     GROUP BY srcaddr, dstaddr, dstport, protocol, action)`;
}

/** The same as a JavaScript module for `node --input-type=module -e` (SQL in argv[1]). */
export const REFERENCE_JS = `
import { DuckDBInstance } from "@duckdb/node-api";
const db = await DuckDBInstance.create(":memory:");
const conn = await db.connect();
const t0 = process.hrtime.bigint();
const r = await conn.runAndReadAll(process.argv[1]);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(String(r.getRowObjects()[0].groups) + " " + secs + "\\n");
`;

async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const t0 = process.hrtime.bigint();
  const r = await conn.runAndReadAll(referenceSql(file));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${String(r.getRowObjects()[0].groups)} ${secs}\n`);
}

if (process.argv[1]?.endsWith("plain-query.ts")) await main();

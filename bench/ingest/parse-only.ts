/**
 * The streaming parse alone, on one core: read the file in chunks, split lines, run the format's
 * parser on every line. Prints `records bytes seconds` on stdout.
 *
 * Usage: tsx bench/ingest/parse-only.ts FILE aws-vpc|hubble
 */
import { statSync } from "node:fs";
import { getFormat } from "../../src/ingest/registry.js";
import { isFlowSkip } from "../../src/ingest/types.js";
import { readFileLines } from "../../src/store/ingest/read.js";

const [file, formatName] = process.argv.slice(2);
const parser = getFormat(formatName ?? "aws-vpc").createParser(file);
const t0 = process.hrtime.bigint();
let records = 0;
for await (const batch of readFileLines(file, { bytes: 0 })) {
  for (let i = 0; i < batch.lines.length; i++) {
    const r = parser.parse(batch.lines[i], batch.first + i);
    if (r !== null && !isFlowSkip(r)) records++;
  }
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(`${records} ${statSync(file).size} ${secs}\n`);

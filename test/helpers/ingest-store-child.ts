/**
 * A child process for memory tests: ingests the flow inputs named on the command line into an
 * in-memory store with the store's ingest pipeline (format detection included) and prints one JSON
 * line: records, malformed lines and the format chosen.
 */
import { ingestFiles } from "../../src/store/ingest/pipeline.js";
import { MemoryStore } from "../../src/store/memory/index.js";

const store = new MemoryStore();
const s = await ingestFiles({ store, flows: process.argv.slice(2) });
process.stdout.write(
  `${JSON.stringify({ records: s.counts.records, malformed: s.malformedLines, formats: s.files.map((f) => f.format) })}\n`,
);

/**
 * Child process for the ClickHouse kill test: opens the store named by argv[2], begins a file and
 * writes 1,000-row chunks of edges forever, printing `chunk N` after each; it never commits.
 * The test kills it with SIGKILL while it writes.
 */
import { openClickHouseStore } from "../../src/store/clickhouse/index.js";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 2, 1);

const store = await openClickHouseStore(process.argv[2]);
const writer = await store.beginFile();
for (let i = 0; ; i++) {
  await writer.addEdges(
    Array.from({ length: 1000 }, (_, j) => ({
      hour: T0 + (j % 24) * HOUR,
      src: `kill/s${j % 50}`,
      dst: `kill/d${i % 7}`,
      protocol: "TCP",
      port: 8080,
      verdict: "forwarded",
      flows: 1,
      bytes: 10,
      packets: 1,
      firstSeen: T0 + (j % 24) * HOUR,
      lastSeen: T0 + (j % 24) * HOUR,
    })),
  );
  process.stdout.write(`chunk ${i}\n`);
}

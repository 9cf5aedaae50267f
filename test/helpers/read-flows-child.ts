/**
 * A child process for memory tests: reads the flow inputs named on the command line with
 * readFlowBatches and prints one JSON line: flows, problems and the peak heap seen between batches.
 */
import { readFlowBatches } from "../../src/io/flow-files.js";
import { ProblemSink } from "../../src/model/problems.js";

const problems = new ProblemSink();
let flows = 0;
let peakHeap = 0;
for await (const batch of readFlowBatches(process.argv.slice(2), { problems })) {
  flows += batch.length;
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}
process.stdout.write(
  `${JSON.stringify({ flows, problems: problems.items.length, peakHeapMB: Math.round(peakHeap / 2 ** 20) })}\n`,
);

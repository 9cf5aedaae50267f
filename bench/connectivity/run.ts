/**
 * The connectivity benchmark: generates seeded clusters of several sizes and measures each in a
 * fresh Node process (so peak memory is that size's own), printing a table of wall times, peak
 * memory and the ratio to the pairwise reference evaluator run in the same process on the same
 * cluster (on every pair for the small sizes, on sampled source workloads for 1k, extrapolated).
 * The analysis time is the best of three runs, shown with its CPU time and the load average, since
 * the machine may be shared; the ratio uses that best analysis time.
 *
 *   npm run bench:connectivity            (or: npx tsx bench/connectivity/run.ts [--seed N] [--quick])
 */
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Measurement } from "./measure.js";

interface Case {
  pods: number;
  namespaces: number;
  policies: number;
  /** `all`, `none`, or the number of sampled source workloads. */
  reference: string;
}

const CASES: Case[] = [
  { pods: 100, namespaces: 10, policies: 20, reference: "all" },
  { pods: 200, namespaces: 20, policies: 40, reference: "all" },
  { pods: 1000, namespaces: 100, policies: 200, reference: "10" },
  { pods: 10000, namespaces: 1000, policies: 2000, reference: "none" },
];

function measure(c: Case, seed: number): Measurement {
  const script = fileURLToPath(new URL("./measure.ts", import.meta.url));
  const args = ["--import", "tsx", "--expose-gc", script];
  args.push("--pods", `${c.pods}`, "--namespaces", `${c.namespaces}`, "--policies", `${c.policies}`);
  args.push("--seed", `${seed}`, "--reference", c.reference);
  const out = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Measurement;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (m: number) => `${Math.round(m)} MiB`;

function row(m: Measurement): string[] {
  const ref = m.reference;
  const refText = ref
    ? `${s(ref.estimatedFullMs)}${ref.sampledSources < m.pods ? ` (est. from ${ref.sampledSources} sources)` : ""}`
    : "—";
  return [
    `${m.pods}/${m.namespaces}/${m.policies}`,
    `${m.classes}`,
    `${s(m.analysisMs)} (CPU ${s(m.analysisCpuMs)})`,
    mib(m.analysisPeakRssMiB),
    `${s(m.listingMs)} (${m.listingLines} lines)`,
    mib(m.peakRssMiB),
    refText,
    ref ? `${Math.round(ref.ratio)}×` : "—",
    ref ? `${ref.disagreements}/${ref.checks}` : "—",
    m.loadAverage.toFixed(1),
  ];
}

function main(): void {
  const { values } = parseArgs({
    options: { seed: { type: "string", default: "1" }, quick: { type: "boolean", default: false } },
  });
  const seed = Number(values.seed);
  const cases = values.quick ? CASES.slice(0, 3) : CASES;
  console.log(
    `connectivity bench: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, seed ${seed}`,
  );
  const head = [
    "pods/ns/policies",
    "classes",
    "analysis",
    "peak RSS (analysis)",
    "full listing",
    "peak RSS (listing)",
    "reference",
    "ratio",
    "ref. disagreements",
    "load avg",
  ];
  const rows: string[][] = [head];
  for (const c of cases) {
    const m = measure(c, seed);
    rows.push(row(m));
    console.log(`  ${rows.at(-1)!.join(" | ")}`);
  }
  console.log();
  console.log(`| ${head.join(" | ")} |`);
  console.log(`|${head.map(() => "---").join("|")}|`);
  for (const r of rows.slice(1)) console.log(`| ${r.join(" | ")} |`);
}

main();

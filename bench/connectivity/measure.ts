/**
 * Measures one cluster size in this process and prints one JSON line: generation, parsing, the
 * analysis itself (identity classes + class matrix; best wall time of --repeat runs, with its CPU
 * time), the full listing (expansion to workload
 * pairs, sorting, rendering every `src => dst : conns` line to /dev/null), peak memory, and
 * optionally the pairwise reference run on all pairs or on a sample of source workloads.
 *
 *   npx tsx bench/connectivity/measure.ts --pods 1000 --namespaces 100 --policies 200 [--seed 1]
 *     [--reference all|none|<number of sampled source workloads>] [--repeat 3]
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import {
  type ConnectivityPair,
  connectivityMatrix,
  expandMatrix,
} from "../../src/analysis/connectivity/connectivity.js";
import { resourceOf } from "../../src/eval/test-support.js";
import { ConnSet } from "../../src/model/ports.js";
import { ProblemSink } from "../../src/model/problems.js";
import { displayName } from "../../src/model/workload.js";
import { parseK8sPolicies } from "../../src/policy/k8s/parse.js";
import { renderConnlistTxt } from "../../src/render/connlist.js";
import { prng } from "../prng.js";
import { generateCluster } from "./generate.js";
import { type ReferenceRun, runReference } from "./reference-run.js";

/** One size's figures. */
export interface Measurement {
  pods: number;
  namespaces: number;
  policies: number;
  classes: number;
  generateMs: number;
  parseMs: number;
  /** Best wall time of the analysis over the repeats. */
  analysisMs: number;
  /** CPU time (user + system) of that run. */
  analysisCpuMs: number;
  /** The 1-minute load average when the measurement ended (the machine may be shared). */
  loadAverage: number;
  /** Peak resident set size of the process up to the end of the analysis, MiB. */
  analysisPeakRssMiB: number;
  /** Heap in use right after the analysis (the matrix and caches alive), MiB. */
  analysisHeapMiB: number;
  listingMs: number;
  listingLines: number;
  listingBytes: number;
  peakRssMiB: number;
  reference?: ReferenceRun & { sampledSources: number; estimatedFullMs: number; ratio: number };
}

const MiB = 1024 * 1024;

function lineCompare(a: ConnectivityPair, b: ConnectivityPair): number {
  if (a.src !== b.src) return a.src < b.src ? -1 : 1;
  return a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      pods: { type: "string" },
      namespaces: { type: "string" },
      policies: { type: "string" },
      seed: { type: "string", default: "1" },
      reference: { type: "string", default: "none" },
      repeat: { type: "string", default: "3" },
    },
  });
  const size = {
    pods: Number(values.pods),
    namespaces: Number(values.namespaces),
    policies: Number(values.policies),
  };
  const seed = Number(values.seed);
  let t = performance.now();
  const cluster = generateCluster(size, seed);
  const generateMs = performance.now() - t;
  t = performance.now();
  const sink = new ProblemSink();
  const policies = parseK8sPolicies(
    cluster.policies.map((p) => resourceOf(p)),
    sink,
  );
  const parseMs = performance.now() - t;
  if (sink.items.length > 0)
    throw new Error(`generated policies have problems: ${JSON.stringify(sink.items[0])}`);
  const input = { workloads: cluster.workloads, namespaces: cluster.namespaces, policies };
  globalThis.gc?.();

  // best of `repeat` runs (the machine may be shared); CPU time of the best run alongside
  let m = connectivityMatrix(input);
  let analysisMs = Number.POSITIVE_INFINITY;
  let analysisCpuMs = 0;
  for (let run = 0; run < Number(values.repeat); run++) {
    globalThis.gc?.();
    const cpu = process.cpuUsage();
    t = performance.now();
    m = connectivityMatrix(input);
    const ms = performance.now() - t;
    if (ms < analysisMs) {
      analysisMs = ms;
      const used = process.cpuUsage(cpu);
      analysisCpuMs = (used.user + used.system) / 1000;
    }
  }
  const analysisPeakRssMiB = process.resourceUsage().maxRSS / 1024;
  const analysisHeapMiB = process.memoryUsage().heapUsed / MiB;

  t = performance.now();
  const pairs = expandMatrix(m).sort(lineCompare);
  const fd = openSync("/dev/null", "w");
  let listingBytes = 0;
  for (let i = 0; i < pairs.length; i += 50_000) {
    const chunk = renderConnlistTxt(pairs.slice(i, i + 50_000));
    listingBytes += Buffer.byteLength(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  const listingMs = performance.now() - t;
  const listingLines = pairs.length;

  const out: Measurement = {
    ...size,
    classes: m.classes.length,
    generateMs,
    parseMs,
    analysisMs,
    analysisCpuMs,
    loadAverage: loadavg()[0],
    analysisPeakRssMiB,
    analysisHeapMiB,
    listingMs,
    listingLines,
    listingBytes,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  pairs.length = 0;
  if (values.reference !== "none") out.reference = reference(cluster, m, values.reference!, seed, analysisMs);
  console.log(JSON.stringify(out));
}

/** Runs the reference on all pairs or on sampled source workloads, and the ratio to the analysis. */
function reference(
  cluster: ReturnType<typeof generateCluster>,
  m: ReturnType<typeof connectivityMatrix>,
  mode: string,
  seed: number,
  analysisMs: number,
): NonNullable<Measurement["reference"]> {
  const classOf = new Map<string, number>();
  m.classes.forEach((c, i) => {
    for (const n of c.names) classOf.set(n, i);
  });
  const cells = new Map<number, number>();
  const { podToPod, conns } = m.matrix;
  const n = m.classes.length;
  for (let i = 0; i < podToPod.length; i += 3) cells.set(podToPod[i] * n + podToPod[i + 1], podToPod[i + 2]);
  const cls = cluster.workloads.map((w) => classOf.get(displayName(w))!);
  const engine = (s: number, d: number) => {
    const id = cells.get(cls[s] * n + cls[d]);
    return id === undefined ? ConnSet.NONE : conns[id];
  };
  const all = cluster.workloads.length;
  let sources: number[] | undefined;
  if (mode !== "all") {
    const rnd = prng(seed + 7);
    const picked = new Set<number>();
    while (picked.size < Math.min(all, Number(mode))) picked.add(Math.floor(rnd() * all));
    sources = [...picked].sort((a, b) => a - b);
  }
  const run = runReference(cluster, engine, sources);
  const sampledSources = sources?.length ?? all;
  const estimatedFullMs = run.ms * (all / sampledSources);
  return { ...run, sampledSources, estimatedFullMs, ratio: estimatedFullMs / analysisMs };
}

main();

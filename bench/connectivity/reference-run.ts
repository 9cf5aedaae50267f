/**
 * The pairwise reference run for the benchmark: the reference evaluator (src/eval/reference.ts)
 * answers, for every ordered pair of workloads, every probe connection (each protocol × the ports
 * where some policy or container port starts or ends a range), one connection at a time, the way
 * a spec-reading evaluator computes a connectivity map. The engine's answers at the same probes
 * are compared, so the benchmark also checks agreement at scale.
 */

import {
  type RefAdminPolicy,
  type RefCluster,
  type RefPod,
  referenceAllows,
} from "../../src/eval/reference.js";
import type { ConnSet, Protocol } from "../../src/model/ports.js";
import type { NetworkPolicy } from "../../src/policy/k8s/types.js";
import type { GeneratedCluster } from "./generate.js";

/** The probe connections: every protocol at every port where a range starts or ends, and 1, 65535. */
export function probes(c: GeneratedCluster): [Protocol, number][] {
  const ports = new Set<number>([1, 65535]);
  const add = (p: unknown) => {
    if (typeof p === "number" && p >= 1 && p <= 65535) {
      ports.add(p);
      if (p > 1) ports.add(p - 1);
      if (p < 65535) ports.add(p + 1);
    }
  };
  JSON.stringify(c.policies, (k, v) => {
    if (k === "port" || k === "endPort" || k === "start" || k === "end") add(v);
    return v;
  });
  for (const w of c.workloads) for (const p of w.ports ?? []) add(p.port);
  const out: [Protocol, number][] = [];
  for (const proto of ["TCP", "UDP", "SCTP"] as Protocol[])
    for (const p of [...ports].sort((a, b) => a - b)) out.push([proto, p]);
  return out;
}

/** The reference's view of a generated cluster. */
export function refCluster(c: GeneratedCluster): { cluster: RefCluster; pods: RefPod[] } {
  const namespaces: RefCluster["namespaces"] = {};
  for (const [n, l] of c.namespaces) namespaces[n] = { ...l };
  const policies = c.policies.filter((p) => p.kind === "NetworkPolicy") as unknown as NetworkPolicy[];
  const admin = c.policies.filter((p) => p.kind !== "NetworkPolicy") as unknown as RefAdminPolicy[];
  const pods = c.workloads.map((w) => ({
    namespace: w.namespace!,
    name: w.name,
    labels: w.labels,
    ports: w.ports ?? [],
  }));
  return { cluster: { namespaces, policies, admin }, pods };
}

/** What a reference run did. */
export interface ReferenceRun {
  pairs: number;
  checks: number;
  allowed: number;
  /** Probes where the engine's connection set disagrees with the reference. */
  disagreements: number;
  ms: number;
}

/**
 * Runs the reference over the pairs whose source index is in `sources` (all pairs when absent),
 * comparing with `engine(srcIndex, dstIndex)` (the engine's allowed set for that pair).
 */
export function runReference(
  c: GeneratedCluster,
  engine: (src: number, dst: number) => ConnSet,
  sources?: readonly number[],
): ReferenceRun {
  const { cluster, pods } = refCluster(c);
  const points = probes(c);
  const run: ReferenceRun = { pairs: 0, checks: 0, allowed: 0, disagreements: 0, ms: 0 };
  const started = performance.now();
  const srcs = sources ?? pods.map((_, i) => i);
  const answers: boolean[] = new Array(points.length);
  for (const s of srcs)
    for (let d = 0; d < pods.length; d++) {
      if (s === d) continue;
      run.pairs++;
      const t0 = performance.now();
      for (let k = 0; k < points.length; k++)
        answers[k] = referenceAllows(cluster, { pod: pods[s] }, { pod: pods[d] }, points[k][0], points[k][1]);
      run.ms += performance.now() - t0;
      const got = engine(s, d);
      for (let k = 0; k < points.length; k++) {
        run.checks++;
        if (answers[k]) run.allowed++;
        if (got.has(points[k][0], points[k][1]) !== answers[k]) run.disagreements++;
      }
    }
  if (run.pairs === 0) run.ms = performance.now() - started;
  return run;
}

/**
 * CDE isolation (PCI-DSS segmentation): proves that no workload outside the cardholder data
 * environment, and no address outside the cluster, can reach a CDE workload except through the
 * declared connectors. Every breaking path is listed (one shortest path per source, through
 * workloads that are neither CDE members nor connectors), with the rules permitting each hop.
 * Outbound too (PCI DSS 1.3.2): every outside range and non-CDE workload a CDE workload may connect
 * to is listed with its evidence; unrestricted outbound (every outside address on every port) and
 * outbound to an out-of-scope workload (neither CDE member nor connector) fail isolation
 * (docs/semantics.md "CDE outbound").
 */

import type { CdeConfig } from "../../config/schema.js";
import { type Endpoint, ipEndpoint, podEndpoint } from "../../eval/endpoint.js";
import { createEvaluator } from "../../eval/evaluate.js";
import type { Labels } from "../../model/labels.js";
import type { Workload } from "../../model/workload.js";
import type { PolicySet } from "../../policy/ir/types.js";
import { matchesSelector } from "../../zones/select.js";
import { permittedGraph, type ReachGraph } from "../blast-radius/graph.js";
import { type HopEvidence, hopEvidence } from "./hops.js";

/** The pseudo-node standing for every address outside the cluster. */
export const OUTSIDE = "outside";

/** A path that breaks isolation: from a source outside the CDE to a CDE workload. */
export interface BreakingPath {
  source: string;
  path: string[];
  hops: HopEvidence[];
}

/** Where a CDE workload may connect out to (PCI DSS 1.3.2), with the evidence. */
export interface CdeOutbound {
  /** Outside address ranges (`first-last`) with the connections, and the rules of each. */
  outside: HopEvidence[];
  /** Workloads outside the CDE it may connect to (declared connectors included). */
  workloads: HopEvidence[];
  /** Every outside address on every port: nothing is "specifically denied" (1.3.2). Fails isolation. */
  unrestricted: boolean;
  /** Reached workloads that are neither CDE members nor connectors (out-of-scope systems). Fails isolation. */
  outOfScope: string[];
}

/** The result for one CDE workload. */
export interface CdeWorkloadResult {
  id: string;
  /** No breaking inbound path, outbound restricted and to in-scope workloads only. */
  isolated: boolean;
  /** The outbound reach (evidence for 1.3.2). */
  outbound: CdeOutbound;
  /** Connectors that may reach it, with the evidence of the hop. */
  connectors: HopEvidence[];
  /** Other CDE members that may reach it (inside the CDE: allowed). */
  fromCde: string[];
  violations: BreakingPath[];
}

/** The whole answer. */
export interface CdeResult {
  isolated: boolean;
  members: string[];
  connectors: string[];
  workloads: CdeWorkloadResult[];
  policies: { kind: string; namespace?: string; name: string; file?: string; line?: number }[];
}

/** What the analysis reads. */
export interface CdeInput {
  workloads: readonly Workload[];
  namespaces: ReadonlyMap<string, Labels>;
  policies: PolicySet;
  cde: CdeConfig;
}

function reverse(g: ReachGraph): Map<string, string[]> {
  const rev = new Map<string, string[]>();
  for (const [src, m] of g.edges) for (const dst of m.keys()) rev.set(dst, [...(rev.get(dst) ?? []), src]);
  for (const dst of g.fromOutside.keys()) rev.set(dst, [...(rev.get(dst) ?? []), OUTSIDE]);
  for (const l of rev.values()) l.sort();
  return rev;
}

/** Sources that reach `target` through non-CDE, non-connector workloads, with a shortest path each. */
function breakingSources(
  rev: Map<string, string[]>,
  target: string,
  stop: ReadonlySet<string>,
): Map<string, string[]> {
  const next = new Map<string, string[]>([[target, [target]]]); // node → path from node to target
  const queue = [target];
  for (let i = 0; i < queue.length; i++) {
    const cur = queue[i];
    for (const prev of rev.get(cur) ?? []) {
      if (next.has(prev) || stop.has(prev)) continue;
      next.set(prev, [prev, ...next.get(cur)!]);
      if (prev !== OUTSIDE) queue.push(prev);
    }
  }
  next.delete(target);
  return next;
}

const IPV4_SPACE = 2 ** 32;

function ipv4Number(a: string): number | undefined {
  const parts = a.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0] * 256 + parts[1]) * 256 + parts[2]) * 256 + parts[3];
}

/** True when the ranges allowed on all connections cover the whole IPv4 space. */
function coversEverything(list: readonly { range: string; conns: string }[]): boolean {
  let size = 0;
  for (const { range, conns } of list) {
    if (conns !== "All Connections") continue;
    const [a, b] = range.split("-").map(ipv4Number);
    if (a !== undefined && b !== undefined && b >= a) size += b - a + 1;
  }
  return size >= IPV4_SPACE;
}

/** Runs the isolation proof. */
export function analyzeCde(input: CdeInput): CdeResult {
  const pods = input.workloads.filter((w) => w.kind === "pod-owner" || w.kind === "vm");
  const members = pods.filter((w) => input.cde.members.some((s) => matchesSelector(w, s))).map((w) => w.id);
  const memberSet = new Set(members);
  const connectors = pods
    .filter((w) => !memberSet.has(w.id) && input.cde.connectors.some((s) => matchesSelector(w, s)))
    .map((w) => w.id);
  const stop = new Set([...members, ...connectors]);
  const graph = permittedGraph(input);
  const rev = reverse(graph);
  const ev = createEvaluator(input.policies);
  const endpoints = new Map<string, Endpoint>(
    pods.map((w) => [w.id, podEndpoint(w, input.namespaces.get(w.namespace ?? "default"))]),
  );
  const endpointOf = (id: string, dst: string): Endpoint => {
    if (id !== OUTSIDE) return endpoints.get(id)!;
    const range = graph.outsideRanges?.get(dst)?.[0] ?? "0.0.0.0-255.255.255.255";
    return ipEndpoint(range.split("-")[0])!;
  };
  const hop = (a: string, b: string) =>
    hopEvidence(ev, { id: a, endpoint: endpointOf(a, b) }, { id: b, endpoint: endpoints.get(b)! });

  const outboundOf = (id: string): CdeOutbound => {
    const src = { id, endpoint: endpoints.get(id)! };
    const toOutside = graph.toOutside?.get(id) ?? [];
    const outside = toOutside.flatMap(({ range }) => {
      const ip = ipEndpoint(range.split("-")[0]);
      return ip ? (hopEvidence(ev, src, { id: `${OUTSIDE} ${range}`, endpoint: ip }) ?? []) : [];
    });
    const reached = [...(graph.edges.get(id)?.keys() ?? [])].filter((d) => !memberSet.has(d)).sort();
    return {
      outside,
      workloads: reached.flatMap((d) => hop(id, d) ?? []),
      unrestricted: coversEverything(toOutside),
      outOfScope: reached.filter((d) => !connectors.includes(d)),
    };
  };

  const workloads = members.map((id): CdeWorkloadResult => {
    const into = rev.get(id) ?? [];
    const outbound = outboundOf(id);
    const violations = [...breakingSources(rev, id, stop)]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([source, path]) => ({
        source,
        path,
        hops: path.slice(1).flatMap((b, i) => hop(path[i], b) ?? []),
      }));
    return {
      id,
      isolated: violations.length === 0 && !outbound.unrestricted && outbound.outOfScope.length === 0,
      outbound,
      connectors: into.filter((s) => connectors.includes(s)).flatMap((s) => hop(s, id) ?? []),
      fromCde: into.filter((s) => memberSet.has(s)),
      violations,
    };
  });
  const policies = input.policies.layers
    .flatMap((l) => l.policies)
    .map((p) => ({
      kind: p.kind,
      namespace: p.namespace,
      name: p.name,
      file: p.origin.file,
      line: p.origin.line,
    }))
    .sort((a, b) => {
      const ka = `${a.kind}/${a.namespace ?? ""}/${a.name}`;
      const kb = `${b.kind}/${b.namespace ?? ""}/${b.name}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  return {
    isolated: workloads.every((w) => w.isolated),
    members,
    connectors,
    workloads,
    policies,
  };
}

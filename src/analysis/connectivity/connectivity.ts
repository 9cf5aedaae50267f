/**
 * Connectivity analysis: who can reach whom under a PolicySet, as the exact allowed connection
 * set per ordered pair of peers (workloads and external address ranges). Workloads that look the
 * same to every selector (same namespace, labels, namespace labels and container ports) form one
 * identity class: connections are computed once per pair of classes and expanded for output.
 */
import { type ClassMatrix, classMatrix } from "../../eval/class-matrix.js";
import { ipEndpoint, type PodEndpoint, podEndpoint } from "../../eval/endpoint.js";
import { createEvaluator, type Evaluator, identityKey } from "../../eval/evaluate.js";
import { formatIpv4 } from "../../model/ipset.js";
import type { Labels } from "../../model/labels.js";
import type { ConnSet } from "../../model/ports.js";
import { defaultNamespaceLabels, displayName, type Workload } from "../../model/workload.js";
import type { PolicySet } from "../../policy/ir/types.js";
import { INGRESS_CONTROLLER, type IngressTarget, ingressControllerEndpoint } from "../ingress/ingress.js";
import { externalRangeName, externalRanges, type Ipv4Range } from "./ip-ranges.js";

/** What the analysis reads. */
export interface ConnectivityInput {
  /** In-cluster workloads (entities and external peers are ignored). */
  workloads: readonly Workload[];
  /** Namespace → labels; a namespace not listed gets `kubernetes.io/metadata.name` only. */
  namespaces: ReadonlyMap<string, Labels>;
  policies: PolicySet;
  /** Workloads behind Ingress/Route objects: `{ingress-controller}` is a source towards them. */
  ingress?: readonly IngressTarget[];
}

/** One ordered pair with at least one allowed connection. */
export interface ConnectivityPair {
  /** Display names: `ns/name[Kind]` or `first-last[External]`. */
  src: string;
  dst: string;
  conns: ConnSet;
}

/** Workloads that look the same to every selector, with one endpoint standing for them all. */
export interface IdentityClass {
  endpoint: PodEndpoint;
  names: string[];
}

function classKey(e: PodEndpoint): string {
  const ports = e.ports
    .map((p) => `${p.name ?? ""}:${p.protocol}:${p.port}`)
    .sort()
    .join(",");
  return `${identityKey(e)}|${ports}`;
}

/** Groups workloads into identity classes (sorted by key; names sorted within a class). */
export function identityClasses(input: ConnectivityInput): IdentityClass[] {
  const classes = new Map<string, IdentityClass>();
  for (const w of input.workloads) {
    if (w.kind === "entity" || w.kind === "external") continue;
    const ns = w.namespace || "default";
    const endpoint = podEndpoint(
      w,
      input.namespaces.get(ns) ?? w.namespaceLabels ?? defaultNamespaceLabels(ns),
    );
    const key = classKey(endpoint);
    const c = classes.get(key);
    if (c) c.names.push(displayName(w));
    else classes.set(key, { endpoint, names: [displayName(w)] });
  }
  return [...classes.keys()].sort().map((k) => {
    const c = classes.get(k)!;
    return { endpoint: c.endpoint, names: c.names.sort() };
  });
}

/**
 * Orders lines by `src => dst` without building the strings: names hold no character at or below
 * a space, so comparing src then dst gives the same order as comparing the joined lines.
 */
function compareLines(a: ConnectivityPair, b: ConnectivityPair): number {
  if (a.src !== b.src) return a.src < b.src ? -1 : 1;
  return a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0;
}

/** The analysis before expansion to workloads: classes, external ranges, and the class matrix. */
export interface ConnectivityMatrix {
  classes: IdentityClass[];
  /** External sources (cut by ingress rules' ipBlocks) and destinations (by egress rules'). */
  sources: Ipv4Range[];
  destinations: Ipv4Range[];
  matrix: ClassMatrix;
  evaluator: Evaluator;
}

/** Computes who can reach whom per identity class (the work; expansion to names is separate). */
export function connectivityMatrix(input: ConnectivityInput): ConnectivityMatrix {
  const evaluator = createEvaluator(input.policies);
  const classes = identityClasses(input);
  const sources = externalRanges(input.policies, "ingress");
  const destinations = externalRanges(input.policies, "egress");
  const address = (r: Ipv4Range) => ipEndpoint(formatIpv4(r.from))!;
  const matrix = classMatrix({
    evaluator,
    pods: classes.map((c) => c.endpoint),
    sources: sources.map(address),
    destinations: destinations.map(address),
  });
  return { classes, sources, destinations, matrix, evaluator };
}

/** Expands a class matrix to ordered pairs of distinct named peers (unsorted). */
export function expandMatrix(m: ConnectivityMatrix, out: ConnectivityPair[] = []): ConnectivityPair[] {
  const { conns, podToPod, sourceToPod, podToDestination } = m.matrix;
  const emit = (srcs: readonly string[], dsts: readonly string[], c: ConnSet) => {
    for (const src of srcs) for (const dst of dsts) if (src !== dst) out.push({ src, dst, conns: c });
  };
  const names = m.classes.map((c) => c.names);
  for (let i = 0; i < podToPod.length; i += 3)
    emit(names[podToPod[i]], names[podToPod[i + 1]], conns[podToPod[i + 2]]);
  const srcNames = m.sources.map((r) => [externalRangeName(r)]);
  for (let i = 0; i < sourceToPod.length; i += 3)
    emit(srcNames[sourceToPod[i]], names[sourceToPod[i + 1]], conns[sourceToPod[i + 2]]);
  const dstNames = m.destinations.map((r) => [externalRangeName(r)]);
  for (let i = 0; i < podToDestination.length; i += 3)
    emit(names[podToDestination[i]], dstNames[podToDestination[i + 1]], conns[podToDestination[i + 2]]);
  return out;
}

/**
 * Every ordered pair of distinct peers with its allowed connections, pairs with none left out,
 * sorted by `src => dst`. External peers are IPv4 ranges (see ip-ranges.ts).
 */
export function analyzeConnectivity(input: ConnectivityInput): ConnectivityPair[] {
  const m = connectivityMatrix(input);
  const ev = m.evaluator;
  const out = expandMatrix(m);
  const emit = (srcs: readonly string[], dsts: readonly string[], conns: ConnSet) => {
    if (conns.isEmpty()) return;
    for (const src of srcs) for (const dst of dsts) if (src !== dst) out.push({ src, dst, conns });
  };
  const controller = ingressControllerEndpoint();
  for (const t of input.ingress ?? []) {
    const ns = t.workload.namespace || "default";
    const dst = podEndpoint(t.workload, input.namespaces.get(ns) ?? t.workload.namespaceLabels);
    emit(
      [INGRESS_CONTROLLER],
      [displayName(t.workload)],
      ev.allowedConns(controller, dst).intersect(t.conns),
    );
  }
  return out.sort(compareLines);
}

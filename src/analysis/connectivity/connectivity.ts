/**
 * Connectivity analysis: who can reach whom under a PolicySet, as the exact allowed connection
 * set per ordered pair of peers (workloads and external address ranges). Workloads that look the
 * same to every selector (same namespace, labels, namespace labels and container ports) form one
 * identity class: connections are computed once per pair of classes and expanded for output.
 */
import { ipEndpoint, type PodEndpoint, podEndpoint } from "../../eval/endpoint.js";
import { createEvaluator, identityKey } from "../../eval/evaluate.js";
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

interface IdentityClass {
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

function compareLines(a: ConnectivityPair, b: ConnectivityPair): number {
  const ka = `${a.src} => ${a.dst}`;
  const kb = `${b.src} => ${b.dst}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Every ordered pair of distinct peers with its allowed connections, pairs with none left out,
 * sorted by `src => dst`. External peers are IPv4 ranges (see ip-ranges.ts).
 */
export function analyzeConnectivity(input: ConnectivityInput): ConnectivityPair[] {
  const ev = createEvaluator(input.policies);
  const classes = identityClasses(input);
  const out: ConnectivityPair[] = [];
  const emit = (srcs: readonly string[], dsts: readonly string[], conns: ConnSet) => {
    if (conns.isEmpty()) return;
    for (const src of srcs) for (const dst of dsts) if (src !== dst) out.push({ src, dst, conns });
  };
  for (const a of classes)
    for (const b of classes) emit(a.names, b.names, ev.allowedConns(a.endpoint, b.endpoint));
  const external = (range: Ipv4Range) =>
    [ipEndpoint(formatIpv4(range.from))!, [externalRangeName(range)]] as const;
  for (const range of externalRanges(input.policies, "ingress")) {
    const [ip, name] = external(range);
    for (const c of classes) emit(name, c.names, ev.allowedConns(ip, c.endpoint));
  }
  for (const range of externalRanges(input.policies, "egress")) {
    const [ip, name] = external(range);
    for (const c of classes) emit(c.names, name, ev.allowedConns(c.endpoint, ip));
  }
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

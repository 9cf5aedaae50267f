/**
 * Explanations: for every ordered pair of peers (workloads and external address ranges, as in the
 * connectivity listing), the connection space split into segments, each allowed or denied, with
 * the egress side's reasons (on the source) and the ingress side's reasons (on the destination).
 * A side whose end is not a pod, or that no stage decides, is allowed by the system default.
 * Segments with the same verdict and the same reasons on both sides are merged.
 */
import { type CompiledLayer, selectingPolicies } from "../../eval/compile.js";
import { type Endpoint, ipEndpoint, type PodEndpoint } from "../../eval/endpoint.js";
import { createEvaluator } from "../../eval/evaluate.js";
import { type ExplainedPart, explainSide, type Reason } from "../../eval/explain.js";
import { formatIpv4 } from "../../model/ipset.js";
import { ConnSet } from "../../model/ports.js";
import { displayName } from "../../model/workload.js";
import type { Direction } from "../../policy/ir/types.js";
import { type ConnectivityInput, identityClasses } from "../connectivity/connectivity.js";
import { externalRangeName, externalRanges } from "../connectivity/ip-ranges.js";
import { INGRESS_CONTROLLER, ingressControllerEndpoint } from "../ingress/ingress.js";
import {
  type IngressExplainTarget,
  type IngressObjectReason,
  withIngressObjects,
} from "./ingress-explain.js";

/** One side's verdict and reasons for a segment. */
export interface SideReasons {
  allowed: boolean;
  reasons: (Reason | IngressObjectReason)[];
}

/** A part of a pair's connections with its verdict and both sides' reasons. */
export interface PairSegment {
  conns: ConnSet;
  allowed: boolean;
  egress: SideReasons;
  ingress: SideReasons;
}

/** The explanation of one ordered pair. */
export interface PairExplanation {
  src: string;
  dst: string;
  segments: PairSegment[];
}

const DEFAULT_SIDE: ExplainedPart[] = [];

function sideParts(
  layers: readonly CompiledLayer[],
  subject: Endpoint,
  peer: Endpoint,
  direction: Direction,
  dst: Endpoint,
): ExplainedPart[] {
  if (subject.kind !== "pod") return DEFAULT_SIDE;
  const pod: PodEndpoint = subject;
  return explainSide({
    layers,
    selecting: layers.map((l) => selectingPolicies(l, pod, direction)),
    direction,
    matches: (r) => r.peer(peer),
    dstPorts: dst.kind === "pod" ? dst.ports : [],
  });
}

const DEFAULT_REASONS: SideReasons = { allowed: true, reasons: [{ kind: "default" }] };

function reasonsKey(s: SideReasons): string {
  return JSON.stringify(s);
}

/** Combines the two sides' partitions into merged segments. */
export function combineSides(
  egress: readonly ExplainedPart[],
  ingress: readonly ExplainedPart[],
): PairSegment[] {
  const eParts = egress.length > 0 ? egress : null;
  const iParts = ingress.length > 0 ? ingress : null;
  const es = eParts ?? [undefined];
  const is = iParts ?? [undefined];
  const merged = new Map<string, PairSegment>();
  for (const e of es)
    for (const i of is) {
      let conns = ConnSet.ALL;
      if (e) conns = conns.intersect(e.conns.conns);
      if (i) conns = conns.intersect(i.conns.conns);
      if (conns.isEmpty()) continue;
      const eg: SideReasons = e ? { allowed: e.allowed, reasons: e.reasons } : DEFAULT_REASONS;
      const ig: SideReasons = i ? { allowed: i.allowed, reasons: i.reasons } : DEFAULT_REASONS;
      const key = `${reasonsKey(eg)}|${reasonsKey(ig)}`;
      const prev = merged.get(key);
      if (prev) prev.conns = prev.conns.union(conns);
      else merged.set(key, { conns, allowed: eg.allowed && ig.allowed, egress: eg, ingress: ig });
    }
  return [...merged.values()];
}

/** True when a pair's one segment is allowed with only the system default on both sides. */
export function isAllDefault(p: PairExplanation): boolean {
  return (
    p.segments.length === 1 &&
    p.segments[0].allowed &&
    p.segments[0].egress.reasons.every((r) => r.kind === "default") &&
    p.segments[0].ingress.reasons.every((r) => r.kind === "default")
  );
}

/** What the explanations read: the connectivity input plus the workloads behind Ingress/Route objects. */
export interface ExplainInput extends Omit<ConnectivityInput, "ingress"> {
  ingressTargets?: readonly IngressExplainTarget[];
}

/** Every ordered pair of distinct peers with its explanation, sorted by `src => dst`. */
export function explainConnectivity(input: ExplainInput): PairExplanation[] {
  const ev = createEvaluator(input.policies);
  const layers = ev.compiled.layers;
  const classes = identityClasses(input);
  const out: PairExplanation[] = [];
  const add = (src: Endpoint, srcNames: readonly string[], dst: Endpoint, dstNames: readonly string[]) => {
    const segments = combineSides(
      sideParts(layers, src, dst, "egress", dst),
      sideParts(layers, dst, src, "ingress", dst),
    );
    for (const s of srcNames) for (const d of dstNames) if (s !== d) out.push({ src: s, dst: d, segments });
  };
  for (const a of classes) for (const b of classes) add(a.endpoint, a.names, b.endpoint, b.names);
  for (const range of externalRanges(input.policies, "ingress")) {
    const ip = ipEndpoint(formatIpv4(range.from))!;
    for (const c of classes) add(ip, [externalRangeName(range)], c.endpoint, c.names);
  }
  for (const range of externalRanges(input.policies, "egress")) {
    const ip = ipEndpoint(formatIpv4(range.from))!;
    for (const c of classes) add(c.endpoint, c.names, ip, [externalRangeName(range)]);
  }
  const controller = ingressControllerEndpoint();
  for (const t of input.ingressTargets ?? []) {
    const c = classes.find((k) => k.names.includes(displayName(t.workload)));
    if (!c) continue;
    const segments = combineSides(
      sideParts(layers, controller, c.endpoint, "egress", c.endpoint),
      sideParts(layers, c.endpoint, controller, "ingress", c.endpoint),
    );
    out.push({
      src: INGRESS_CONTROLLER,
      dst: displayName(t.workload),
      segments: withIngressObjects(segments, t.accesses),
    });
  }
  const key = (p: PairExplanation) => `${p.src} => ${p.dst}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

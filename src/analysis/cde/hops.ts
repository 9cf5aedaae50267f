/**
 * Why a hop is permitted: the evaluator's verdict for sample connections of the hop (the first
 * port of every allowed range, a few per protocol), with the rules (or the absence of any
 * selecting policy) that let each side through.
 */
import type { Endpoint } from "../../eval/endpoint.js";
import type { Evaluator, SideVerdict } from "../../eval/evaluate.js";
import { type ConnSet, PROTOCOLS, type Protocol } from "../../model/ports.js";
import type { RuleOrigin } from "../../policy/ir/types.js";

/** One side's reason, as text, with the rules behind it. */
export interface SideReason {
  direction: "egress" | "ingress";
  /** `rule`: rules allowed it; `default`: no policy selects the endpoint; `not-a-pod`: an address. */
  by: "rule" | "default" | "not-a-pod";
  rules: string[];
}

/** A permitted hop with its connections and reasons. */
export interface HopEvidence {
  src: string;
  dst: string;
  conns: string;
  /** Sample connections evaluated (`TCP/50051`). */
  samples: string[];
  egress: SideReason;
  ingress: SideReason;
}

/** `NetworkPolicy default/frontend ingress rule #0 (file:line)`. */
export function formatRuleOrigin(o: RuleOrigin): string {
  const where = o.file ? ` (${o.file}${o.line !== undefined ? `:${o.line}` : ""})` : "";
  const ns = o.namespace !== undefined ? `${o.namespace}/` : "";
  return `${o.policyKind} ${ns}${o.policyName} ${o.direction} rule #${o.ruleIndex}${where}`;
}

function samplePorts(conns: ConnSet, max = 4): [Protocol, number][] {
  const out: [Protocol, number][] = [];
  for (const p of PROTOCOLS) {
    const ranges = conns.ports(p).ranges;
    for (const r of ranges.slice(0, max)) out.push([p, r.from]);
  }
  return out;
}

function mergeSide(into: SideReason | undefined, v: SideVerdict): SideReason {
  const by = v.stage === "not-a-pod" ? "not-a-pod" : v.stage === "default" ? "default" : "rule";
  const rules = [...new Set([...(into?.rules ?? []), ...v.rules.map(formatRuleOrigin)])].sort();
  return { direction: v.direction, by: into && into.by === "rule" ? "rule" : by, rules };
}

/** The evidence for one permitted hop (undefined when the policies permit nothing on it). */
export function hopEvidence(
  ev: Evaluator,
  src: { id: string; endpoint: Endpoint },
  dst: { id: string; endpoint: Endpoint },
): HopEvidence | undefined {
  const conns = ev.allowedConns(src.endpoint, dst.endpoint);
  if (conns.isEmpty()) return undefined;
  let egress: SideReason | undefined;
  let ingress: SideReason | undefined;
  const samples: string[] = [];
  for (const [protocol, port] of samplePorts(conns)) {
    const v = ev.evaluate({ src: src.endpoint, dst: dst.endpoint, protocol, port });
    if (!v.allowed) continue;
    samples.push(`${protocol}/${port}`);
    egress = mergeSide(egress, v.egress);
    ingress = mergeSide(ingress, v.ingress);
  }
  return {
    src: src.id,
    dst: dst.id,
    conns: conns.toString(),
    samples,
    egress: egress ?? { direction: "egress", by: "default", rules: [] },
    ingress: ingress ?? { direction: "ingress", by: "default", rules: [] },
  };
}

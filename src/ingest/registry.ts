/**
 * The flow-format registry: the explicit list of FlowFormat implementations, lookup by name and
 * `--format auto` detection from the first lines of a file.
 */
import { fail } from "../model/problems.js";
import { awsVpcFormat } from "./aws-vpc/parse.js";
import { azureFlowLogsFormat } from "./azure-flow-logs/parse.js";
import { calicoFormat } from "./calico/parse.js";
import { csvFormat } from "./csv/parse.js";
import { gcpVpcFormat } from "./gcp-vpc/parse.js";
import { hubbleFormat } from "./hubble/parse.js";
import { istioEnvoyFormat } from "./istio-envoy/parse.js";
import type { FlowFormat } from "./types.js";
import { zeekConnFormat } from "./zeek-conn/parse.js";

/** Every flow format microseg reads, in the order detection breaks ties. */
export const FLOW_FORMATS: readonly FlowFormat[] = [
  hubbleFormat,
  awsVpcFormat,
  gcpVpcFormat,
  azureFlowLogsFormat,
  zeekConnFormat,
  istioEnvoyFormat,
  calicoFormat,
  csvFormat,
];

/** The names `--format` accepts besides `auto`. */
export function flowFormatNames(formats: readonly FlowFormat[] = FLOW_FORMATS): string[] {
  return formats.map((f) => f.name);
}

/** The format with this name; throws MicrosegError `flow-unknown-format` listing the known names. */
export function getFormat(name: string, formats: readonly FlowFormat[] = FLOW_FORMATS): FlowFormat {
  const found = formats.find((f) => f.name === name);
  if (found) return found;
  return fail(
    "flow-unknown-format",
    `unknown flow format "${name}"; known formats: auto, ${flowFormatNames(formats).join(", ")}`,
  );
}

/** The outcome of `--format auto` for one input. */
export interface FormatDetection {
  /** The chosen format, undefined when none is confident enough. */
  format?: FlowFormat;
  confidence: number;
  /** Why: the scores of every format, best first. */
  reason: string;
  scores: { name: string; confidence: number }[];
}

/** The confidence a format needs to be chosen. */
export const MIN_DETECT_CONFIDENCE = 0.5;

/** Picks the format whose `detect` is most confident about these lines (ties: registry order). */
export function detectFormat(
  firstLines: readonly string[],
  formats: readonly FlowFormat[] = FLOW_FORMATS,
): FormatDetection {
  const scores = formats.map((f) => ({
    name: f.name,
    confidence: Math.max(0, Math.min(1, f.detect(firstLines) || 0)),
  }));
  const ranked = scores
    .map((s, i) => ({ ...s, i }))
    .sort((a, b) => b.confidence - a.confidence || a.i - b.i)
    .map(({ name, confidence }) => ({ name, confidence }));
  const best = ranked[0];
  const list = ranked.map((s) => `${s.name} ${s.confidence.toFixed(2)}`).join(", ");
  if (!best || best.confidence < MIN_DETECT_CONFIDENCE) {
    return {
      confidence: best?.confidence ?? 0,
      reason: `no format recognises the first ${firstLines.length} line(s) (${list || "no formats"})`,
      scores: ranked,
    };
  }
  return {
    format: formats.find((f) => f.name === best.name),
    confidence: best.confidence,
    reason: `detected ${best.name} (${list})`,
    scores: ranked,
  };
}

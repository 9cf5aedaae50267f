/**
 * Reading flows for commands: format detection, problems, and two passes over files (learn
 * identities from the whole input first, then resolve) so pod-IP reuse resolves exactly.
 */
import { IdentityResolver } from "../identity/resolve.js";
import { flowFormatNames } from "../ingest/registry.js";
import type { Inventory } from "../inventory/types.js";
import { type FlowFileStats, readFlowBatches, readFlows, type SkippedFlowFile } from "../io/flow-files.js";
import { checkFlowsFound } from "../io/flows-found.js";
import type { Flow } from "../model/flow.js";
import { ProblemSink } from "../model/problems.js";

/** Options for reading flows. */
export interface FlowInputOptions {
  flows: string[];
  format?: string;
  /** `--vpc-fields`: the field order of headerless AWS VPC flow logs. */
  vpcFields?: string;
  strict?: boolean;
  /** Told, per file, which format it is read as and why. */
  log?: (s: string) => void;
  /** Log every format's detection score (else one short reason per file). */
  verbose?: boolean;
  inventory?: Inventory;
}

/** A resolver that has learned from the whole input, and a way to stream the flows again. */
export interface PreparedFlows {
  resolver: IdentityResolver;
  /** Streams the flows (second pass); problems go to `problems`. */
  stream(): AsyncIterable<Flow>;
  problems: ProblemSink;
  stats: FlowFileStats[];
  /** True when the input is read once only (stdin): the resolver learns while streaming. */
  onePass: boolean;
}

/** Prepares flow input: for files, a first pass teaches the resolver every identity. */
export async function prepareFlows(o: FlowInputOptions): Promise<PreparedFlows> {
  const resolver = new IdentityResolver(o.inventory ? { inventory: o.inventory } : {});
  const problems = new ProblemSink();
  const stats: FlowFileStats[] = [];
  const onePass = o.flows.includes("-");
  const base = {
    format: o.format ?? "auto",
    strict: Boolean(o.strict),
    verbose: Boolean(o.verbose),
    ...(o.vpcFields ? { parserOptions: { vpcFields: o.vpcFields } } : {}),
  };
  const log = o.log;
  const onFormat = log
    ? (file: string, format: string, reason: string) =>
        log(`flows: ${file}: ${describeFormatChoice(format, reason, Boolean(o.verbose))}`)
    : undefined;
  if (!onePass) {
    // first pass: learn only (problems of this pass are dropped; the second pass reports them)
    for await (const batch of readFlowBatches(o.flows, { ...base, problems: new ProblemSink() }))
      for (const f of batch) resolver.learn(f);
    resolver.endLearning();
  }
  return {
    resolver,
    problems,
    stats,
    onePass,
    stream: () => {
      const skipped: SkippedFlowFile[] = [];
      const onEnd = () =>
        checkFlowsFound({ inputs: o.flows, stats, skipped, problems, formatNames: flowFormatNames() });
      return readFlows(o.flows, {
        ...base,
        problems,
        stats,
        skipped,
        onEnd,
        ...(onFormat ? { onFormat } : {}),
      });
    },
  };
}

/**
 * One short line about the format a file is read as: `read as hubble (detected, score 1.00)` or
 * `(--format hubble)`; `verbose` keeps the whole reason (every format's score).
 */
export function describeFormatChoice(format: string, reason: string, verbose = false): string {
  if (verbose) return `read as ${format} (${reason})`;
  const score = reason.startsWith("detected ")
    ? reason.split(/[(,)]/).find((s) => s.trim().startsWith(`${format} `))
    : undefined;
  if (score) return `read as ${format} (detected, score ${score.trim().slice(format.length + 1)})`;
  return `read as ${format} (${reason})`;
}

/** Malformed and ignored line counts over the files read. */
export function inputCounts(stats: readonly FlowFileStats[]): { malformed: number; ignored: number } {
  return {
    malformed: stats.reduce((n, s) => n + s.malformed, 0),
    ignored: stats.reduce((n, s) => n + s.ignored, 0),
  };
}

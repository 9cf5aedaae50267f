/**
 * The linter: runs every check of the catalogue over policies (any target parsed into the IR),
 * objects and workloads, with zones from the configuration or the heuristics. Findings are sorted
 * by file, line, rule and message.
 */
import type { MicrosegConfig } from "../../config/schema.js";
import { createEvaluator, type Evaluator } from "../../eval/evaluate.js";
import { toMapWorkload } from "../../graph/inventory-map.js";
import type { K8sResource } from "../../inventory/types.js";
import type { Labels } from "../../model/labels.js";
import type { Workload } from "../../model/workload.js";
import type { PolicySet } from "../../policy/ir/types.js";
import { classifyZones } from "../../zones/classify.js";
import { ingressExposures } from "../../zones/ingress-exposure.js";
import { permittedGraph, type ReachGraph } from "../blast-radius/graph.js";
import {
  checkDefaultDeny,
  checkPeersSelectNothing,
  checkRedundantRules,
  checkSelectsNothing,
} from "./rules-coverage.js";
import {
  checkAllowAllPeers,
  checkBetaAnnotation,
  checkDnsEgress,
  checkDuplicateNames,
  checkIpBlocks,
  checkPolicyTypes,
} from "./rules-structure.js";
import { checkDataWithoutL7, checkMonitoring, checkZoneReach } from "./rules-zones.js";
import type { LintCheck, LintContext, LintFinding } from "./types.js";

/** Every check, in catalogue order. */
export const LINT_CHECKS: readonly LintCheck[] = [
  checkDefaultDeny,
  checkAllowAllPeers,
  checkIpBlocks,
  checkDataWithoutL7,
  checkZoneReach,
  checkDnsEgress,
  checkSelectsNothing,
  checkPeersSelectNothing,
  checkDuplicateNames,
  checkRedundantRules,
  checkPolicyTypes,
  checkBetaAnnotation,
  checkMonitoring,
];

/** What the linter reads. */
export interface LintInput {
  set: PolicySet;
  resources: readonly K8sResource[];
  workloads: readonly Workload[];
  namespaces: ReadonlyMap<string, Labels>;
  config?: MicrosegConfig;
  configFile?: string;
  inputFile?: string;
}

function compareFindings(a: LintFinding, b: LintFinding): number {
  const ka = [a.location.file ?? "", String(a.location.line ?? 0).padStart(8, "0"), a.ruleId, a.message];
  const kb = [b.location.file ?? "", String(b.location.line ?? 0).padStart(8, "0"), b.ruleId, b.message];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

/** Runs every check; findings sorted. */
export function lintPolicies(input: LintInput): LintFinding[] {
  const workloads = input.workloads.filter((w) => w.kind === "pod-owner" || w.kind === "vm");
  const mapWorkloads = workloads.map(toMapWorkload);
  const zoning = classifyZones({
    workloads: mapWorkloads,
    exposures: ingressExposures(input.resources, mapWorkloads),
    config: input.config,
  });
  let ev: Evaluator | undefined;
  let graph: ReachGraph | undefined;
  const ctx: LintContext = {
    ...input,
    workloads,
    zoning,
    evaluator: () => {
      ev ??= createEvaluator(input.set);
      return ev;
    },
    permitted: () => {
      graph ??= permittedGraph({ workloads, namespaces: input.namespaces, policies: input.set });
      return graph;
    },
  };
  return LINT_CHECKS.flatMap((check) => check(ctx)).sort(compareFindings);
}

/**
 * What lint rules read and what they report.
 */

import type { MicrosegConfig } from "../../config/schema.js";
import type { Evaluator } from "../../eval/evaluate.js";
import type { K8sResource } from "../../inventory/types.js";
import type { Labels } from "../../model/labels.js";
import type { Location, Severity } from "../../model/problems.js";
import type { Workload } from "../../model/workload.js";
import type { PolicySet } from "../../policy/ir/types.js";
import type { Zoning } from "../../zones/classify.js";
import type { ReachGraph } from "../blast-radius/graph.js";

/** One finding. */
export interface LintFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  location: Location;
  /** The object the finding is about (`NetworkPolicy default/frontend`, a workload id …). */
  subject?: string;
}

/** Everything a rule may read (graphs computed lazily, once). */
export interface LintContext {
  set: PolicySet;
  resources: readonly K8sResource[];
  workloads: readonly Workload[];
  namespaces: ReadonlyMap<string, Labels>;
  zoning: Zoning;
  config?: MicrosegConfig;
  /** Where the configuration came from (for findings about it). */
  configFile?: string;
  /** The first input path (a location for findings about the whole input). */
  inputFile?: string;
  evaluator(): Evaluator;
  permitted(): ReachGraph;
}

/** A lint check: reads the context, returns findings. */
export type LintCheck = (ctx: LintContext) => LintFinding[];

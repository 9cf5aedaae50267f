/** microseg's public library API. */

export type { BlastEntry, BlastReport, Reach } from "./analysis/blast-radius/blast-radius.js";
export { blastRadius, blastSentence } from "./analysis/blast-radius/blast-radius.js";
export { permittedGraph, usedGraph } from "./analysis/blast-radius/graph.js";
export { analyzeCde } from "./analysis/cde/cde.js";
export { cdeEvidence } from "./analysis/cde/evidence.js";
export { analyzeConnectivity, type ConnectivityPair } from "./analysis/connectivity/connectivity.js";
export { LINT_RULES } from "./analysis/lint/catalogue.js";
export { lintPolicies } from "./analysis/lint/lint.js";
export type { LintFinding } from "./analysis/lint/types.js";
export { type DeniedFlow, type ReplayItem, type ReplayReport, replay } from "./analysis/replay/replay.js";
export { runCli } from "./cli/main.js";
export { parseConfig } from "./config/load.js";
export type { MicrosegConfig } from "./config/schema.js";
export * from "./eval/endpoint.js";
export {
  createEvaluator,
  type Evaluator,
  evaluateConnection,
  type SideVerdict,
  type Verdict,
} from "./eval/evaluate.js";
export { buildMap, buildMapAsync, flowRole, MapBuilder } from "./graph/build.js";
export { discoverStaticEdges } from "./graph/static-discovery.js";
export { IdentityResolver } from "./identity/resolve.js";
export { detectFormat, FLOW_FORMATS, getFormat } from "./ingest/registry.js";
export type {
  FlowFormat,
  FlowParser,
  FlowParserOptions,
  LocatedParseResult,
} from "./ingest/types.js";
export { assertInventoryValid, loadK8sInventory, loadK8sInventoryFromText } from "./inventory/k8s/load.js";
export type * from "./inventory/types.js";
export { readFlowBatches, readFlows } from "./io/flow-files.js";
export * from "./model/flow.js";
export * from "./model/ipset.js";
export * from "./model/labels.js";
export * from "./model/map.js";
export * from "./model/names.js";
export * from "./model/ports.js";
export * from "./model/problems.js";
export * from "./model/workload.js";
export * from "./policy/ir/types.js";
export { EVIDENCE_ANNOTATION, emitK8sPolicies, emitNetworkPolicy } from "./policy/k8s/emit.js";
export { parseK8sPolicies } from "./policy/k8s/parse.js";
export { DEFAULT_EXCLUDED_NAMESPACES, synthesizePolicies } from "./policy/synth/synthesize.js";
export { getTarget, type PolicyTarget, TARGETS, targetNames } from "./policy/targets.js";
export { classifyZones } from "./zones/classify.js";
export { compileZoneMatrix, DEFAULT_ZONE_MATRIX } from "./zones/matrix.js";

/**
 * The CDE isolation evidence document (JSON) for an assessor: what was analysed (inputs with
 * their SHA-256, the policies evaluated, the CDE as configured), when, how, and the result per
 * CDE workload.
 */
import type { CdeConfig } from "../../config/schema.js";
import type { CdeResult } from "./cde.js";

/** One input file with its digest. */
export interface InputDigest {
  path: string;
  sha256: string;
  bytes: number;
}

/** The evidence document. */
export interface CdeEvidence {
  kind: "microseg-cde-evidence";
  schemaVersion: 1;
  tool: { name: "microseg"; version: string };
  generatedAt: string;
  result: "isolated" | "not-isolated";
  method: string;
  inputs: InputDigest[];
  config?: InputDigest;
  scope: { selectors: CdeConfig; members: string[]; connectors: string[] };
  policiesEvaluated: CdeResult["policies"];
  workloads: CdeResult["workloads"];
}

/** How the proof is made (stated in both reports). */
export const CDE_METHOD =
  "Every workload in the inputs is evaluated against every policy in the inputs with microseg's " +
  "evaluator (Kubernetes AdminNetworkPolicy → NetworkPolicy → BaselineAdminNetworkPolicy, both " +
  "the source's egress and the destination's ingress). An address outside the cluster stands for " +
  "every range the policies distinguish. A CDE workload is isolated when every workload or address " +
  "that can reach it, directly or by pivoting through other workloads, does so only through a " +
  "CDE member or a declared connector. Each breaking path is listed with the rules that permit " +
  "each hop (evaluated on sample ports of the permitted connections). Outbound (PCI DSS 1.3.2): " +
  "every outside range and every workload outside the CDE that a CDE workload may connect to is " +
  "listed with its rules; isolation also fails when a CDE workload may connect to every outside " +
  "address on every port (nothing specifically denied), or to a workload that is neither a CDE " +
  "member nor a declared connector (an out-of-scope system connected to the CDE). Restricted " +
  "outbound to outside addresses is evidence for the assessor to check against the business need.";

/** Builds the evidence document. */
export function cdeEvidence(
  result: CdeResult,
  meta: { version: string; generatedAt: string; inputs: InputDigest[]; config?: InputDigest; cde: CdeConfig },
): CdeEvidence {
  return {
    kind: "microseg-cde-evidence",
    schemaVersion: 1,
    tool: { name: "microseg", version: meta.version },
    generatedAt: meta.generatedAt,
    result: result.isolated ? "isolated" : "not-isolated",
    method: CDE_METHOD,
    inputs: [...meta.inputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    ...(meta.config ? { config: meta.config } : {}),
    scope: { selectors: meta.cde, members: result.members, connectors: result.connectors },
    policiesEvaluated: result.policies,
    workloads: result.workloads,
  };
}

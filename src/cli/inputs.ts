/**
 * Loading what commands share: manifests and policies (one merged set of resources from every
 * `--dir`, `--policies` and `--inventory` path), and reporting problems on stderr.
 */
import { assertInventoryValid, loadK8sInventory } from "../inventory/k8s/load.js";
import type { Inventory } from "../inventory/types.js";
import { fail, MicrosegError, ProblemSink } from "../model/problems.js";
import type { PolicySet } from "../policy/ir/types.js";
import { parseAllPolicies } from "../policy/parse-all.js";
import { reportProblems } from "./report.js";

export { reportProblems } from "./report.js";

/** Manifests and the policies among them. */
export interface PolicyInputs {
  inventory: Inventory;
  policies: PolicySet;
}

/** Loads manifests from all paths (merged) and parses the policies among them; fatal problems throw. */
export async function loadPolicyInputs(
  paths: { dir?: string[]; policies?: string[]; inventory?: string[] },
  log: (s: string) => void,
): Promise<PolicyInputs> {
  const all = [...(paths.dir ?? []), ...(paths.policies ?? []), ...(paths.inventory ?? [])];
  if (all.length === 0) fail("usage", "give --dir, or --policies (with --inventory for the workloads)");
  const inventory = assertInventoryValid(await loadK8sInventory(all));
  const sink = new ProblemSink();
  // routed by kind: NetworkPolicy/ANP/BANP, Cilium (network plane) and Istio (mesh plane)
  const policies = parseAllPolicies(inventory.resources, sink);
  if (sink.hasErrors()) throw new MicrosegError(sink.errors());
  reportProblems([...inventory.problems, ...sink.items], log);
  return { inventory, policies };
}

/** Counts the policies of a set. */
export function countPolicies(set: PolicySet): number {
  return set.layers.reduce((n, l) => n + l.policies.length, 0);
}

/**
 * Loading what commands share: manifests and policies (one merged set of resources from every
 * `--dir`, `--policies` and `--inventory` path), and reporting problems on stderr.
 */
import { assertInventoryValid, loadK8sInventory } from "../inventory/k8s/load.js";
import type { Inventory } from "../inventory/types.js";
import { fail, formatProblem, MicrosegError, type Problem, ProblemSink } from "../model/problems.js";
import type { PolicySet } from "../policy/ir/types.js";
import { parseAllPolicies } from "../policy/parse-all.js";

/** Prints warnings (and, when verbose, infos) to the log; errors are left to the caller. */
export function reportProblems(
  problems: readonly Problem[],
  log: (s: string) => void,
  verbose = false,
): void {
  const shown = problems.filter((p) => p.severity === "warning" || (verbose && p.severity === "info"));
  const max = 20;
  for (const p of shown.slice(0, max)) log(`microseg: ${formatProblem(p)}`);
  if (shown.length > max) log(`microseg: … and ${shown.length - max} more warnings`);
}

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

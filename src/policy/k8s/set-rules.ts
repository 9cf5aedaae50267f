/**
 * Rules over the whole set of admin policies (policy.networking.k8s.io/v1alpha1), beyond each
 * object's own shape: two AdminNetworkPolicies may not share a priority (the API says the outcome is
 * then undefined: "If two ANPs have the same priority, the behavior is undefined"; netpol-analyzer
 * rejects it), and a cluster has at most one BaselineAdminNetworkPolicy, which must be named
 * `default` (the API enforces the name; the singleton follows from it).
 */
import type { K8sResource } from "../../inventory/types.js";
import type { ProblemSink } from "../../model/problems.js";

function where(r: K8sResource): string {
  return `${r.location.file ?? "<input>"}:${r.location.line ?? "?"}`;
}

/** Reports same-priority ANPs, a BANP not named `default`, and more than one BANP, as errors. */
export function checkAdminPolicySet(resources: readonly K8sResource[], sink: ProblemSink): void {
  const byPriority = new Map<number, K8sResource>();
  const banps: K8sResource[] = [];
  for (const r of resources) {
    const spec = r.raw.spec as { priority?: unknown } | undefined;
    if (r.kind === "AdminNetworkPolicy" && typeof spec?.priority === "number") {
      const first = byPriority.get(spec.priority);
      if (first && first.metadata.name !== r.metadata.name) {
        const msg =
          `AdminNetworkPolicy ${r.metadata.name}: priority ${spec.priority} is also the priority of ` +
          `${first.metadata.name} (${where(first)}); two ANPs with one priority have no defined order`;
        sink.report("resource-invalid", "error", msg, { ...r.location, path: "spec.priority" });
      } else if (!first) byPriority.set(spec.priority, r);
    }
    if (r.kind === "BaselineAdminNetworkPolicy") {
      if (r.metadata.name !== "default") {
        const msg = `BaselineAdminNetworkPolicy ${r.metadata.name}: a BaselineAdminNetworkPolicy must be named "default"`;
        sink.report("resource-invalid", "error", msg, { ...r.location, path: "metadata.name" });
      }
      banps.push(r);
    }
  }
  const distinct = new Set(banps.map((b) => b.metadata.name));
  if (distinct.size > 1) {
    const msg = `only one BaselineAdminNetworkPolicy may exist; found ${[...distinct].sort().join(", ")}`;
    sink.report("resource-invalid", "error", msg, banps[1].location);
  }
}

/**
 * What every form of `microseg connectivity` (listing, single-connection check, exposure, explain)
 * starts from: the merged manifests and policies, the workloads behind Ingress/Route objects, the
 * pods-of-one-owner label check, and the display name → workload names index the focus options use.
 */

import type { PeerNames } from "../../analysis/connectivity/focus.js";
import { type LabelVariants, labelGapProblems } from "../../analysis/connectivity/label-gaps.js";
import { readIngressBackends } from "../../analysis/ingress/backends.js";
import { type IngressTarget, ingressTargets } from "../../analysis/ingress/ingress.js";
import { parseService } from "../../inventory/k8s/services.js";
import type { Inventory } from "../../inventory/types.js";
import { stableLabels } from "../../model/labels.js";
import { MicrosegError, type Problem } from "../../model/problems.js";
import { displayName } from "../../model/workload.js";
import type { PolicySet } from "../../policy/ir/types.js";
import { loadPolicyInputs, reportProblems } from "../inputs.js";

/** Everything the connectivity forms need, loaded and checked. */
export interface ConnectivityInputs {
  inventory: Inventory;
  policies: PolicySet;
  /** Workloads behind Ingress/Route objects (empty when there are none). */
  ingress: IngressTarget[];
  /** True when the input has Ingress/Route objects with Service backends (`ingress-controller` exists). */
  hasIngressController: boolean;
  /** Display name → workload namespace and name, for focus options. */
  names: PeerNames;
}

/** The distinct stable label sets of each workload's pods (workloads with pods only). */
export function podLabelVariants(inv: Inventory): LabelVariants[] {
  const out: LabelVariants[] = [];
  for (const w of inv.workloads) {
    const pods = (inv.workloadResources?.get(w.id) ?? []).filter((r) => r.kind === "Pod");
    const seen = new Map<string, Record<string, string>>();
    for (const p of pods) {
      const labels = stableLabels(p.metadata.labels ?? {});
      seen.set(JSON.stringify(Object.entries(labels).sort()), labels);
    }
    if (seen.size > 1)
      out.push({
        workload: displayName(w),
        namespace: w.namespace ?? "default",
        variants: [...seen.values()],
      });
  }
  return out;
}

/** Display name → namespace/name of every in-cluster workload. */
export function peerNames(inv: Inventory): PeerNames {
  const names = new Map<string, { namespace: string; name: string }>();
  for (const w of inv.workloads)
    if (w.kind !== "entity" && w.kind !== "external")
      names.set(displayName(w), { namespace: w.namespace ?? "default", name: w.name });
  return names;
}

/** Loads `--dir`/`--policies`/`--inventory`; fatal problems (and label gaps policies see) throw. */
export async function loadConnectivityInputs(
  paths: { dir?: string[]; policies?: string[]; inventory?: string[] },
  log: (s: string) => void,
): Promise<ConnectivityInputs> {
  const { inventory, policies } = await loadPolicyInputs(paths, log);
  const gaps = labelGapProblems(policies, podLabelVariants(inventory));
  if (gaps.length) throw new MicrosegError(gaps);
  const problems: Problem[] = [];
  const backends = readIngressBackends(inventory.resources, problems);
  const services = inventory.resources
    .filter((r) => r.kind === "Service")
    .map((r) => parseService(r, problems));
  reportProblems(problems, log);
  const ingress = backends.length
    ? ingressTargets({ backends, services, workloads: inventory.workloads })
    : [];
  return {
    inventory,
    policies,
    ingress,
    hasIngressController: backends.length > 0 && services.some((s) => s.selector !== undefined),
    names: peerNames(inventory),
  };
}

/**
 * Kubernetes policies → the PolicySet IR: NetworkPolicy (np.ts), AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy (anp.ts), ClusterNetworkPolicy (cluster-network-policy.ts). Each
 * raw resource is first validated into its API type with the shared validating reader
 * (src/policy/validate.ts), reporting problems with file:line and the field path; valid objects
 * are then lowered to IR policies that keep every rule's origin.
 */
import type { K8sResource } from "../../inventory/types.js";
import type { ProblemSink } from "../../model/problems.js";
import { emptyK8sPolicySet, findLayer, type Policy, type PolicySet } from "../ir/types.js";
import { lowerAdminNetworkPolicy, readAdminNetworkPolicy } from "./anp.js";
import { parseClusterNetworkPolicies } from "./cluster-network-policy.js";
import { lowerNetworkPolicy, readNetworkPolicy } from "./np.js";
import { checkAdminPolicySet } from "./set-rules.js";

export { type Ctx, readList, readSelector, report } from "../validate.js";
export {
  lowerAdminNetworkPolicy,
  lowerAnpPeer,
  readAdminNetworkPolicy,
  readAnpPeer,
  readNamespacedPod,
} from "./anp.js";
export { effectivePolicyTypes, lowerNetworkPolicy, readNetworkPolicy } from "./np.js";

function policyKey(p: Policy): string {
  return `${p.namespace ?? ""}/${p.name}`;
}

/**
 * Parses the Kubernetes policies among `resources` (NetworkPolicy; AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy v1alpha1; ClusterNetworkPolicy v1alpha2 by tier, see
 * cluster-network-policy.ts) into a PolicySet with the layers anp → np → banp. Other kinds are ignored (the inventory loader reports them); invalid policies are
 * reported to `sink` as errors and left out. Policies are sorted by namespace/name.
 */
export function parseK8sPolicies(resources: K8sResource[], sink: ProblemSink): PolicySet {
  const set = emptyK8sPolicySet();
  const layers = {
    np: findLayer(set, "k8s-np")!,
    anp: findLayer(set, "k8s-anp")!,
    banp: findLayer(set, "k8s-banp")!,
  };
  for (const res of resources) {
    const origin: { file?: string; line?: number } = {};
    if (res.location.file !== undefined) origin.file = res.location.file;
    if (res.location.line !== undefined) origin.line = res.location.line;
    if (res.kind === "NetworkPolicy") {
      const policy = readNetworkPolicy(res, sink);
      if (policy) layers.np.policies.push(lowerNetworkPolicy(policy, origin));
    } else if (res.kind === "AdminNetworkPolicy" || res.kind === "BaselineAdminNetworkPolicy") {
      const policy = readAdminNetworkPolicy(res, sink);
      const layer = res.kind === "AdminNetworkPolicy" ? layers.anp : layers.banp;
      if (policy) layer.policies.push(lowerAdminNetworkPolicy(policy, origin));
    }
  }
  const cnps = parseClusterNetworkPolicies(resources, sink);
  layers.anp.policies.push(...cnps.admin);
  layers.banp.policies.push(...cnps.baseline);
  checkAdminPolicySet(resources, sink);
  for (const layer of Object.values(layers))
    layer.policies.sort((a, b) => (policyKey(a) < policyKey(b) ? -1 : policyKey(a) > policyKey(b) ? 1 : 0));
  return set;
}

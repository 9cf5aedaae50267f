/**
 * MultiNetworkPolicy (`k8s.cni.cncf.io/v1beta1`, k8snetworkplumbingwg multi-networkpolicy): the
 * NetworkPolicy API for secondary networks. Its spec is NetworkPolicy's ("MultiNetworkPolicy is
 * identical to Kubernetes NetworkPolicy"), so it is validated and lowered by the NetworkPolicy
 * code; the `k8s.v1.cni.cncf.io/policy-for` annotation names the NetworkAttachmentDefinitions
 * (`name` or `namespace/name`, comma-separated) whose networks it applies to. A MultiNetworkPolicy
 * never applies on the pod network or a primary user-defined network, and NetworkPolicies never
 * apply on a secondary network.
 */
import type { K8sResource } from "../../inventory/types.js";
import type { ProblemSink } from "../../model/problems.js";
import type { Policy } from "../ir/types.js";
import { lowerNetworkPolicy, readNetworkPolicy } from "./np.js";

/** The annotation naming the networks a MultiNetworkPolicy is for. */
export const POLICY_FOR_ANNOTATION = "k8s.v1.cni.cncf.io/policy-for";

/** A NetworkAttachmentDefinition named by a policy: `namespace` absent = the policy's namespace. */
export interface NetworkRef {
  namespace?: string;
  name: string;
}

/** A MultiNetworkPolicy in the IR (kind `MultiNetworkPolicy`) with the networks it is for. */
export interface MultiNetworkPolicyIR {
  policy: Policy;
  networks: NetworkRef[];
}

/** Parses a `policy-for` value (`a, ns/b`) into references; empty entries are dropped. */
export function parsePolicyFor(value: string): NetworkRef[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      const slash = s.indexOf("/");
      return slash < 0 ? { name: s } : { namespace: s.slice(0, slash), name: s.slice(slash + 1) };
    });
}

function renameKind(p: Policy): Policy {
  return {
    ...p,
    kind: "MultiNetworkPolicy",
    rules: p.rules.map((r) => ({ ...r, origin: { ...r.origin, policyKind: "MultiNetworkPolicy" } })),
  };
}

/**
 * The MultiNetworkPolicies among `resources`, validated like NetworkPolicies (problems go to `sink`
 * with file:line); one without a `policy-for` annotation is an error (it names no network).
 * Sorted by namespace/name.
 */
export function parseMultiNetworkPolicies(
  resources: readonly K8sResource[],
  sink: ProblemSink,
): MultiNetworkPolicyIR[] {
  const out: MultiNetworkPolicyIR[] = [];
  for (const res of resources) {
    if (res.kind !== "MultiNetworkPolicy") continue;
    const ns = res.metadata.namespace || "default";
    const networks = parsePolicyFor(res.metadata.annotations?.[POLICY_FOR_ANNOTATION] ?? "");
    if (networks.length === 0) {
      sink.report(
        "resource-invalid",
        "error",
        `MultiNetworkPolicy ${ns}/${res.metadata.name}: the ${POLICY_FOR_ANNOTATION} annotation is missing or empty (it names the networks the policy is for)`,
        { ...res.location, path: "metadata.annotations" },
      );
      continue;
    }
    const np = readNetworkPolicy(res, sink);
    if (!np) continue;
    const origin: { file?: string; line?: number } = {};
    if (res.location.file !== undefined) origin.file = res.location.file;
    if (res.location.line !== undefined) origin.line = res.location.line;
    out.push({ policy: renameKind(lowerNetworkPolicy(np, origin)), networks });
  }
  const key = (m: MultiNetworkPolicyIR) => `${m.policy.namespace}/${m.policy.name}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

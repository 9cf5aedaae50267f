/**
 * The names of the policy targets, without loading them: the CLI's help text needs the names on
 * every start, the targets themselves (src/policy/targets.ts, which checks this list against its
 * registry in targets.test.ts) only when a command generates or reads policies.
 */
export const TARGET_NAMES: readonly string[] = ["k8s", "cilium", "istio"];

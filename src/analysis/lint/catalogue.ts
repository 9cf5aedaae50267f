/**
 * The lint rule catalogue: id, default severity, one documentation line, and the fix. SARIF's
 * `tool.driver.rules` and the README's list are generated from it.
 */
import type { Severity } from "../../model/problems.js";

/** One lint rule. */
export interface LintRule {
  id: string;
  severity: Severity;
  /** One line: what the rule finds. */
  summary: string;
  /** Why it matters and what to do. */
  help: string;
}

/** Every rule, in the order the README lists them. */
export const LINT_RULES: readonly LintRule[] = [
  {
    id: "no-default-deny",
    severity: "error",
    summary: "a namespace has no default-deny policy for a direction (ingress or egress)",
    help: "Without a policy that selects every pod of the namespace for the direction, pods no policy selects accept (or send) anything. Add a NetworkPolicy with `podSelector: {}` and the direction in policyTypes.",
  },
  {
    id: "allow-all-peer",
    severity: "warning",
    summary:
      "an allow rule admits every peer (`{}` rule, empty selectors for all namespaces, 0.0.0.0/0 without except)",
    help: "Every workload of every namespace, and every address, matches. Name the peers by namespace and pod labels, and the ports.",
  },
  {
    id: "broad-cidr-in-cluster",
    severity: "warning",
    summary: "an ipBlock covers a broad private range (/16 or wider) where in-cluster peers live",
    help: "Pod and node addresses come from private ranges; a broad ipBlock admits whatever lands there. Select in-cluster peers by labels; keep ipBlocks for outside addresses.",
  },
  {
    id: "ip-peer-for-pod",
    severity: "error",
    summary: "an ipBlock names addresses of pods (anti-pattern: IP-based rules for pods)",
    help: "Pod IPs are reused and change on every restart; a rule by pod IP silently follows another pod. Select the workload by namespace and labels.",
  },
  {
    id: "data-without-l7",
    severity: "warning",
    summary: "a data or sensitive workload is admitted without L7 rules although the target supports them",
    help: "Cilium and Istio can restrict HTTP methods and paths (and Kafka topics); a data store reachable on its whole API is one request away from exfiltration. Add L7 rules for the calls the clients make.",
  },
  {
    id: "data-reachable-from-public",
    severity: "error",
    summary: "a data-zone workload can be reached from the public zone or from outside the cluster",
    help: "The zone matrix forbids public → data: put an application tier in between, or tighten the data workload's ingress.",
  },
  {
    id: "management-reachable-from-non-bastion",
    severity: "error",
    summary: "a management-zone workload can be reached from a workload that is not a bastion",
    help: "Monitoring, CI and admin tools hold credentials to everything; admit only the bastions (config `bastions`).",
  },
  {
    id: "zone-crossing",
    severity: "warning",
    summary: "the policies permit a flow between zones that the zone matrix forbids",
    help: "Either the policies are too broad or the matrix (config `zoneMatrix`) misses a flow the application needs.",
  },
  {
    id: "dns-egress-anywhere",
    severity: "warning",
    summary: "DNS egress (port 53) is allowed to every destination",
    help: "Allowing port 53 everywhere lets a compromised pod tunnel data over DNS to any resolver. Allow DNS only to the cluster DNS (kube-system, k8s-app=kube-dns).",
  },
  {
    id: "policy-selects-nothing",
    severity: "warning",
    summary: "a policy selects no workload of the input (label drift)",
    help: "Its labels match no pod, so it protects nothing while looking like it does. Fix the selector to the pods' current labels.",
  },
  {
    id: "peer-selects-nothing",
    severity: "warning",
    summary: "a rule's peer selector matches no workload of the input (label drift)",
    help: "The rule admits nobody, so the traffic it was written for is denied (or allowed by something else). Fix the selector.",
  },
  {
    id: "duplicate-name",
    severity: "error",
    summary: "two objects of the same kind, namespace and name",
    help: "The one applied last replaces the other; the input does not say which is in force. Rename or remove one.",
  },
  {
    id: "redundant-rule",
    severity: "info",
    summary: "a rule allows nothing that another rule of the same subject does not already allow",
    help: "Remove it, or narrow the broader rule if it was meant to be the exception.",
  },
  {
    id: "shadowed-rule",
    severity: "warning",
    summary: "a rule can never match: an earlier rule of a first-match policy covers it with another action",
    help: "Reorder the rules or change the priorities; as written the later rule is dead.",
  },
  {
    id: "missing-policy-types",
    severity: "warning",
    summary: "a NetworkPolicy without policyTypes and without egress rules leaves egress open",
    help: "Without policyTypes only Ingress is enforced; the selected pods may still send anywhere. Add `policyTypes: [Ingress, Egress]` when egress should be isolated.",
  },
  {
    id: "obsolete-isolation-annotation",
    severity: "error",
    summary: "a Namespace uses the pre-v1 `net.beta.kubernetes.io/network-policy` isolation annotation",
    help: "networking.k8s.io/v1 ignores it: the namespace is not isolated. Add a default-deny NetworkPolicy instead.",
  },
  {
    id: "no-flow-monitoring",
    severity: "warning",
    summary: "segmentation without monitoring: no flow source is configured",
    help: "Nobody will see the traffic the policies deny or the drift from the baseline. Configure `flowSources` (Hubble, VPC flow logs …) and run `microseg verify`/`monitor`.",
  },
];

/** The rule of an id. */
export function lintRule(id: string): LintRule {
  const r = LINT_RULES.find((x) => x.id === id);
  if (!r) throw new Error(`unknown lint rule ${id}`);
  return r;
}

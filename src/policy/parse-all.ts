/**
 * Routes policy resources by kind to their parsers and merges the results into one PolicySet:
 * Kubernetes (NetworkPolicy, ANP, BANP) and Cilium on the network plane, Istio on the mesh plane.
 * When Cilium policies are present, NetworkPolicies join the Cilium layer: Cilium enforces both
 * kinds as one policy repository (allows union, deny rules override; docs "Deny Policies").
 */
import type { K8sResource } from "../inventory/types.js";
import type { ProblemSink } from "../model/problems.js";
import { parseCiliumPolicies } from "./cilium/parse.js";
import { findLayer, type PolicySet } from "./ir/types.js";
import { parseIstioPolicies } from "./istio/parse.js";
import { parseK8sPolicies } from "./k8s/parse.js";

/** Options of the combined parser. */
export interface ParseAllOptions {
  /** Istio's root namespace (default `istio-system`). */
  istioRootNamespace?: string;
}

/** The targets whose policies appear among the resources (`k8s`, `cilium`, `istio`), sorted. */
export function policyTargetsOf(set: PolicySet): string[] {
  return set.target.split("+").filter((t) => t !== "");
}

/** Parses every policy kind microseg reads; the set's target names the kinds found (`k8s+istio`). */
export function parseAllPolicies(
  resources: K8sResource[],
  sink: ProblemSink,
  opts: ParseAllOptions = {},
): PolicySet {
  const k8s = parseK8sPolicies(resources, sink);
  const cilium = parseCiliumPolicies(resources, sink);
  const istio = parseIstioPolicies(resources, sink, { rootNamespace: opts.istioRootNamespace });
  const count = (s: PolicySet) => s.layers.reduce((n, l) => n + l.policies.length, 0);
  const targets: string[] = [];
  const layers = [...k8s.layers];
  if (count(k8s) > 0 || (count(cilium) === 0 && count(istio) === 0)) targets.push("k8s");
  if (count(cilium) > 0) {
    targets.push("cilium");
    const np = findLayer(k8s, "k8s-np")!;
    const cl = findLayer(cilium, "cilium")!;
    cl.policies.push(...np.policies);
    layers.splice(layers.indexOf(np), 1, cl);
  }
  if (count(istio) > 0) {
    targets.push("istio");
    layers.push(...istio.layers);
  }
  return { target: targets.join("+"), layers };
}

/**
 * Routes policy resources to the parsers of the target registry (src/policy/targets.ts) by the
 * kinds each target reads, and merges the results into one PolicySet: the layers of every target
 * that has policies, in registry order (the first target's layers always, as the default), with
 * a target's `absorbs` applied (Cilium's layer takes the NetworkPolicy layer's place and its
 * policies: Cilium enforces both kinds as one repository, docs "Deny Policies").
 */
import type { K8sResource } from "../inventory/types.js";
import type { ProblemSink } from "../model/problems.js";
import type { Layer, PolicySet } from "./ir/types.js";
import { type PolicyTarget, TARGETS, type TargetParseOptions } from "./targets.js";

/** Options of the combined parser. */
export type ParseAllOptions = TargetParseOptions;

/** The targets whose policies appear among the resources (`k8s`, `cilium`, `istio`), sorted. */
export function policyTargetsOf(set: PolicySet): string[] {
  return set.target.split("+").filter((t) => t !== "");
}

function policyCount(set: PolicySet): number {
  return set.layers.reduce((n, l) => n + l.policies.length, 0);
}

/** Moves the absorbed stage's policies into the target's layer, which takes the stage's place. */
function absorb(layers: Layer[], target: PolicyTarget): Layer[] {
  if (!target.absorbs) return layers;
  const { stage, into } = target.absorbs;
  const from = layers.find((l) => l.stage === stage);
  const to = layers.find((l) => l.stage === into);
  if (!from || !to) return layers;
  to.policies.push(...from.policies);
  return layers.filter((l) => l !== to).map((l) => (l === from ? to : l));
}

/**
 * Parses every policy kind the registry's targets read; the set's target names the targets that
 * had policies (`k8s+istio`), or the first target when none had.
 */
export function parseAllPolicies(
  resources: K8sResource[],
  sink: ProblemSink,
  opts: ParseAllOptions = {},
): PolicySet {
  const parsed = TARGETS.map((target) => {
    const kinds = new Set(target.kinds);
    return {
      target,
      set: target.parse(
        resources.filter((r) => kinds.has(r.kind)),
        sink,
        opts,
      ),
    };
  });
  const present = parsed.filter((p, i) => policyCount(p.set) > 0 || i === 0);
  const named = parsed.filter((p) => policyCount(p.set) > 0);
  let layers = present.flatMap((p) => p.set.layers);
  for (const p of named) layers = absorb(layers, p.target);
  const targets = (named.length > 0 ? named : parsed.slice(0, 1)).map((p) => p.target.name);
  return { target: targets.join("+"), layers };
}

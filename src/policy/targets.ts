/**
 * The registry of enforcement targets: each parses its own policies into the IR and emits IR
 * into its own objects. Later issues add cilium, istio and the cloud targets here.
 */
import { MicrosegError, problem } from "../model/problems.js";
import type { PolicySet } from "./ir/types.js";
import { type EmittedObject, emitK8sPolicies } from "./k8s/emit.js";

/** An enforcement target. */
export interface PolicyTarget {
  name: string;
  description: string;
  /** IR → objects to write. */
  emit(set: PolicySet): EmittedObject[];
}

/** Every known target, in the order `--help` lists them. */
export const TARGETS: readonly PolicyTarget[] = [
  {
    name: "k8s",
    description:
      "Kubernetes NetworkPolicy (networking.k8s.io/v1): default deny per namespace, allow by identity",
    emit: emitK8sPolicies,
  },
];

/** The names of the known targets. */
export function targetNames(): string[] {
  return TARGETS.map((t) => t.name);
}

/** The target of that name; an unknown name is a fatal usage problem listing the known ones. */
export function getTarget(name: string): PolicyTarget {
  const t = TARGETS.find((x) => x.name === name);
  if (!t)
    throw new MicrosegError(
      problem(
        "target-unknown",
        "error",
        `unknown --target "${name}"; known targets: ${targetNames().join(", ")}`,
      ),
    );
  return t;
}

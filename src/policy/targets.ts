/**
 * The registry of enforcement targets: each parses its own policies into the IR and emits IR
 * into its own objects. Later issues add cilium, istio and the cloud targets here.
 */
import { learnL7 } from "../graph/l7.js";
import type { CommunicationMap } from "../model/map.js";
import { MicrosegError, problem } from "../model/problems.js";
import { emitCiliumPolicies } from "./cilium/emit.js";
import { synthesizeCilium } from "./cilium/synth.js";
import type { PolicySet } from "./ir/types.js";
import { emitIstioPolicies } from "./istio/emit.js";
import { synthesizeIstio } from "./istio/synth.js";
import { type EmittedObject, emitK8sPolicies } from "./k8s/emit.js";
import type { SynthResult } from "./synth/synthesize.js";

/** Options a target's refinement reads. */
export interface RefineOptions {
  /** Istio: write AUDIT policies only (staged rollout). */
  istioAudit?: boolean;
  /** Distinct HTTP path templates per edge and method before widening to a prefix (default 8). */
  maxTemplatesPerEdge?: number;
}

/** An enforcement target. */
export interface PolicyTarget {
  name: string;
  description: string;
  /** IR → objects to write. */
  emit(set: PolicySet): EmittedObject[];
  /**
   * The generic (Kubernetes-shaped, L3/L4) synthesis + the map → this target's own IR (L7,
   * entities, FQDNs, mesh identities), with notes. Absent: the generic IR is emitted as is.
   */
  refine?(
    map: CommunicationMap,
    synth: SynthResult,
    opts: RefineOptions,
  ): { set: PolicySet; notes: string[]; warnings?: string[] };
}

/** Every known target, in the order `--help` lists them. */
export const TARGETS: readonly PolicyTarget[] = [
  {
    name: "k8s",
    description:
      "Kubernetes NetworkPolicy (networking.k8s.io/v1): default deny per namespace, allow by identity",
    emit: emitK8sPolicies,
  },
  {
    name: "cilium",
    description:
      "CiliumNetworkPolicy (cilium.io/v2): default deny per namespace, allow by identity, HTTP method/path where observed, entities, FQDNs with the DNS proxy rule",
    emit: emitCiliumPolicies,
    refine(map, synth, opts) {
      const l7 = learnL7(map, { maxTemplatesPerEdge: opts.maxTemplatesPerEdge });
      return synthesizeCilium(synth.set, synth.units, l7);
    },
  },
  {
    name: "istio",
    description:
      "Istio AuthorizationPolicy (security.istio.io/v1) by service-account principals with HTTP methods/paths, namespace allow-nothing, PeerAuthentication STRICT",
    emit: emitIstioPolicies,
    refine(map, synth, opts) {
      const l7 = learnL7(map, { maxTemplatesPerEdge: opts.maxTemplatesPerEdge });
      const r = synthesizeIstio(synth.set, l7.map, { audit: opts.istioAudit });
      const widened = l7.widenings.map(
        (w) => `${w.src} -> ${w.dst}: ${w.templates} ${w.method} path templates widened to ${w.prefix}`,
      );
      return { set: r.set, notes: [...widened, ...r.notes], warnings: r.warnings };
    },
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

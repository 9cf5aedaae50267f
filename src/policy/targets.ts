/**
 * The registry of enforcement targets: each names the resource kinds it reads, parses them into
 * the IR, and emits IR into its own objects. Policy loading (parse-all.ts) routes resources by
 * looping over this registry.
 */
import { learnL7 } from "../graph/l7.js";
import type { K8sResource } from "../inventory/types.js";
import type { CommunicationMap } from "../model/map.js";
import type { ProblemSink } from "../model/problems.js";
import { MicrosegError, problem } from "../model/problems.js";
import { emitCiliumPolicies } from "./cilium/emit.js";
import { parseCiliumPolicies } from "./cilium/parse.js";
import { synthesizeCilium } from "./cilium/synth.js";
import type { PolicySet, StageKind } from "./ir/types.js";
import { emitIstioPolicies } from "./istio/emit.js";
import { parseIstioPolicies } from "./istio/parse.js";
import { synthesizeIstio } from "./istio/synth.js";
import { type EmittedObject, emitK8sPolicies } from "./k8s/emit.js";
import { parseK8sPolicies } from "./k8s/parse.js";
import type { SynthResult } from "./synth/synthesize.js";

/** Options a target's refinement reads. */
export interface RefineOptions {
  /** Istio: write AUDIT policies only (staged rollout). */
  istioAudit?: boolean;
  /** Distinct HTTP path templates per edge and method before widening to a prefix (default 8). */
  maxTemplatesPerEdge?: number;
}

/** Options a target's parser reads. */
export interface TargetParseOptions {
  /** Istio's root namespace (default `istio-system`). */
  istioRootNamespace?: string;
}

/** An enforcement target. */
export interface PolicyTarget {
  name: string;
  description: string;
  /** The resource kinds this target's parser reads. */
  kinds: readonly string[];
  /** Its resources (of `kinds`) → its IR layers; problems go to `sink`, invalid objects are left out. */
  parse(resources: readonly K8sResource[], sink: ProblemSink, opts: TargetParseOptions): PolicySet;
  /**
   * Another target's stage whose policies this target enforces in its own layer when it has
   * policies, its layer taking that stage's place (Cilium enforces NetworkPolicies and its own
   * policies as one repository: allows union, denies override; docs "Deny Policies").
   */
  absorbs?: { stage: StageKind; into: StageKind };
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
    kinds: ["NetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"],
    parse: (resources, sink) => parseK8sPolicies([...resources], sink),
    emit: emitK8sPolicies,
  },
  {
    name: "cilium",
    description:
      "CiliumNetworkPolicy (cilium.io/v2): default deny per namespace, allow by identity, HTTP method/path where observed, entities, FQDNs with the DNS proxy rule",
    kinds: ["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"],
    parse: (resources, sink) => parseCiliumPolicies(resources, sink),
    absorbs: { stage: "k8s-np", into: "cilium" },
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
    kinds: ["AuthorizationPolicy", "PeerAuthentication"],
    parse: (resources, sink, opts) =>
      parseIstioPolicies(resources, sink, { rootNamespace: opts.istioRootNamespace }),
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

/**
 * Istio AuthorizationPolicy and PeerAuthentication → IR, on the mesh plane (TCP only):
 * peer-authn (first-match: most specific PeerAuthentication first) → DENY (first-match, every
 * rule denies) → ALLOW (union-when-selected: a selected workload admits only what some ALLOW rule
 * matches) → AUDIT (not enforced). CUSTOM policies call an external authorizer microseg cannot
 * evaluate: reported and left out.
 */

import type { K8sResource } from "../../inventory/types.js";
import type { LabelSelector } from "../../model/labels.js";
import type { ProblemSink } from "../../model/problems.js";
import type { Layer, Peer, Policy, PolicySet, Rule, StageKind, SubjectSelector } from "../ir/types.js";
import { type Ctx, newCtx, warn } from "../validate.js";
import { readAuthorizationPolicySpec, readPeerAuthenticationSpec } from "./read.js";
import { lowerIstioRule } from "./rules.js";
import type { AuthorizationPolicySpec, IstioAction, MtlsMode, PeerAuthenticationSpec } from "./types.js";
import { DEFAULT_ROOT_NAMESPACE } from "./types.js";

/** The enforcement plane of Istio layers. */
export const MESH_PLANE = "mesh";

/** Options of the Istio parser. */
export interface IstioParseOptions {
  /** Policies in this namespace apply mesh-wide (default `istio-system`). */
  rootNamespace?: string;
}

/**
 * Ports of the sidecar itself that it does not intercept inbound (Envoy's Prometheus endpoint
 * 15090, health 15021, merged telemetry 15020): connections to them bypass AuthorizationPolicy and
 * the mTLS mode.
 */
export const ISTIO_UNINTERCEPTED_PORTS: readonly number[] = [15020, 15021, 15090];

/** The layers an Istio policy set always has, in evaluation order. */
export function emptyIstioPolicySet(): PolicySet {
  const layer = (stage: StageKind, combining: Layer["combining"], mode?: "audit"): Layer => ({
    stage,
    combining,
    policies: [],
    plane: MESH_PLANE,
    protocols: ["TCP"],
    exemptPorts: [...ISTIO_UNINTERCEPTED_PORTS],
    ...(mode ? { mode } : {}),
  });
  return {
    target: "istio",
    layers: [
      layer("istio-peer-authn", "first-match"),
      layer("istio-deny", "first-match"),
      layer("istio-allow", "union-when-selected"),
      layer("istio-audit", "union-when-selected", "audit"),
    ],
  };
}

/** Peers without an mTLS identity (plain text): everything that is not a mesh pod. */
export const PLAINTEXT_PEER: Peer = { kind: "none-of", peers: [{ kind: "namespaces", patterns: ["*"] }] };

function subjectOf(res: K8sResource, selector: unknown, root: string): SubjectSelector {
  const ns = res.metadata.namespace ?? "default";
  const labels = (selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
  const pods: LabelSelector = labels && Object.keys(labels).length ? { matchLabels: { ...labels } } : {};
  return { namespaces: ns === root ? { kind: "all" } : { kind: "names", names: [ns] }, pods };
}

/** Specificity for PeerAuthentication precedence: workload 0, namespace 1, mesh 2. */
function specificity(subject: SubjectSelector): number {
  if (Object.keys(subject.pods).length > 0) return 0;
  return subject.namespaces.kind === "all" ? 2 : 1;
}

function lowerPeerAuthentication(
  res: K8sResource,
  spec: PeerAuthenticationSpec,
  root: string,
  v: Ctx,
): Policy {
  const mode: MtlsMode = spec.mtls?.mode ?? "UNSET";
  if (spec.portLevelMtls)
    warn(v, "spec.portLevelMtls", "portLevelMtls is not evaluated; the workload mode applies to every port");
  const subject = subjectOf(res, spec.selector, root);
  const origin = {
    policyKind: "PeerAuthentication",
    policyName: res.metadata.name,
    namespace: res.metadata.namespace,
    ruleIndex: 0,
    direction: "ingress" as const,
    ...res.location,
  };
  // UNSET inherits from the parent: no rule, so the next (less specific) policy decides
  const rules: Rule[] =
    mode === "UNSET"
      ? []
      : [
          {
            direction: "ingress",
            action: mode === "STRICT" ? "deny" : "pass",
            peers: [PLAINTEXT_PEER],
            ports: "any",
            origin,
          },
        ];
  return {
    kind: "PeerAuthentication",
    name: res.metadata.name,
    namespace: res.metadata.namespace,
    priority: specificity(subject),
    subject,
    directions: ["ingress"],
    rules,
    origin: { ...res.location },
    mtls: mode,
  };
}

function lowerAuthorizationPolicy(res: K8sResource, spec: AuthorizationPolicySpec, root: string): Policy {
  const action = spec.action ?? "ALLOW";
  const rules: Rule[] = [];
  (spec.rules ?? []).forEach((r, i) => {
    for (const parts of lowerIstioRule(r)) {
      const line = res.lineAt?.(["spec", "rules", i]) ?? res.location.line;
      rules.push({
        direction: "ingress",
        action: action === "DENY" ? "deny" : "allow",
        ...parts,
        origin: {
          policyKind: "AuthorizationPolicy",
          policyName: res.metadata.name,
          namespace: res.metadata.namespace,
          ...(res.location.file !== undefined ? { file: res.location.file } : {}),
          ...(line !== undefined ? { line } : {}),
          ruleIndex: i,
          direction: "ingress",
        },
      });
    }
  });
  return {
    kind: "AuthorizationPolicy",
    name: res.metadata.name,
    namespace: res.metadata.namespace,
    subject: subjectOf(res, spec.selector, root),
    directions: ["ingress"],
    rules,
    origin: { ...res.location },
  };
}

const LAYER_OF: Record<Exclude<IstioAction, "CUSTOM">, StageKind> = {
  ALLOW: "istio-allow",
  DENY: "istio-deny",
  AUDIT: "istio-audit",
};

/** True for the kinds this parser reads. */
export function isIstioPolicyKind(kind: string): boolean {
  return kind === "AuthorizationPolicy" || kind === "PeerAuthentication";
}

/**
 * Parses the Istio security objects among `resources` into the mesh-plane layers (policies sorted
 * by namespace/name). Problems go to `sink`; invalid objects are left out.
 */
export function parseIstioPolicies(
  resources: readonly K8sResource[],
  sink: ProblemSink,
  opts: IstioParseOptions = {},
): PolicySet {
  const root = opts.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const set = emptyIstioPolicySet();
  const layer = (stage: StageKind) => set.layers.find((l) => l.stage === stage)!;
  for (const res of resources) {
    if (!isIstioPolicyKind(res.kind)) continue;
    const v = newCtx(res, sink);
    if (res.kind === "PeerAuthentication") {
      const spec = readPeerAuthenticationSpec(v, res.raw.spec);
      if (v.errors === 0)
        layer("istio-peer-authn").policies.push(lowerPeerAuthentication(res, spec, root, v));
      continue;
    }
    const spec = readAuthorizationPolicySpec(v, res.raw.spec);
    if (v.errors > 0) continue;
    const action = spec.action ?? "ALLOW";
    if (action === "CUSTOM") {
      warn(v, "spec.action", "CUSTOM AuthorizationPolicy (external authorizer) is not evaluated");
      continue;
    }
    layer(LAYER_OF[action]).policies.push(lowerAuthorizationPolicy(res, spec, root));
  }
  const key = (p: Policy) => `${p.namespace ?? ""}/${p.name}`;
  for (const l of set.layers) l.policies.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return set;
}

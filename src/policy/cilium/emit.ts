/**
 * IR → CiliumNetworkPolicy objects (cilium.io/v2), one per policy. Selectors use identifying
 * labels; peers in from/toEndpoints carry `k8s:io.kubernetes.pod.namespace`; L7 rules go under
 * `toPorts[].rules`; a direction with no rules but enforced is written `[{}]` (Cilium's default
 * deny: the empty rule selects the endpoint and allows nothing).
 */
import type { LabelSelector } from "../../model/labels.js";
import { fail } from "../../model/problems.js";
import type { Peer, Policy, PolicySet, PortMatch, Rule } from "../ir/types.js";
import {
  type EmittedObject,
  EVIDENCE_ANNOTATION,
  evidenceAnnotation,
  MANAGED_BY_LABEL,
  type NodeComment,
  policyComments,
  ruleComment,
} from "../k8s/emit.js";
import { CILIUM_API, type CiliumPortRule, type CiliumRule, NAMESPACE_LABEL } from "./types.js";

/** The comment on `ingress: [{}]` / `egress: [{}]`, which a Kubernetes reader takes for allow-all. */
export const DEFAULT_DENY_COMMENT =
  " default deny: in Cilium this empty rule selects no peer, so it allows nothing; its presence puts the endpoint in default deny for this direction (unlike a NetworkPolicy `- {}`, which allows all)";

function endpointSelector(p: Extract<Peer, { kind: "pods" }>, where: string): LabelSelector {
  const sel: LabelSelector = {};
  const labels: Record<string, string> = { ...(p.pods.matchLabels ?? {}) };
  if (p.namespaces.kind === "names") {
    if (p.namespaces.names.length === 1) labels[`k8s:${NAMESPACE_LABEL}`] = p.namespaces.names[0];
    else
      sel.matchExpressions = [
        { key: `k8s:${NAMESPACE_LABEL}`, operator: "In", values: [...p.namespaces.names].sort() },
      ];
  } else if (p.namespaces.kind === "selector")
    fail("target-unknown", `${where}: namespace label selectors are not written for Cilium`);
  if (Object.keys(labels).length) sel.matchLabels = labels;
  if (p.pods.matchExpressions?.length)
    sel.matchExpressions = [...(sel.matchExpressions ?? []), ...p.pods.matchExpressions];
  return sel;
}

function emitPorts(ports: PortMatch[]): CiliumPortRule["ports"] {
  return ports.map((p) => {
    const out: { port: string; protocol: "TCP" | "UDP" | "SCTP"; endPort?: number } = {
      port: p.port === undefined ? "0" : String(p.port),
      protocol: p.protocol,
    };
    if (p.endPort !== undefined) out.endPort = p.endPort;
    return out;
  });
}

function emitRule(r: Rule, where: string): CiliumRule {
  const ing = r.direction === "ingress";
  const out: CiliumRule = {};
  const push = <K extends keyof CiliumRule>(k: K, v: NonNullable<CiliumRule[K]>[number]) => {
    (out[k] as unknown[]) = [...((out[k] as unknown[] | undefined) ?? []), v];
  };
  for (const p of r.peers) {
    switch (p.kind) {
      case "pods":
        push(ing ? "fromEndpoints" : "toEndpoints", endpointSelector(p, where));
        break;
      case "ipblock":
        push(
          ing ? "fromCIDRSet" : "toCIDRSet",
          p.except.length ? { cidr: p.cidr, except: p.except } : { cidr: p.cidr },
        );
        break;
      case "entity":
        push(ing ? "fromEntities" : "toEntities", p.entity);
        break;
      case "fqdn":
        if (ing) fail("target-unknown", `${where}: FQDN peers are egress only`);
        for (const n of p.patterns) push("toFQDNs", n.includes("*") ? { matchPattern: n } : { matchName: n });
        break;
      case "any":
        break;
      default:
        fail("target-unknown", `${where}: a Cilium rule cannot express a ${p.kind} peer`);
    }
  }
  if (r.ports !== "any") {
    const pr: CiliumPortRule = { ports: emitPorts(r.ports) };
    const rules: NonNullable<CiliumPortRule["rules"]> = {};
    if (r.http?.length)
      rules.http = r.http.map((h) => {
        if (
          h.except?.length ||
          (h.pathKind && h.pathKind !== "regex") ||
          (h.methodKind && h.methodKind !== "regex")
        )
          fail("target-unknown", `${where}: Cilium HTTP rules are regular expressions without excepts`);
        return {
          ...(h.method ? { method: h.method } : {}),
          ...(h.path ? { path: h.path } : {}),
          ...(h.host ? { host: h.host } : {}),
        };
      });
    if (r.dns?.length) rules.dns = r.dns.map((d) => ({ ...d }));
    if (Object.keys(rules).length) pr.rules = rules;
    out.toPorts = [pr];
  } else if (r.http?.length || r.dns?.length)
    fail("target-unknown", `${where}: L7 rules need ports in Cilium`);
  if (r.peers.some((p) => p.kind === "any") && r.ports === "any")
    push(ing ? "fromEntities" : "toEntities", "all");
  return out;
}

function podSelector(p: Policy, where: string): LabelSelector {
  if (p.subject.namespaces.kind !== "names" || p.subject.namespaces.names.length !== 1)
    fail("target-unknown", `${where}: only namespaced policies are written for Cilium`);
  const sel: LabelSelector = {};
  if (p.subject.pods.matchLabels && Object.keys(p.subject.pods.matchLabels).length)
    sel.matchLabels = { ...p.subject.pods.matchLabels };
  if (p.subject.pods.matchExpressions?.length) sel.matchExpressions = p.subject.pods.matchExpressions;
  return sel;
}

function emitPolicy(p: Policy): EmittedObject {
  const where = `${p.kind} ${p.namespace}/${p.name}`;
  const spec: Record<string, unknown> = { endpointSelector: podSelector(p, where) };
  const comments: NodeComment[] = policyComments(p);
  const lists: [string, "ingress" | "egress", "allow" | "deny"][] = [
    ["ingress", "ingress", "allow"],
    ["ingressDeny", "ingress", "deny"],
    ["egress", "egress", "allow"],
    ["egressDeny", "egress", "deny"],
  ];
  for (const [list, dir, action] of lists) {
    const rules = p.rules.filter((r) => r.direction === dir && r.action === action);
    if (rules.length === 0) continue;
    spec[list] = rules.map((r, i) => {
      comments.push({ path: ["spec", list, i], text: ruleComment(r) });
      return emitRule(r, where);
    });
  }
  for (const dir of p.directions)
    if (!spec[dir] && !spec[`${dir}Deny`]) {
      spec[dir] = [{}]; // enforced, nothing allowed
      comments.push({ path: ["spec", dir, 0], text: DEFAULT_DENY_COMMENT });
    }
  const relaxed = p.directions.filter((d) => !(p.enforces ?? p.directions).includes(d));
  if (relaxed.length > 0) spec.enableDefaultDeny = Object.fromEntries(relaxed.map((d) => [d, false]));
  const ns = (p.subject.namespaces as { names: string[] }).names[0];
  const metadata: Record<string, unknown> = {
    name: p.name,
    namespace: ns,
    labels: { [MANAGED_BY_LABEL]: "microseg" },
  };
  const ev = evidenceAnnotation(p);
  if (ev) metadata.annotations = { [EVIDENCE_ANNOTATION]: ev };
  return {
    file: `${ns}/cilium-${p.name}.yaml`,
    object: { apiVersion: CILIUM_API, kind: "CiliumNetworkPolicy", metadata, spec },
    comments,
  };
}

/** Emits the Cilium layer of a set as CiliumNetworkPolicy objects, sorted by file. */
export function emitCiliumPolicies(set: PolicySet): EmittedObject[] {
  const out: EmittedObject[] = [];
  for (const layer of set.layers) {
    if (layer.policies.length === 0) continue;
    if (layer.stage !== "cilium")
      fail("target-unknown", `the cilium target cannot express ${layer.stage} policies`);
    out.push(...layer.policies.map(emitPolicy));
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/**
 * IR → Kubernetes NetworkPolicy objects (networking.k8s.io/v1). Returns plain objects plus the
 * comments to place above each rule; src/io serialises them to YAML.
 */

import type { LabelSelector } from "../../model/labels.js";
import { dns1123Name, isDns1123Label } from "../../model/names.js";
import { fail, type Location } from "../../model/problems.js";
import type { NamespaceMatch, Peer, Policy, PolicySet, PortMatch, Rule, RuleEvidence } from "../ir/types.js";

/** A comment to place above the node at `path` of the object. */
export interface NodeComment {
  path: (string | number)[];
  text: string;
}

/** One object to write, with its suggested relative file path and comments. */
export interface EmittedObject {
  /** Relative path inside the output directory, e.g. `bookinfo/productpage-v1.yaml`. */
  file: string;
  object: Record<string, unknown>;
  comments: NodeComment[];
  /** A comment at the top of the document. */
  header?: string;
}

/** The annotation that carries each rule's evidence, as JSON. */
export const EVIDENCE_ANNOTATION = "microseg.dev/evidence";
/** The label marking objects microseg generated. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

/** One line of evidence: `37 flows, first 2021-… last 2021-…` or `inferred from file:line …`. */
export function describeEvidence(ev: RuleEvidence | undefined): string {
  if (!ev) return "no evidence recorded";
  const parts: string[] = [];
  if (ev.flows)
    parts.push(
      `${ev.flows} flow${ev.flows === 1 ? "" : "s"}, first seen ${ev.firstSeen ?? "?"}, last seen ${ev.lastSeen ?? "?"}`,
    );
  if (ev.inferredFrom?.length) parts.push(`inferred from ${[...new Set(ev.inferredFrom)].join("; ")}`);
  if (parts.length === 0) parts.push("no flows recorded");
  return parts.join("; ");
}

/** The comment above a generated rule: its evidence, then what the reader should know. */
export function ruleComment(r: Rule): string {
  return ` ${[describeEvidence(r.evidence), ...(r.comments ?? [])].join("; ")}`;
}

/** The comment above a generated policy's spec (its first key is the subject selector). */
export function policyComments(p: Policy): NodeComment[] {
  return p.comments?.length ? [{ path: ["spec"], text: ` ${p.comments.join("; ")}` }] : [];
}

function namespaceSelector(m: NamespaceMatch): LabelSelector {
  if (m.kind === "all") return {};
  if (m.kind === "selector") return m.selector;
  if (m.names.length === 1) return { matchLabels: { "kubernetes.io/metadata.name": m.names[0] } };
  return {
    matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...m.names].sort() }],
  };
}

function emitPeer(p: Peer, where: Location): Record<string, unknown> {
  switch (p.kind) {
    case "pods":
      return { namespaceSelector: namespaceSelector(p.namespaces), podSelector: p.pods };
    case "ipblock":
      return p.except.length
        ? { ipBlock: { cidr: p.cidr, except: p.except } }
        : { ipBlock: { cidr: p.cidr } };
    case "any":
      return {};
    default:
      return fail("target-unknown", `a NetworkPolicy cannot express a ${p.kind} peer`, where);
  }
}

function emitPorts(ports: PortMatch[] | "any"): Record<string, unknown>[] | undefined {
  if (ports === "any") return undefined;
  return ports.map((p) => {
    const out: Record<string, unknown> = { protocol: p.protocol };
    if (p.port !== undefined) out.port = p.port;
    if (p.endPort !== undefined) out.endPort = p.endPort;
    return out;
  });
}

function emitRule(r: Rule, where: Location): Record<string, unknown> {
  if (r.action !== "allow") fail("target-unknown", "a NetworkPolicy rule can only allow", where);
  const out: Record<string, unknown> = {};
  const any = r.peers.some((p) => p.kind === "any");
  if (!any) out[r.direction === "ingress" ? "from" : "to"] = r.peers.map((p) => emitPeer(p, where));
  const ports = emitPorts(r.ports);
  if (ports) out.ports = ports;
  return out;
}

/** The evidence annotation value: per direction, per rule index, flows and first/last seen or inference. */
export function evidenceAnnotation(policy: Policy): string | undefined {
  const by: Record<string, Record<string, unknown>[]> = {};
  for (const r of policy.rules) {
    if (!r.evidence) continue;
    const entry: Record<string, unknown> = { rule: r.origin.ruleIndex };
    if (r.evidence.flows) {
      entry.flows = r.evidence.flows;
      entry.firstSeen = r.evidence.firstSeen;
      entry.lastSeen = r.evidence.lastSeen;
    }
    if (r.evidence.inferredFrom?.length) entry.inferredFrom = [...new Set(r.evidence.inferredFrom)];
    const list = by[r.direction] ?? [];
    list.push(entry);
    by[r.direction] = list;
  }
  return Object.keys(by).length ? JSON.stringify(by) : undefined;
}

/** Emits one NetworkPolicy object from an IR policy of the k8s-np layer. */
export function emitNetworkPolicy(policy: Policy, name: string): EmittedObject {
  const where: Location = { path: `${policy.namespace}/${policy.name}` };
  if (policy.subject.namespaces.kind !== "names" || policy.subject.namespaces.names.length !== 1)
    fail("target-unknown", "a NetworkPolicy applies to exactly one namespace", where);
  const namespace = policy.subject.namespaces.names[0];
  if (!isDns1123Label(namespace))
    fail(
      "map-invalid",
      `"${namespace}" is not a valid namespace name (RFC 1123 label): no policy can be written for it`,
      where,
    );
  const ingress = policy.rules.filter((r) => r.direction === "ingress");
  const egress = policy.rules.filter((r) => r.direction === "egress");
  const policyTypes: string[] = [];
  if (policy.directions.includes("ingress")) policyTypes.push("Ingress");
  if (policy.directions.includes("egress")) policyTypes.push("Egress");
  // key order as people write it: podSelector, policyTypes, ingress, egress
  const spec: Record<string, unknown> = { podSelector: policy.subject.pods, policyTypes };
  const comments: NodeComment[] = policyComments(policy);
  if (policy.directions.includes("ingress")) {
    spec.ingress = ingress.map((r) => emitRule(r, where));
    for (const [i, r] of ingress.entries())
      comments.push({ path: ["spec", "ingress", i], text: ruleComment(r) });
  }
  if (policy.directions.includes("egress")) {
    spec.egress = egress.map((r) => emitRule(r, where));
    for (const [i, r] of egress.entries())
      comments.push({ path: ["spec", "egress", i], text: ruleComment(r) });
  }
  const annotations: Record<string, string> = { ...(policy.annotations ?? {}) };
  const ev = evidenceAnnotation(policy);
  if (ev) annotations[EVIDENCE_ANNOTATION] = ev;
  const metadata: Record<string, unknown> = { name, namespace, labels: { [MANAGED_BY_LABEL]: "microseg" } };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return {
    file: `${namespace}/${name}.yaml`,
    object: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata, spec },
    comments,
  };
}

/**
 * Emits every NetworkPolicy of the set's k8s-np layer with stable DNS-1123 names (unique per
 * namespace), sorted by namespace then name.
 */
export function emitK8sPolicies(set: PolicySet): EmittedObject[] {
  const out: EmittedObject[] = [];
  const taken = new Map<string, Set<string>>();
  for (const layer of set.layers) {
    if (layer.policies.length === 0) continue;
    if (layer.stage !== "k8s-np")
      fail(
        "target-unknown",
        `the k8s emitter writes NetworkPolicies only; layer ${layer.stage} is not supported yet`,
      );
    for (const p of layer.policies) {
      const ns = p.namespace ?? "default";
      const used = taken.get(ns) ?? new Set<string>();
      taken.set(ns, used);
      let name = dns1123Name(p.name);
      if (used.has(name)) name = dns1123Name(`${p.name}-${used.size}`);
      used.add(name);
      out.push(emitNetworkPolicy(p, name));
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/**
 * IR (mesh plane) → Istio objects: AuthorizationPolicy (ALLOW / DENY / AUDIT by layer) and
 * PeerAuthentication. Plain objects; src/io serialises them. IR that Istio cannot express (label
 * peers, regex paths, egress rules) fails with a message.
 */
import { fail } from "../../model/problems.js";
import type { HttpMatch, Peer, Policy, PolicySet, PortMatch, Rule } from "../ir/types.js";
import {
  type EmittedObject,
  EVIDENCE_ANNOTATION,
  evidenceAnnotation,
  MANAGED_BY_LABEL,
  type NodeComment,
  policyComments,
  ruleComment,
} from "../k8s/emit.js";
import { PLAINTEXT_PEER } from "./parse.js";
import {
  DEFAULT_ROOT_NAMESPACE,
  ISTIO_SECURITY_API,
  type IstioOperation,
  type IstioSource,
} from "./types.js";

type Source = IstioSource & Record<string, string[] | undefined>;

function addTo(src: Source, field: keyof IstioSource, values: string[]): void {
  src[field] = [...(src[field] ?? []), ...values];
}

function sourceFields(p: Peer, src: Source, where: string): void {
  switch (p.kind) {
    case "principals":
      addTo(src, "principals", p.patterns);
      return;
    case "namespaces":
      addTo(src, "namespaces", p.patterns);
      return;
    case "ipblock":
      addTo(src, "ipBlocks", [p.cidr]);
      if (p.except.length) addTo(src, "notIpBlocks", p.except);
      return;
    case "all-of":
      for (const q of p.peers) sourceFields(q, src, where);
      return;
    case "none-of":
      for (const q of p.peers) {
        if (q.kind === "principals") addTo(src, "notPrincipals", q.patterns);
        else if (q.kind === "namespaces") addTo(src, "notNamespaces", q.patterns);
        else if (q.kind === "ipblock") addTo(src, "notIpBlocks", [q.cidr]);
        else fail("target-unknown", `${where}: Istio cannot negate a ${q.kind} peer`);
      }
      return;
    case "any":
      return;
    default:
      fail(
        "target-unknown",
        `${where}: an Istio source cannot express a ${p.kind} peer (use principals or namespaces)`,
      );
  }
}

function istioString(value: string, kind: HttpMatch["pathKind"], where: string): string {
  if (kind === "prefix") return `${value}*`;
  if (kind === "suffix") return `*${value}`;
  if (kind === "regex") fail("target-unknown", `${where}: Istio paths have no regular expressions`);
  return value;
}

function ports(list: Rule["ports"], where: string): string[] | undefined {
  if (list === "any") return undefined;
  const out: string[] = [];
  for (const p of list as PortMatch[]) {
    if (p.protocol !== "TCP") fail("target-unknown", `${where}: Istio authorizes TCP only (${p.protocol})`);
    if (p.port === undefined) return undefined;
    if (typeof p.port === "string")
      fail("target-unknown", `${where}: Istio ports are numbers (named port ${p.port})`);
    const end = p.endPort ?? p.port;
    if (end - p.port > 256)
      fail("target-unknown", `${where}: port range ${p.port}-${end} is too wide for Istio`);
    for (let n = p.port; n <= end; n++) out.push(String(n));
  }
  return out;
}

/** HTTP entries → operations: consecutive entries with the same method and no host/except share one. */
function operations(rule: Rule, where: string): IstioOperation[] {
  const portList = ports(rule.ports, where);
  const base: IstioOperation = portList ? { ports: portList } : {};
  if (!rule.http?.length) return [base];
  const ops: IstioOperation[] = [];
  let last: { method?: string; op: IstioOperation } | undefined;
  for (const m of rule.http) {
    const simple = !m.host && !m.except?.length && (m.methodKind ?? "exact") === "exact";
    if (simple && last && last.method === m.method && m.path !== undefined && last.op.paths) {
      last.op.paths.push(istioString(m.path, m.pathKind, where));
      continue;
    }
    const op: IstioOperation = { ...base };
    if (m.host) op.hosts = [istioString(m.host, m.hostKind, where)];
    if (m.method) op.methods = [istioString(m.method, m.methodKind, where)];
    if (m.path !== undefined) op.paths = [istioString(m.path, m.pathKind, where)];
    for (const x of m.except ?? []) {
      if (x.method) op.notMethods = [...(op.notMethods ?? []), istioString(x.method, x.methodKind, where)];
      if (x.path !== undefined)
        op.notPaths = [...(op.notPaths ?? []), istioString(x.path, x.pathKind, where)];
      if (x.host) op.notHosts = [...(op.notHosts ?? []), istioString(x.host, x.hostKind, where)];
    }
    ops.push(op);
    last = simple ? { method: m.method, op } : undefined;
  }
  return ops;
}

function emitRule(rule: Rule, where: string): Record<string, unknown> {
  if (rule.direction !== "ingress")
    fail("target-unknown", `${where}: Istio AuthorizationPolicy has no egress rules`);
  const out: Record<string, unknown> = {};
  const sources = rule.peers
    .filter((p) => p.kind !== "any")
    .map((p) => {
      const src: Source = {};
      sourceFields(p, src, where);
      return { source: src };
    });
  if (sources.length && sources.length === rule.peers.length) out.from = sources;
  const ops = operations(rule, where).filter((o) => Object.keys(o).length > 0);
  if (ops.length) out.to = ops.map((operation) => ({ operation }));
  if (rule.conditions?.length) out.when = rule.conditions.map((c) => ({ ...c }));
  return out;
}

function metadata(p: Policy): Record<string, unknown> {
  const ns = p.subject.namespaces.kind === "names" ? p.subject.namespaces.names[0] : DEFAULT_ROOT_NAMESPACE;
  return { name: p.name.replace(/#\d+$/, ""), namespace: ns, labels: { [MANAGED_BY_LABEL]: "microseg" } };
}

function selector(p: Policy, where: string): Record<string, unknown> | undefined {
  if (p.subject.pods.matchExpressions?.length)
    fail("target-unknown", `${where}: an Istio selector has matchLabels only`);
  const labels = p.subject.pods.matchLabels;
  return labels && Object.keys(labels).length ? { matchLabels: { ...labels } } : undefined;
}

function emitPeerAuthentication(p: Policy): EmittedObject {
  const where = `PeerAuthentication ${p.namespace}/${p.name}`;
  const spec: Record<string, unknown> = {};
  const sel = selector(p, where);
  if (sel) spec.selector = sel;
  spec.mtls = {
    mode:
      p.mtls ??
      (p.rules.some((r) => JSON.stringify(r.peers) === JSON.stringify([PLAINTEXT_PEER]))
        ? "STRICT"
        : "PERMISSIVE"),
  };
  const meta = metadata(p);
  return {
    file: `${meta.namespace}/peer-authentication-${meta.name}.yaml`,
    object: { apiVersion: ISTIO_SECURITY_API, kind: "PeerAuthentication", metadata: meta, spec },
    comments: [],
    header: " Generated by microseg: mTLS mode (principals in AuthorizationPolicies exist only with mTLS).",
  };
}

function emitAuthorizationPolicy(p: Policy, action: string): EmittedObject {
  const where = `AuthorizationPolicy ${p.namespace}/${p.name}`;
  const spec: Record<string, unknown> = {};
  const sel = selector(p, where);
  if (sel) spec.selector = sel;
  if (action !== "ALLOW" || p.rules.length) spec.action = action;
  const comments: NodeComment[] = policyComments(p);
  if (p.rules.length) {
    spec.rules = p.rules.map((r, i) => {
      comments.push({ path: ["spec", "rules", i], text: ruleComment(r) });
      return emitRule(r, where);
    });
  }
  const meta = metadata(p);
  const ev = evidenceAnnotation(p);
  if (ev) meta.annotations = { [EVIDENCE_ANNOTATION]: ev };
  return {
    file: `${meta.namespace}/authorization-policy-${meta.name}.yaml`,
    object: { apiVersion: ISTIO_SECURITY_API, kind: "AuthorizationPolicy", metadata: meta, spec },
    comments,
  };
}

const ACTION_OF: Record<string, string> = {
  "istio-allow": "ALLOW",
  "istio-deny": "DENY",
  "istio-audit": "AUDIT",
};

/** Emits the mesh-plane layers of a set as Istio objects, sorted by file. */
export function emitIstioPolicies(set: PolicySet): EmittedObject[] {
  const out: EmittedObject[] = [];
  for (const layer of set.layers) {
    if (layer.stage === "istio-peer-authn") out.push(...layer.policies.map(emitPeerAuthentication));
    else if (ACTION_OF[layer.stage])
      out.push(...layer.policies.map((p) => emitAuthorizationPolicy(p, ACTION_OF[layer.stage])));
    else if (layer.policies.length)
      fail("target-unknown", `the istio target cannot express ${layer.stage} policies`);
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

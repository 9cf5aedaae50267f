/**
 * Hubble endpoints → SourceIdentity: Cilium label strings (`k8s:app=x`, `reserved:host`) and
 * numeric security identities turned into namespace, labels, service account and entity.
 */
import type { SourceIdentity } from "../../model/flow.js";

/** Cilium's reserved security identities (pkg/identity/numericidentity.go). */
const RESERVED_IDENTITIES: Readonly<Record<number, string>> = {
  1: "host",
  2: "world",
  3: "unmanaged",
  4: "health",
  5: "init",
  6: "remote-node",
  7: "kube-apiserver",
  8: "ingress",
  9: "world",
  10: "world",
};

/** Reserved label names that mean the same entity as another one. */
const ENTITY_ALIASES: Readonly<Record<string, string>> = { "world-ipv4": "world", "world-ipv6": "world" };

/** When an endpoint carries several reserved labels, the most specific one names it. */
const ENTITY_PRECEDENCE = ["kube-apiserver", "ingress", "health", "init", "remote-node", "host", "unmanaged"];

const NS_LABEL_PREFIX = "io.cilium.k8s.namespace.labels.";
const SA_LABEL = "io.cilium.k8s.policy.serviceaccount";
const NS_LABEL = "io.kubernetes.pod.namespace";

/** One Cilium label: `source:key=value` (value may be empty, `=value` may be absent). */
export interface CiliumLabel {
  source: string;
  key: string;
  value: string;
}

/** Splits a Cilium label string (`k8s:app=x`, `reserved:world`, `cidr:10.0.0.0/8`). */
export function parseCiliumLabel(s: string): CiliumLabel {
  const colon = s.indexOf(":");
  const source = colon > 0 ? s.slice(0, colon) : "unspec";
  const rest = colon > 0 ? s.slice(colon + 1) : s;
  const eq = rest.indexOf("=");
  return eq >= 0
    ? { source, key: rest.slice(0, eq), value: rest.slice(eq + 1) }
    : { source, key: rest, value: "" };
}

/** True for Cilium/Hubble-internal label keys that never name a workload. */
export function isCiliumInternalKey(key: string): boolean {
  return key.startsWith("io.cilium.") || key.startsWith("io.kubernetes.pod.");
}

/** Reads a field by its proto name or its lowerCamel JSON name (protojson without UseProtoNames). */
export function field(obj: Record<string, unknown> | undefined, protoName: string): unknown {
  if (!obj) return undefined;
  if (obj[protoName] !== undefined) return obj[protoName];
  const camel = protoName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return obj[camel];
}

/** The entity a set of reserved labels (or a reserved identity number) names. */
function entityOf(reserved: string[], identity: number | undefined): string | undefined {
  const names = reserved.map((r) => ENTITY_ALIASES[r] ?? r);
  for (const e of ENTITY_PRECEDENCE) if (names.includes(e)) return e;
  if (names.includes("world")) return "world";
  if (names.length > 0) return [...names].sort()[0];
  return identity !== undefined ? RESERVED_IDENTITIES[identity] : undefined;
}

/** What the label list of an endpoint says. */
interface LabelFacts {
  labels: Record<string, string>;
  namespaceLabels: Record<string, string>;
  reserved: string[];
  namespace?: string;
  serviceAccount?: string;
  cidrs: string[];
  fqdns: string[];
}

function readLabels(list: unknown): LabelFacts {
  const facts: LabelFacts = { labels: {}, namespaceLabels: {}, reserved: [], cidrs: [], fqdns: [] };
  if (!Array.isArray(list)) return facts;
  for (const raw of list) {
    if (typeof raw !== "string") continue;
    const l = parseCiliumLabel(raw);
    if (l.source === "reserved") facts.reserved.push(l.key);
    else if (l.source === "cidr") facts.cidrs.push(l.key);
    else if (l.source === "fqdn") facts.fqdns.push(l.key);
    else if (l.source !== "k8s") continue;
    else if (l.key.startsWith(NS_LABEL_PREFIX))
      facts.namespaceLabels[l.key.slice(NS_LABEL_PREFIX.length)] = l.value;
    else if (l.key === SA_LABEL) facts.serviceAccount = l.value;
    else if (l.key === NS_LABEL) facts.namespace = l.value;
    else if (!isCiliumInternalKey(l.key)) facts.labels[l.key] = l.value;
  }
  return facts;
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

/** The first `workloads[]` entry of a Hubble endpoint (Cilium ≥ 1.11), when present. */
function firstWorkload(ep: Record<string, unknown>): { name?: string; kind?: string } {
  const list = field(ep, "workloads");
  if (!Array.isArray(list) || list.length === 0) return {};
  const w = list[0] as Record<string, unknown>;
  return {
    name: typeof w.name === "string" && w.name ? w.name : undefined,
    kind: typeof w.kind === "string" && w.kind ? w.kind : undefined,
  };
}

/**
 * Turns a Hubble endpoint object into a SourceIdentity (undefined when the endpoint is empty).
 * Labels lose their `k8s:` prefix and Cilium-internal keys; the namespace comes from `namespace` or
 * the `io.kubernetes.pod.namespace` label; reserved labels or identity numbers give the entity.
 */
export function parseHubbleEndpoint(ep: unknown, names?: unknown): SourceIdentity | undefined {
  if (!ep || typeof ep !== "object") return undefined;
  const o = ep as Record<string, unknown>;
  const facts = readLabels(o.labels);
  const identityNum = Number(field(o, "identity") ?? Number.NaN);
  const id: SourceIdentity = {};
  const ns = typeof o.namespace === "string" && o.namespace ? o.namespace : facts.namespace;
  if (ns) id.namespace = ns;
  const pod = field(o, "pod_name");
  if (typeof pod === "string" && pod) id.podName = pod;
  const wl = firstWorkload(o);
  if (wl.name) id.workloadName = wl.name;
  if (wl.kind) id.workloadKind = wl.kind;
  if (Object.keys(facts.labels).length > 0) id.labels = sortedRecord(facts.labels);
  if (Object.keys(facts.namespaceLabels).length > 0) id.namespaceLabels = sortedRecord(facts.namespaceLabels);
  if (facts.serviceAccount) id.serviceAccount = facts.serviceAccount;
  const entity = entityOf(facts.reserved, Number.isFinite(identityNum) ? identityNum : undefined);
  if (entity) id.entity = entity;
  const dnsNames = [
    ...facts.fqdns,
    ...(Array.isArray(names) ? names.filter((n) => typeof n === "string") : []),
  ];
  if (dnsNames.length > 0) id.names = [...new Set(dnsNames)].sort();
  return Object.keys(id).length > 0 ? id : undefined;
}

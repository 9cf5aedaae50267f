/**
 * Kubernetes policies → the PolicySet IR. Each raw resource is first validated into its API type
 * (src/policy/k8s/types.ts) as the API server would, reporting problems with file:line and the
 * field path; valid objects are then lowered to IR policies that keep every rule's origin.
 */
import type { K8sResource } from "../../inventory/types.js";
import { parseCidr } from "../../model/ipset.js";
import { compileSelector, type LabelSelector } from "../../model/labels.js";
import type { Protocol } from "../../model/ports.js";
import { type Location, MicrosegError, type ProblemCode, type ProblemSink } from "../../model/problems.js";
import {
  type Direction,
  emptyK8sPolicySet,
  findLayer,
  type Peer,
  type Policy,
  type PolicySet,
  type PortMatch,
  type Rule,
} from "../ir/types.js";
import { parseClusterNetworkPolicies } from "./cluster-network-policy.js";
import { checkAdminPolicySet } from "./set-rules.js";
import type {
  AdminNetworkPolicy,
  AdminNetworkPolicyPeer,
  AdminNetworkPolicyPort,
  AdminNetworkPolicyRule,
  IPBlock,
  NamespacedPod,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
  PolicyType,
} from "./types.js";

/** Validation context: the resource being read and where problems go. */
/** The validation context of one resource: where problems go and how many errors were found. */
export interface Ctx {
  res: K8sResource;
  sink: ProblemSink;
  errors: number;
}

/** Splits `spec.ingress[0].from` into `["spec", "ingress", 0, "from"]`. */
function pathSegments(path: string): (string | number)[] {
  return path
    .split(/\.|(?=\[)/)
    .filter((s) => s !== "")
    .map((s) => (/^\[\d+\]$/.test(s) ? Number(s.slice(1, -1)) : s));
}

/** The location of a field: the line of the nearest enclosing path the loader knows, and the path. */
function at(ctx: Ctx, path: string): Location {
  const lineAt = (ctx.res as { lineAt?: (p: readonly (string | number)[]) => number | undefined }).lineAt;
  const segs = pathSegments(path);
  for (let n = segs.length; lineAt && n > 0; n--) {
    const line = lineAt(segs.slice(0, n));
    if (line !== undefined) return { ...ctx.res.location, line, path };
  }
  return { ...ctx.res.location, path };
}

/** Reports an error at a field path of the resource (with its line when known). */
export function report(ctx: Ctx, code: ProblemCode, path: string, message: string): void {
  ctx.errors++;
  const name = `${ctx.res.kind} ${ctx.res.metadata?.namespace ?? "default"}/${ctx.res.metadata?.name}`;
  ctx.sink.report(code, "error", `${name}: ${message}`, at(ctx, path));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads an optional list field: undefined when absent (or null), an error when not a list. */
export function readList(ctx: Ctx, v: unknown, path: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    report(ctx, "resource-invalid", path, `expected a list, found ${typeof v}`);
    return undefined;
  }
  return v;
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `label key "${key}" has an invalid prefix`;
  if (name.length > 63 || !LABEL_NAME.test(name)) return `label key "${key}" is not a valid label name`;
  return undefined;
}

function labelValueError(value: string): string | undefined {
  if (value === "") return undefined;
  return value.length > 63 || !LABEL_NAME.test(value) ? `label value "${value}" is not valid` : undefined;
}

/** Reads a scalar label value (YAML may give numbers or booleans; the API wants strings). */
function readLabelValue(ctx: Ctx, v: unknown, path: string): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  report(ctx, "selector-invalid", path, `expected a label value, found ${v === null ? "null" : typeof v}`);
  return undefined;
}

function readMatchLabels(ctx: Ctx, v: unknown, path: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    report(ctx, "selector-invalid", path, "matchLabels must be a map");
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, raw] of Object.entries(v)) {
    const value = readLabelValue(ctx, raw, `${path}.${k}`);
    const err = labelKeyError(k) ?? (value === undefined ? undefined : labelValueError(value));
    if (err) report(ctx, "selector-invalid", `${path}.${k}`, err);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

const OPERATORS = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);

function readExpressions(ctx: Ctx, v: unknown, path: string): LabelSelector["matchExpressions"] {
  const list = readList(ctx, v, path);
  if (!list) return undefined;
  const out: NonNullable<LabelSelector["matchExpressions"]> = [];
  list.forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(e) || typeof e.key !== "string" || typeof e.operator !== "string") {
      report(ctx, "selector-invalid", p, "a match expression needs a string key and operator");
      return;
    }
    if (!OPERATORS.has(e.operator)) {
      report(ctx, "selector-invalid", `${p}.operator`, `unknown operator "${e.operator}"`);
      return;
    }
    const keyErr = labelKeyError(e.key);
    if (keyErr) report(ctx, "selector-invalid", `${p}.key`, keyErr);
    const values = readList(ctx, e.values, `${p}.values`)?.map((x, j) =>
      readLabelValue(ctx, x, `${p}.values[${j}]`),
    );
    const req = { key: e.key, operator: e.operator as "In", values: values?.filter((x) => x !== undefined) };
    if (req.values === undefined) delete req.values;
    out.push(req);
  });
  return out;
}

/** Validates a metav1.LabelSelector; undefined when absent. */
export function readSelector(ctx: Ctx, v: unknown, path: string): LabelSelector | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    report(ctx, "selector-invalid", path, "a label selector must be a map");
    return undefined;
  }
  const sel: LabelSelector = {};
  const ml = readMatchLabels(ctx, v.matchLabels, `${path}.matchLabels`);
  if (ml) sel.matchLabels = ml;
  const me = readExpressions(ctx, v.matchExpressions, `${path}.matchExpressions`);
  if (me) sel.matchExpressions = me;
  try {
    compileSelector(sel, at(ctx, path));
  } catch (e) {
    if (!(e instanceof MicrosegError)) throw e;
    for (const p of e.problems) report(ctx, "selector-invalid", path, p.message);
  }
  return sel;
}

function readIpBlock(ctx: Ctx, v: unknown, path: string): IPBlock | undefined {
  if (!isObject(v) || typeof v.cidr !== "string") {
    report(ctx, "cidr-invalid", path, "ipBlock needs a cidr string");
    return undefined;
  }
  const cidr = parseCidr(v.cidr);
  if (!cidr || !v.cidr.includes("/")) {
    report(ctx, "cidr-invalid", `${path}.cidr`, `"${v.cidr}" is not a CIDR`);
    return undefined;
  }
  const except: string[] = [];
  readList(ctx, v.except, `${path}.except`)?.forEach((x, i) => {
    const p = `${path}.except[${i}]`;
    const c = typeof x === "string" && x.includes("/") ? parseCidr(x) : undefined;
    if (!c) report(ctx, "cidr-invalid", p, `"${String(x)}" is not a CIDR`);
    else if (c.family !== cidr.family || c.from < cidr.from || c.to > cidr.to)
      report(ctx, "cidr-invalid", p, `except "${String(x)}" is not inside cidr "${v.cidr}"`);
    else except.push(x as string);
  });
  return except.length > 0 || v.except !== undefined ? { cidr: v.cidr, except } : { cidr: v.cidr };
}

function readPeer(ctx: Ctx, v: unknown, path: string): NetworkPolicyPeer | undefined {
  if (!isObject(v)) {
    report(ctx, "resource-invalid", path, "a peer must be a map");
    return undefined;
  }
  const hasSelectors = v.podSelector != null || v.namespaceSelector != null;
  if (v.ipBlock != null) {
    if (hasSelectors) report(ctx, "resource-invalid", path, "ipBlock may not be combined with selectors");
    const ipBlock = readIpBlock(ctx, v.ipBlock, `${path}.ipBlock`);
    return ipBlock ? { ipBlock } : undefined;
  }
  if (!hasSelectors) {
    report(ctx, "resource-invalid", path, "a peer needs podSelector, namespaceSelector or ipBlock");
    return undefined;
  }
  const peer: NetworkPolicyPeer = {};
  const pods = readSelector(ctx, v.podSelector, `${path}.podSelector`);
  const nss = readSelector(ctx, v.namespaceSelector, `${path}.namespaceSelector`);
  if (pods) peer.podSelector = pods;
  if (nss) peer.namespaceSelector = nss;
  return peer;
}

const SVC_NAME = /^[a-z0-9]([a-z0-9]|-(?!-))*$/;

function isPortName(s: string): boolean {
  return s.length <= 15 && SVC_NAME.test(s) && !s.endsWith("-") && /[a-z]/.test(s);
}

function readPort(ctx: Ctx, v: unknown, path: string): NetworkPolicyPort | undefined {
  if (!isObject(v)) {
    report(ctx, "resource-invalid", path, "a port clause must be a map");
    return undefined;
  }
  const out: NetworkPolicyPort = {};
  const before = ctx.errors;
  if (v.protocol != null) {
    if (v.protocol !== "TCP" && v.protocol !== "UDP" && v.protocol !== "SCTP")
      report(ctx, "resource-invalid", `${path}.protocol`, `unknown protocol "${String(v.protocol)}"`);
    else out.protocol = v.protocol;
  }
  if (typeof v.port === "number") {
    if (!Number.isInteger(v.port) || v.port < 1 || v.port > 65535)
      report(ctx, "port-invalid", `${path}.port`, `port ${v.port} is not in 1..65535`);
    out.port = v.port;
  } else if (typeof v.port === "string") {
    if (!isPortName(v.port)) report(ctx, "port-invalid", `${path}.port`, `"${v.port}" is not a port name`);
    out.port = v.port;
  } else if (v.port != null) report(ctx, "port-invalid", `${path}.port`, "port must be a number or a name");
  if (v.endPort != null) {
    const end = v.endPort;
    if (typeof out.port !== "number")
      report(ctx, "port-invalid", `${path}.endPort`, "endPort needs a numeric port");
    else if (typeof end !== "number" || !Number.isInteger(end) || end > 65535)
      report(ctx, "port-invalid", `${path}.endPort`, `endPort ${String(end)} is not in 1..65535`);
    else if (end < out.port)
      report(ctx, "port-invalid", `${path}.endPort`, `endPort ${end} is below port ${out.port}`);
    else out.endPort = end;
  }
  return ctx.errors === before ? out : undefined;
}

function readRule(
  ctx: Ctx,
  v: unknown,
  path: string,
  peerKey: "from" | "to",
): { peers?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] } {
  if (!isObject(v)) {
    report(ctx, "resource-invalid", path, "a rule must be a map");
    return {};
  }
  const peers = readList(ctx, v[peerKey], `${path}.${peerKey}`)?.map((p, i) =>
    readPeer(ctx, p, `${path}.${peerKey}[${i}]`),
  );
  const ports = readList(ctx, v.ports, `${path}.ports`)?.map((p, i) =>
    readPort(ctx, p, `${path}.ports[${i}]`),
  );
  return {
    peers: peers?.filter((p) => p !== undefined),
    ports: ports?.filter((p) => p !== undefined),
  };
}

/**
 * A named port is a container port of the destination pod, so it cannot apply to an ipBlock
 * destination; netpol-analyzer rejects the policy ("cannot convert named port for an IP
 * destination") and so does microseg rather than silently allow nothing to those addresses.
 */
function checkNamedPortToIpBlock(
  ctx: Ctx,
  peers: NetworkPolicyPeer[] | undefined,
  ports: NetworkPolicyPort[] | undefined,
  path: string,
): void {
  if (!peers?.some((p) => p.ipBlock) || !ports) return;
  ports.forEach((p, i) => {
    if (typeof p.port === "string")
      report(
        ctx,
        "port-invalid",
        `${path}.ports[${i}].port`,
        `named port "${p.port}" with an ipBlock peer: a named port is resolved on the destination pod and cannot apply to an IP destination`,
      );
  });
}

function readPolicyTypes(ctx: Ctx, v: unknown): PolicyType[] | undefined {
  const list = readList(ctx, v, "spec.policyTypes");
  if (!list) return undefined;
  const out: PolicyType[] = [];
  list.forEach((t, i) => {
    if (t === "Ingress" || t === "Egress") out.push(t);
    else report(ctx, "resource-invalid", `spec.policyTypes[${i}]`, `unknown policy type "${String(t)}"`);
  });
  return out;
}

/**
 * Validates a raw NetworkPolicy resource into its API type; reports every problem found (with
 * file:line and field path) and returns undefined when there was any.
 */
export function readNetworkPolicy(res: K8sResource, sink: ProblemSink): NetworkPolicy | undefined {
  const ctx: Ctx = { res, sink, errors: 0 };
  if (!res.metadata?.name) report(ctx, "resource-invalid", "metadata.name", "a NetworkPolicy needs a name");
  const raw = res.raw.spec ?? {};
  if (!isObject(raw)) {
    report(ctx, "resource-invalid", "spec", "spec must be a map");
    return undefined;
  }
  const spec: NetworkPolicySpec = {};
  const podSelector = readSelector(ctx, raw.podSelector, "spec.podSelector");
  if (podSelector) spec.podSelector = podSelector;
  const types = readPolicyTypes(ctx, raw.policyTypes);
  if (types) spec.policyTypes = types;
  const ingress = readList(ctx, raw.ingress, "spec.ingress");
  if (ingress)
    spec.ingress = ingress.map((r, i) => {
      const { peers, ports } = readRule(ctx, r, `spec.ingress[${i}]`, "from");
      return { ...(peers && { from: peers }), ...(ports && { ports }) };
    });
  const egress = readList(ctx, raw.egress, "spec.egress");
  if (egress)
    spec.egress = egress.map((r, i) => {
      const { peers, ports } = readRule(ctx, r, `spec.egress[${i}]`, "to");
      checkNamedPortToIpBlock(ctx, peers, ports, `spec.egress[${i}]`);
      return { ...(peers && { to: peers }), ...(ports && { ports }) };
    });
  if (ctx.errors > 0) return undefined;
  const metadata = { name: res.metadata.name, namespace: res.metadata.namespace || "default" };
  return { apiVersion: res.apiVersion, kind: "NetworkPolicy", metadata, spec };
}

/**
 * The policy types in force: spec.policyTypes when given (non-empty), else Ingress always plus
 * Egress when spec.egress has at least one rule. This is the API server's defaulting
 * (`SetDefaults_NetworkPolicy`: Egress is added when `len(spec.Egress) != 0`), so `egress: []`
 * without policyTypes leaves egress open; see docs/semantics.md.
 */
export function effectivePolicyTypes(spec: NetworkPolicySpec): PolicyType[] {
  if (spec.policyTypes && spec.policyTypes.length > 0) return [...new Set(spec.policyTypes)];
  return (spec.egress?.length ?? 0) > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

function lowerPeer(p: NetworkPolicyPeer, ns: string): Peer {
  if (p.ipBlock) return { kind: "ipblock", cidr: p.ipBlock.cidr, except: p.ipBlock.except ?? [] };
  const pods = p.podSelector ?? {};
  if (!p.namespaceSelector) return { kind: "pods", namespaces: { kind: "names", names: [ns] }, pods };
  return { kind: "pods", namespaces: { kind: "selector", selector: p.namespaceSelector }, pods };
}

function lowerPort(p: NetworkPolicyPort): PortMatch {
  const protocol = (p.protocol ?? "TCP") as Protocol;
  const out: PortMatch = { protocol };
  if (p.port !== undefined) out.port = p.port;
  if (p.endPort !== undefined) out.endPort = p.endPort;
  return out;
}

/** Lowers a validated NetworkPolicy to an IR policy (rules of directions not in policyTypes are dropped). */
export function lowerNetworkPolicy(np: NetworkPolicy, origin: { file?: string; line?: number } = {}): Policy {
  const ns = np.metadata.namespace || "default";
  const types = effectivePolicyTypes(np.spec);
  const directions: Direction[] = types.map((t) => (t === "Ingress" ? "ingress" : "egress"));
  const rules: Rule[] = [];
  const add = (
    direction: Direction,
    list: { peers?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[],
  ) => {
    if (!directions.includes(direction)) return;
    list.forEach((r, ruleIndex) => {
      const peers: Peer[] =
        r.peers && r.peers.length > 0 ? r.peers.map((p) => lowerPeer(p, ns)) : [{ kind: "any" }];
      const ports = r.ports && r.ports.length > 0 ? r.ports.map(lowerPort) : "any";
      rules.push({
        direction,
        action: "allow",
        peers,
        ports,
        origin: {
          policyKind: "NetworkPolicy",
          policyName: np.metadata.name,
          namespace: ns,
          ...origin,
          ruleIndex,
          direction,
        },
      });
    });
  };
  add(
    "ingress",
    (np.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })),
  );
  add(
    "egress",
    (np.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })),
  );
  return {
    kind: "NetworkPolicy",
    name: np.metadata.name,
    namespace: ns,
    subject: { namespaces: { kind: "names", names: [ns] }, pods: np.spec.podSelector ?? {} },
    directions,
    rules,
    origin,
  };
}

/** Validates an admin policy `pods` block (namespaceSelector + podSelector). */
export function readNamespacedPod(ctx: Ctx, v: unknown, path: string): NamespacedPod | undefined {
  if (!isObject(v)) {
    report(ctx, "resource-invalid", path, "pods needs namespaceSelector and podSelector");
    return undefined;
  }
  const namespaceSelector = readSelector(ctx, v.namespaceSelector, `${path}.namespaceSelector`) ?? {};
  const podSelector = readSelector(ctx, v.podSelector, `${path}.podSelector`) ?? {};
  return { namespaceSelector, podSelector };
}

/** Counts the fields of `v` that are set, among `keys`. */
function countSet(v: Record<string, unknown>, keys: readonly string[]): number {
  return keys.filter((k) => v[k] != null).length;
}

/** Validates an admin policy peer (ingress: namespaces, pods; egress also nodes, networks). */
export function readAnpPeer(
  ctx: Ctx,
  v: unknown,
  path: string,
  egress: boolean,
): AdminNetworkPolicyPeer | undefined {
  const keys = egress ? ["namespaces", "pods", "nodes", "networks"] : ["namespaces", "pods"];
  if (!isObject(v) || countSet(v, keys) !== 1) {
    report(ctx, "resource-invalid", path, `a peer needs exactly one of ${keys.join(", ")}`);
    return undefined;
  }
  if (v.namespaces != null)
    return { namespaces: readSelector(ctx, v.namespaces, `${path}.namespaces`) ?? {} };
  if (v.pods != null) {
    const pods = readNamespacedPod(ctx, v.pods, `${path}.pods`);
    return pods && { pods };
  }
  if (v.nodes != null) return { nodes: readSelector(ctx, v.nodes, `${path}.nodes`) ?? {} };
  const networks: string[] = [];
  readList(ctx, v.networks, `${path}.networks`)?.forEach((x, i) => {
    if (typeof x === "string" && x.includes("/") && parseCidr(x)) networks.push(x);
    else report(ctx, "cidr-invalid", `${path}.networks[${i}]`, `"${String(x)}" is not a CIDR`);
  });
  return { networks };
}

function readAnpProtocol(ctx: Ctx, v: unknown, path: string): string | undefined {
  if (v == null) return undefined;
  if (v === "TCP" || v === "UDP" || v === "SCTP") return v;
  report(ctx, "resource-invalid", path, `unknown protocol "${String(v)}"`);
  return undefined;
}

function readAnpPort(ctx: Ctx, v: unknown, path: string): AdminNetworkPolicyPort | undefined {
  if (!isObject(v) || countSet(v, ["portNumber", "namedPort", "portRange"]) !== 1) {
    report(ctx, "resource-invalid", path, "a port needs exactly one of portNumber, namedPort, portRange");
    return undefined;
  }
  const isPort = (n: unknown): n is number =>
    typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 65535;
  if (typeof v.namedPort === "string") return { namedPort: v.namedPort };
  if (isObject(v.portNumber)) {
    const protocol = readAnpProtocol(ctx, v.portNumber.protocol, `${path}.portNumber.protocol`);
    if (isPort(v.portNumber.port))
      return { portNumber: { port: v.portNumber.port, ...(protocol && { protocol }) } };
    report(
      ctx,
      "port-invalid",
      `${path}.portNumber.port`,
      `port ${String(v.portNumber.port)} is not in 1..65535`,
    );
    return undefined;
  }
  if (isObject(v.portRange)) {
    const { start, end } = v.portRange;
    const protocol = readAnpProtocol(ctx, v.portRange.protocol, `${path}.portRange.protocol`);
    if (isPort(start) && isPort(end) && start <= end)
      return { portRange: { start, end, ...(protocol && { protocol }) } };
    report(ctx, "port-invalid", `${path}.portRange`, `range ${String(start)}-${String(end)} is not valid`);
    return undefined;
  }
  report(ctx, "port-invalid", path, "the port is not valid");
  return undefined;
}

function readAnpRules(ctx: Ctx, v: unknown, path: string, egress: boolean): AdminNetworkPolicyRule[] {
  const baseline = ctx.res.kind === "BaselineAdminNetworkPolicy";
  const out: AdminNetworkPolicyRule[] = [];
  readList(ctx, v, path)?.forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(r)) {
      report(ctx, "resource-invalid", p, "a rule must be a map");
      return;
    }
    const actions = baseline ? ["Allow", "Deny"] : ["Allow", "Deny", "Pass"];
    if (!actions.includes(r.action as string))
      report(ctx, "resource-invalid", `${p}.action`, `action must be one of ${actions.join(", ")}`);
    const key = egress ? "to" : "from";
    const peers = readList(ctx, r[key], `${p}.${key}`) ?? [];
    if (peers.length === 0) report(ctx, "resource-invalid", `${p}.${key}`, "a rule needs at least one peer");
    const rule: AdminNetworkPolicyRule = {
      action: r.action as AdminNetworkPolicyRule["action"],
      peers: peers
        .map((x, j) => readAnpPeer(ctx, x, `${p}.${key}[${j}]`, egress))
        .filter((x) => x !== undefined),
    };
    if (typeof r.name === "string") rule.name = r.name;
    const ports = readList(ctx, r.ports, `${p}.ports`);
    if (ports)
      rule.ports = ports
        .map((x, j) => readAnpPort(ctx, x, `${p}.ports[${j}]`))
        .filter((x) => x !== undefined);
    out.push(rule);
  });
  return out;
}

/** Validates a raw AdminNetworkPolicy or BaselineAdminNetworkPolicy (v1alpha1); undefined on any problem. */
export function readAdminNetworkPolicy(res: K8sResource, sink: ProblemSink): AdminNetworkPolicy | undefined {
  const ctx: Ctx = { res, sink, errors: 0 };
  const spec = res.raw.spec;
  if (!isObject(spec)) {
    report(ctx, "resource-invalid", "spec", "spec must be a map");
    return undefined;
  }
  const kind = res.kind as AdminNetworkPolicy["kind"];
  let priority: number | undefined;
  if (kind === "AdminNetworkPolicy") {
    const p = spec.priority;
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p > 1000)
      report(ctx, "resource-invalid", "spec.priority", "priority must be an integer 0..1000");
    else priority = p;
  }
  const subj = spec.subject;
  const subject: AdminNetworkPolicy["subject"] = {};
  if (!isObject(subj) || countSet(subj, ["namespaces", "pods"]) !== 1)
    report(ctx, "resource-invalid", "spec.subject", "subject needs exactly one of namespaces, pods");
  else if (subj.namespaces != null)
    subject.namespaces = readSelector(ctx, subj.namespaces, "spec.subject.namespaces") ?? {};
  else subject.pods = readNamespacedPod(ctx, subj.pods, "spec.subject.pods");
  const ingress = readAnpRules(ctx, spec.ingress, "spec.ingress", false);
  const egress = readAnpRules(ctx, spec.egress, "spec.egress", true);
  if (ctx.errors > 0) return undefined;
  const metadata = { name: res.metadata.name };
  return { kind, metadata, ...(priority !== undefined && { priority }), subject, ingress, egress };
}

/** Lowers an admin policy peer to IR peers. */
export function lowerAnpPeer(p: AdminNetworkPolicyPeer): Peer[] {
  if (p.namespaces)
    return [{ kind: "pods", namespaces: { kind: "selector", selector: p.namespaces }, pods: {} }];
  if (p.pods)
    return [
      {
        kind: "pods",
        namespaces: { kind: "selector", selector: p.pods.namespaceSelector },
        pods: p.pods.podSelector,
      },
    ];
  if (p.networks) return p.networks.map((cidr) => ({ kind: "ipblock", cidr, except: [] }));
  // nodes: the IR has no node peers yet (issue 3); nodes are the host entity here.
  return [{ kind: "entity", entity: "host" }];
}

const ALL_PROTOCOLS: Protocol[] = ["TCP", "UDP", "SCTP"];

function lowerAnpPort(p: AdminNetworkPolicyPort): PortMatch[] {
  // a named port matches the container port of that name, whatever its protocol
  if (p.namedPort !== undefined) return ALL_PROTOCOLS.map((protocol) => ({ protocol, port: p.namedPort }));
  if (p.portNumber)
    return [{ protocol: (p.portNumber.protocol ?? "TCP") as Protocol, port: p.portNumber.port }];
  const r = p.portRange!;
  return [{ protocol: (r.protocol ?? "TCP") as Protocol, port: r.start, endPort: r.end }];
}

/** Lowers a validated (Baseline)AdminNetworkPolicy to an IR policy for a first-match layer. */
export function lowerAdminNetworkPolicy(
  anp: AdminNetworkPolicy,
  origin: { file?: string; line?: number } = {},
): Policy {
  const rules: Rule[] = [];
  const add = (direction: Direction, list: AdminNetworkPolicyRule[]) =>
    list.forEach((r, ruleIndex) => {
      const rule: Rule = {
        direction,
        action: r.action === "Allow" ? "allow" : r.action === "Deny" ? "deny" : "pass",
        peers: r.peers.flatMap(lowerAnpPeer),
        ports: r.ports && r.ports.length > 0 ? r.ports.flatMap(lowerAnpPort) : "any",
        origin: { policyKind: anp.kind, policyName: anp.metadata.name, ...origin, ruleIndex, direction },
      };
      if (r.name !== undefined) rule.name = r.name;
      rules.push(rule);
    });
  add("ingress", anp.ingress);
  add("egress", anp.egress);
  const s = anp.subject;
  const subject = s.namespaces
    ? { namespaces: { kind: "selector" as const, selector: s.namespaces }, pods: {} }
    : {
        namespaces: { kind: "selector" as const, selector: s.pods!.namespaceSelector },
        pods: s.pods!.podSelector,
      };
  const directions: Direction[] = [];
  if (anp.ingress.length > 0) directions.push("ingress");
  if (anp.egress.length > 0) directions.push("egress");
  const policy: Policy = { kind: anp.kind, name: anp.metadata.name, subject, directions, rules, origin };
  if (anp.priority !== undefined) policy.priority = anp.priority;
  return policy;
}

function policyKey(p: Policy): string {
  return `${p.namespace ?? ""}/${p.name}`;
}

/**
 * Parses the Kubernetes policies among `resources` (NetworkPolicy; AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy v1alpha1; ClusterNetworkPolicy v1alpha2 by tier, see
 * cluster-network-policy.ts) into a PolicySet with the layers anp → np → banp. Other kinds are ignored (the inventory loader reports them); invalid policies are
 * reported to `sink` as errors and left out. Policies are sorted by namespace/name.
 */
export function parseK8sPolicies(resources: K8sResource[], sink: ProblemSink): PolicySet {
  const set = emptyK8sPolicySet();
  const layers = {
    np: findLayer(set, "k8s-np")!,
    anp: findLayer(set, "k8s-anp")!,
    banp: findLayer(set, "k8s-banp")!,
  };
  for (const res of resources) {
    const origin: { file?: string; line?: number } = {};
    if (res.location.file !== undefined) origin.file = res.location.file;
    if (res.location.line !== undefined) origin.line = res.location.line;
    if (res.kind === "NetworkPolicy") {
      const policy = readNetworkPolicy(res, sink);
      if (policy) layers.np.policies.push(lowerNetworkPolicy(policy, origin));
    } else if (res.kind === "AdminNetworkPolicy" || res.kind === "BaselineAdminNetworkPolicy") {
      const policy = readAdminNetworkPolicy(res, sink);
      const layer = res.kind === "AdminNetworkPolicy" ? layers.anp : layers.banp;
      if (policy) layer.policies.push(lowerAdminNetworkPolicy(policy, origin));
    }
  }
  const cnps = parseClusterNetworkPolicies(resources, sink);
  layers.anp.policies.push(...cnps.admin);
  layers.banp.policies.push(...cnps.baseline);
  checkAdminPolicySet(resources, sink);
  for (const layer of Object.values(layers))
    layer.policies.sort((a, b) => (policyKey(a) < policyKey(b) ? -1 : policyKey(a) > policyKey(b) ? 1 : 0));
  return set;
}

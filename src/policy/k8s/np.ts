/**
 * NetworkPolicy (networking.k8s.io/v1): the raw resource validated into its API type as the API
 * server would (src/policy/validate.ts reports problems with file:line and the field path), then
 * lowered to an IR policy that keeps every rule's origin.
 */
import type { K8sResource } from "../../inventory/types.js";
import { parseCidr } from "../../model/ipset.js";
import type { Protocol } from "../../model/ports.js";
import type { ProblemSink } from "../../model/problems.js";
import type { Direction, Peer, Policy, PortMatch, Rule } from "../ir/types.js";
import { type Ctx, isObject, newCtx, readList, readSelector, report } from "../validate.js";
import type {
  IPBlock,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
  PolicyType,
} from "./types.js";

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
  const ctx = newCtx(res, sink);
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

/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1): raw
 * resources validated into their API types (src/policy/validate.ts), then lowered to IR policies
 * for the first-match admin and baseline layers.
 */
import type { K8sResource } from "../../inventory/types.js";
import { parseCidr } from "../../model/ipset.js";
import type { Protocol } from "../../model/ports.js";
import type { ProblemSink } from "../../model/problems.js";
import type { Direction, Peer, Policy, PortMatch, Rule } from "../ir/types.js";
import { type Ctx, countSet, isObject, newCtx, readList, readSelector, report } from "../validate.js";
import type {
  AdminNetworkPolicy,
  AdminNetworkPolicyPeer,
  AdminNetworkPolicyPort,
  AdminNetworkPolicyRule,
  NamespacedPod,
} from "./types.js";

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
  const ctx = newCtx(res, sink);
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

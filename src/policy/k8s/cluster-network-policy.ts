/**
 * ClusterNetworkPolicy (`policy.networking.k8s.io/v1alpha2`), the API that replaced
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1), parsed into the same IR layers:
 * - `tier: Admin` → the AdminNetworkPolicy layer, `tier: Baseline` → the Baseline layer ("Policy
 *   tiers are evaluated in the following order: Admin tier, NetworkPolicy tier, Baseline tier");
 * - `priority` 0..1000, lower first within the tier; two policies of one tier with one priority
 *   are allowed by the API but ambiguous ("the implementation can apply any of the matching
 *   policies"), so microseg warns and orders them by name;
 * - actions `Accept` (= v1alpha1 Allow: "No further egress ClusterNetworkPolicy or NetworkPolicy
 *   rules will be processed but any ingress rules at the destination do apply"), `Deny`, `Pass`
 *   ("passes evaluation to the next tier");
 * - `subject` namespaces | pods; peers namespaces | pods (ingress and egress) and networks | nodes |
 *   domainNames (egress; nodes and domainNames are experimental): nodes lower as in v1alpha1 (the
 *   host entity), domainNames to FQDN peers;
 * - `protocols`: each entry exactly one of `tcp`/`udp`/`sctp` with `destinationPort` `number` or
 *   `range` (start < end), or `destinationNamedPort` (a container port name, any protocol, as the
 *   v1alpha1 namedPort); absent = every port. A named port with a networks/nodes/domainNames peer
 *   is invalid (the CRD's rule).
 */
import type { K8sResource } from "../../inventory/types.js";
import type { LabelSelector } from "../../model/labels.js";
import type { Protocol } from "../../model/ports.js";
import type { ProblemSink } from "../../model/problems.js";
import type { Direction, Peer, Policy, PortMatch, Rule, RuleAction } from "../ir/types.js";
import { type Ctx, readList, readSelector, report } from "../validate.js";
import { lowerAnpPeer, readAnpPeer, readNamespacedPod } from "./anp.js";
import type { AdminNetworkPolicyPeer, NamespacedPod } from "./types.js";

/** A ClusterNetworkPolicy peer: the v1alpha1 admin peers plus domain names. */
type CnpPeer = AdminNetworkPolicyPeer | { domainNames: string[] };

/** One validated rule. */
interface CnpRule {
  name?: string;
  action: "Accept" | "Deny" | "Pass";
  peers: CnpPeer[];
  ports?: PortMatch[];
}

/** A validated ClusterNetworkPolicy. */
export interface ClusterNetworkPolicy {
  name: string;
  tier: "Admin" | "Baseline";
  priority: number;
  subject: { namespaces?: LabelSelector; pods?: NamespacedPod };
  ingress: CnpRule[];
  egress: CnpRule[];
}

const PROTOCOL_KEYS = { tcp: "TCP", udp: "UDP", sctp: "SCTP" } as const;
const ALL_PROTOCOLS: Protocol[] = ["TCP", "UDP", "SCTP"];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isPort(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535;
}

function readProtocol(ctx: Ctx, v: unknown, path: string): PortMatch[] {
  const keys = isObject(v) ? Object.keys(v).filter((k) => v[k] != null) : [];
  if (!isObject(v) || keys.length !== 1) {
    report(
      ctx,
      "port-invalid",
      path,
      "a protocols entry needs exactly one of tcp, udp, sctp, destinationNamedPort",
    );
    return [];
  }
  const key = keys[0];
  if (key === "destinationNamedPort") {
    if (typeof v.destinationNamedPort === "string" && v.destinationNamedPort !== "")
      return ALL_PROTOCOLS.map((protocol) => ({ protocol, port: v.destinationNamedPort as string }));
    report(ctx, "port-invalid", `${path}.destinationNamedPort`, "a named port must be a non-empty string");
    return [];
  }
  if (!(key in PROTOCOL_KEYS)) {
    report(ctx, "port-invalid", `${path}.${key}`, `unknown protocol "${key}" (tcp, udp or sctp)`);
    return [];
  }
  const protocol = PROTOCOL_KEYS[key as keyof typeof PROTOCOL_KEYS];
  const dp = isObject(v[key]) ? (v[key] as Record<string, unknown>).destinationPort : undefined;
  const p = `${path}.${key}.destinationPort`;
  if (isObject(dp) && dp.number != null && dp.range == null) {
    if (isPort(dp.number)) return [{ protocol, port: dp.number }];
    report(ctx, "port-invalid", `${p}.number`, `port ${String(dp.number)} is not in 1..65535`);
    return [];
  }
  if (isObject(dp) && isObject(dp.range) && dp.number == null) {
    const { start, end } = dp.range;
    if (isPort(start) && isPort(end) && start < end) return [{ protocol, port: start, endPort: end }];
    report(
      ctx,
      "port-invalid",
      `${p}.range`,
      `range ${String(start)}-${String(end)} is not valid (1..65535, start < end)`,
    );
    return [];
  }
  report(ctx, "port-invalid", p, "destinationPort needs exactly one of number, range");
  return [];
}

function readPeer(ctx: Ctx, v: unknown, path: string, egress: boolean): CnpPeer | undefined {
  if (egress && isObject(v) && v.domainNames != null) {
    const others = ["namespaces", "pods", "nodes", "networks"].filter((k) => v[k] != null);
    const names = readList(ctx, v.domainNames, `${path}.domainNames`) ?? [];
    if (others.length > 0 || names.length === 0 || !names.every((n) => typeof n === "string" && n !== "")) {
      report(
        ctx,
        "resource-invalid",
        path,
        "a domainNames peer is a non-empty list of names and nothing else",
      );
      return undefined;
    }
    return { domainNames: names as string[] };
  }
  return readAnpPeer(ctx, v, path, egress);
}

function readRules(ctx: Ctx, v: unknown, path: string, egress: boolean): CnpRule[] {
  const out: CnpRule[] = [];
  readList(ctx, v, path)?.forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(r)) {
      report(ctx, "resource-invalid", p, "a rule must be a map");
      return;
    }
    if (r.action !== "Accept" && r.action !== "Deny" && r.action !== "Pass")
      report(ctx, "resource-invalid", `${p}.action`, "action must be one of Accept, Deny, Pass");
    const key = egress ? "to" : "from";
    const raw = readList(ctx, r[key], `${p}.${key}`) ?? [];
    if (raw.length === 0) report(ctx, "resource-invalid", `${p}.${key}`, "a rule needs at least one peer");
    const peers = raw
      .map((x, j) => readPeer(ctx, x, `${p}.${key}[${j}]`, egress))
      .filter((x) => x !== undefined);
    const rule: CnpRule = { action: r.action as CnpRule["action"], peers };
    if (typeof r.name === "string") rule.name = r.name;
    const protocols = readList(ctx, r.protocols, `${p}.protocols`);
    if (protocols?.length === 0)
      report(ctx, "port-invalid", `${p}.protocols`, "protocols, when given, lists at least one entry");
    if (protocols) {
      rule.ports = protocols.flatMap((x, j) => readProtocol(ctx, x, `${p}.protocols[${j}]`));
      const named = rule.ports.some((m) => typeof m.port === "string");
      if (named && peers.some((x) => "networks" in x || "nodes" in x || "domainNames" in x))
        report(
          ctx,
          "port-invalid",
          `${p}.protocols`,
          "a named port cannot apply to networks, nodes or domainNames peers (they have no named ports)",
        );
    }
    out.push(rule);
  });
  return out;
}

/** Validates a raw ClusterNetworkPolicy (v1alpha2); undefined on any problem (reported to `sink`). */
export function readClusterNetworkPolicy(
  res: K8sResource,
  sink: ProblemSink,
): ClusterNetworkPolicy | undefined {
  const ctx: Ctx = { res, sink, errors: 0 };
  const spec = res.raw.spec;
  if (!isObject(spec)) {
    report(ctx, "resource-invalid", "spec", "spec must be a map");
    return undefined;
  }
  if (spec.tier !== "Admin" && spec.tier !== "Baseline")
    report(ctx, "resource-invalid", "spec.tier", "tier must be Admin or Baseline");
  const pr = spec.priority;
  if (typeof pr !== "number" || !Number.isInteger(pr) || pr < 0 || pr > 1000)
    report(ctx, "resource-invalid", "spec.priority", "priority must be an integer 0..1000");
  const subj = spec.subject;
  const subject: ClusterNetworkPolicy["subject"] = {};
  const set = isObject(subj) ? ["namespaces", "pods"].filter((k) => subj[k] != null) : [];
  if (!isObject(subj) || set.length !== 1)
    report(ctx, "resource-invalid", "spec.subject", "subject needs exactly one of namespaces, pods");
  else if (subj.namespaces != null)
    subject.namespaces = readSelector(ctx, subj.namespaces, "spec.subject.namespaces") ?? {};
  else subject.pods = readNamespacedPod(ctx, subj.pods, "spec.subject.pods");
  const ingress = readRules(ctx, spec.ingress, "spec.ingress", false);
  const egress = readRules(ctx, spec.egress, "spec.egress", true);
  if (ctx.errors > 0) return undefined;
  return {
    name: res.metadata.name,
    tier: spec.tier as ClusterNetworkPolicy["tier"],
    priority: pr as number,
    subject,
    ingress,
    egress,
  };
}

const ACTION: Record<CnpRule["action"], RuleAction> = { Accept: "allow", Deny: "deny", Pass: "pass" };

function lowerPeer(p: CnpPeer): Peer[] {
  if ("domainNames" in p) return [{ kind: "fqdn", patterns: p.domainNames }];
  return lowerAnpPeer(p);
}

/** Lowers a validated ClusterNetworkPolicy to an IR policy for its tier's first-match layer. */
export function lowerClusterNetworkPolicy(
  cnp: ClusterNetworkPolicy,
  origin: { file?: string; line?: number } = {},
): Policy {
  const rules: Rule[] = [];
  const add = (direction: Direction, list: CnpRule[]) =>
    list.forEach((r, ruleIndex) => {
      const rule: Rule = {
        direction,
        action: ACTION[r.action],
        peers: r.peers.flatMap(lowerPeer),
        ports: r.ports && r.ports.length > 0 ? r.ports : "any",
        origin: { policyKind: "ClusterNetworkPolicy", policyName: cnp.name, ...origin, ruleIndex, direction },
      };
      if (r.name !== undefined) rule.name = r.name;
      rules.push(rule);
    });
  add("ingress", cnp.ingress);
  add("egress", cnp.egress);
  const s = cnp.subject;
  const subject: Policy["subject"] = s.namespaces
    ? { namespaces: { kind: "selector", selector: s.namespaces }, pods: {} }
    : {
        namespaces: { kind: "selector", selector: s.pods!.namespaceSelector },
        pods: s.pods!.podSelector,
      };
  const directions: Direction[] = [];
  if (cnp.ingress.length > 0) directions.push("ingress");
  if (cnp.egress.length > 0) directions.push("egress");
  return {
    kind: "ClusterNetworkPolicy",
    name: cnp.name,
    priority: cnp.priority,
    subject,
    directions,
    rules,
    origin,
  };
}

/**
 * The ClusterNetworkPolicies among `resources`, lowered and split by tier; invalid ones are
 * reported and left out, and two policies of one tier with one priority are warned about.
 */
export function parseClusterNetworkPolicies(
  resources: readonly K8sResource[],
  sink: ProblemSink,
): { admin: Policy[]; baseline: Policy[] } {
  const out = { admin: [] as Policy[], baseline: [] as Policy[] };
  const seen = new Map<string, string>();
  for (const res of resources) {
    if (res.kind !== "ClusterNetworkPolicy") continue;
    const cnp = readClusterNetworkPolicy(res, sink);
    if (!cnp) continue;
    const origin: { file?: string; line?: number } = {};
    if (res.location.file !== undefined) origin.file = res.location.file;
    if (res.location.line !== undefined) origin.line = res.location.line;
    (cnp.tier === "Admin" ? out.admin : out.baseline).push(lowerClusterNetworkPolicy(cnp, origin));
    const key = `${cnp.tier}:${cnp.priority}`;
    const first = seen.get(key);
    if (first !== undefined && first !== cnp.name)
      sink.report(
        "resource-invalid",
        "warning",
        `ClusterNetworkPolicy ${cnp.name}: tier ${cnp.tier} priority ${cnp.priority} is also the priority of ${first}; which one applies first is undefined (microseg orders them by name)`,
        { ...res.location, path: "spec.priority" },
      );
    else seen.set(key, cnp.name);
  }
  return out;
}

/**
 * CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy → IR: one `cilium` layer with the
 * deny-overrides combining rule (deny rules beat allows, allows union, a policy selecting an
 * endpoint in a direction puts it in default deny there). A namespaced policy's selectors (its
 * endpointSelector and from/toEndpoints without a namespace label) stay in its namespace.
 */
import type { K8sResource } from "../../inventory/types.js";
import type { LabelSelector } from "../../model/labels.js";
import type { Protocol } from "../../model/ports.js";
import type { ProblemSink } from "../../model/problems.js";
import type {
  Direction,
  DnsMatch,
  HttpMatch,
  NamespaceMatch,
  Peer,
  Policy,
  PolicySet,
  PortMatch,
  Rule,
  RuleAction,
} from "../ir/types.js";
import { at as location, newCtx, readList, report, type Ctx as ValidationCtx, warn } from "../validate.js";
import { readCiliumSpec } from "./read.js";
import { reservedEntity, splitSelector, subjectSelector } from "./selectors.js";
import type { CiliumPolicySpec, CiliumPortRule, CiliumRule } from "./types.js";

/** The layers a Cilium policy set always has. */
export function emptyCiliumPolicySet(): PolicySet {
  return { target: "cilium", layers: [{ stage: "cilium", combining: "deny-overrides", policies: [] }] };
}

/** True for the kinds this parser reads. */
export function isCiliumPolicyKind(kind: string): boolean {
  return kind === "CiliumNetworkPolicy" || kind === "CiliumClusterwideNetworkPolicy";
}

interface Ctx {
  res: K8sResource;
  /** The validation context (problems with file:line, error count). */
  v: ValidationCtx;
  /** The IR policy's name (`metadata.name`, `#i` for specs[i] after the first): rule origins name it. */
  name: string;
  /** Namespace scope of selectors that name none. */
  scope: NamespaceMatch;
  /** Path of the spec inside the object (`spec` or `specs[i]`). */
  path: string;
}

/** Warns about a field of the spec (`sub` relative to the spec's path). */
function warnAt(ctx: Ctx, sub: string, message: string): void {
  warn(ctx.v, `${ctx.path}.${sub}`, message);
}

function endpointPeer(sel: LabelSelector, ctx: Ctx): Peer {
  const entity = reservedEntity(sel);
  if (entity) return { kind: "entity", entity };
  const { namespaces, pods } = splitSelector(sel, ctx.scope);
  return { kind: "pods", namespaces, pods };
}

function rulePeers(r: CiliumRule, dir: Direction, ctx: Ctx, at: string): Peer[] | undefined {
  const ing = dir === "ingress";
  const endpoints = ing ? r.fromEndpoints : r.toEndpoints;
  const cidrs = ing ? r.fromCIDR : r.toCIDR;
  const cidrSets = ing ? r.fromCIDRSet : r.toCIDRSet;
  const entities = ing ? r.fromEntities : r.toEntities;
  const peers: Peer[] = [];
  let l3 = false;
  if (endpoints) {
    l3 = true;
    peers.push(...endpoints.map((s) => endpointPeer(s ?? {}, ctx)));
  }
  if (cidrs) {
    l3 = true;
    peers.push(...cidrs.map((c) => ({ kind: "ipblock" as const, cidr: c, except: [] })));
  }
  if (cidrSets) {
    l3 = true;
    for (const c of cidrSets) {
      if (c.cidr) peers.push({ kind: "ipblock", cidr: c.cidr, except: c.except ?? [] });
      else warnAt(ctx, at, "cidrGroupRef is not resolved; the entry matches nothing");
    }
  }
  if (entities) {
    l3 = true;
    peers.push(...entities.map((e) => ({ kind: "entity" as const, entity: e })));
  }
  if (!ing && r.toFQDNs) {
    l3 = true;
    const patterns = r.toFQDNs.map((f) => f.matchName ?? f.matchPattern ?? "").filter((p) => p !== "");
    peers.push({ kind: "fqdn", patterns });
  }
  for (const f of [
    "fromRequires",
    "toRequires",
    "toServices",
    "fromNodes",
    "toNodes",
    "fromGroups",
    "toGroups",
  ] as const)
    if (r[f] !== undefined) warnAt(ctx, `${at}.${f}`, `${f} is not evaluated (ignored)`);
  return l3 ? peers : undefined;
}

function protocolsOf(p: string | undefined): Protocol[] {
  if (!p || p === "ANY") return ["TCP", "UDP", "SCTP"];
  return [p as Protocol];
}

function portMatches(rules: CiliumPortRule[]): PortMatch[] {
  const out: PortMatch[] = [];
  for (const pr of rules)
    for (const p of pr.ports ?? [{}])
      for (const protocol of protocolsOf(p.protocol)) {
        const n = p.port === undefined || p.port === "0" ? undefined : Number(p.port);
        const m: PortMatch = { protocol };
        if (n !== undefined) m.port = Number.isInteger(n) ? n : (p.port as string);
        if (p.endPort !== undefined && n !== undefined) m.endPort = p.endPort;
        out.push(m);
      }
  return out;
}

function httpOf(pr: CiliumPortRule): HttpMatch[] | undefined {
  const http = pr.rules?.http;
  if (!http) return undefined;
  return http.map((h) => {
    const m: HttpMatch = {};
    if (h.method) Object.assign(m, { method: h.method, methodKind: "regex" });
    if (h.path) Object.assign(m, { path: h.path, pathKind: "regex" });
    if (h.host) Object.assign(m, { host: h.host, hostKind: "regex" });
    return m;
  });
}

/** One Cilium rule → IR rules (one per toPorts entry with L7 rules, one for the plain ports). */
function lowerRule(
  r: CiliumRule,
  dir: Direction,
  action: RuleAction,
  index: number,
  ctx: Ctx,
  list: string,
): Rule[] {
  const at = `${list}[${index}]`;
  const peers = rulePeers(r, dir, ctx, at);
  const toPorts = r.toPorts;
  if (!peers && !toPorts) return []; // `{}`: selects the endpoint, allows nothing
  const line = location(ctx.v, `${ctx.path}.${at}`).line ?? ctx.res.location.line;
  const origin = {
    policyKind: ctx.res.kind,
    policyName: ctx.name,
    ...(ctx.res.metadata.namespace !== undefined ? { namespace: ctx.res.metadata.namespace } : {}),
    ...(ctx.res.location.file !== undefined ? { file: ctx.res.location.file } : {}),
    ...(line !== undefined ? { line } : {}),
    ruleIndex: index,
    direction: dir,
  };
  const base = { direction: dir, action, peers: peers ?? [{ kind: "any" as const }], origin };
  if (!toPorts) return [{ ...base, ports: "any" }];
  const plain = toPorts.filter((pr) => !pr.rules?.http && !pr.rules?.dns);
  const out: Rule[] = [];
  if (plain.length) out.push({ ...base, ports: portMatches(plain) });
  for (const pr of toPorts.filter((x) => x.rules?.http || x.rules?.dns)) {
    const rule: Rule = { ...base, ports: portMatches([pr]) };
    const http = httpOf(pr);
    if (http) rule.http = http;
    if (pr.rules?.dns) rule.dns = pr.rules.dns.map((d): DnsMatch => ({ ...d }));
    out.push(rule);
  }
  return out;
}

/**
 * The directions a spec applies in and those it enables default deny in. `enableDefaultDeny`:
 * "If not specified, the default is true for each traffic direction that has rules, and false
 * otherwise"; a direction with rules and `false` still applies its rules (allows add, denies
 * deny) without putting the endpoint in default deny ("an endpoint's default deny will be enabled
 * if any policy requests it").
 */
export function defaultDenyOf(
  withRules: ReadonlySet<Direction>,
  dd: CiliumPolicySpec["enableDefaultDeny"],
): { directions: Direction[]; enforces: Direction[] } {
  const both = ["ingress", "egress"] as const;
  const enforced = (d: Direction) => dd?.[d] ?? withRules.has(d);
  return {
    directions: both.filter((d) => withRules.has(d) || enforced(d)),
    enforces: both.filter(enforced),
  };
}

function lowerSpec(spec: CiliumPolicySpec, ctx: Ctx): Policy {
  const res = ctx.res;
  if (spec.nodeSelector) warnAt(ctx, "nodeSelector", "host policies (nodeSelector) are not evaluated");
  const clusterwide = ctx.scope.kind === "all";
  const { namespaces, pods, conflict } = subjectSelector(
    spec.endpointSelector,
    clusterwide ? undefined : (res.metadata.namespace ?? "default"),
  );
  if (conflict !== undefined)
    warnAt(
      ctx,
      "endpointSelector",
      `endpointSelector names namespace "${conflict}": a CiliumNetworkPolicy applies in its own namespace only`,
    );
  const rules: Rule[] = [];
  const lists: [keyof CiliumPolicySpec, Direction, RuleAction][] = [
    ["ingress", "ingress", "allow"],
    ["ingressDeny", "ingress", "deny"],
    ["egress", "egress", "allow"],
    ["egressDeny", "egress", "deny"],
  ];
  const withRules = new Set<Direction>();
  for (const [list, dir, action] of lists) {
    const rs = spec[list] as CiliumRule[] | undefined;
    if (!rs || rs.length === 0) continue;
    withRules.add(dir);
    rs.forEach((r, i) => {
      rules.push(...lowerRule(r, dir, action, i, ctx, list));
    });
  }
  const { directions, enforces } = defaultDenyOf(withRules, spec.enableDefaultDeny);
  return {
    kind: res.kind,
    name: ctx.name,
    ...(res.metadata.namespace !== undefined ? { namespace: res.metadata.namespace } : {}),
    subject: { namespaces, pods },
    directions,
    ...(enforces.length !== directions.length ? { enforces } : {}),
    rules,
    origin: { ...res.location },
    ...(spec.description ? { annotations: { description: spec.description } } : {}),
  };
}

/**
 * Validates the object's `spec` and `specs`; undefined (problems reported) when any is malformed,
 * so a policy is read whole or not at all.
 */
function readSpecs(
  res: K8sResource,
  sink: ProblemSink,
): { spec: CiliumPolicySpec; path: string; v: ValidationCtx }[] | undefined {
  const v = newCtx(res, sink);
  const out: { spec: CiliumPolicySpec; path: string; v: ValidationCtx }[] = [];
  const one = readCiliumSpec(v, res.raw.spec, "spec");
  if (one) out.push({ spec: one, path: "spec", v });
  readList(v, res.raw.specs, "specs")?.forEach((raw, i) => {
    const spec = readCiliumSpec(v, raw, `specs[${i}]`);
    if (spec) out.push({ spec, path: `specs[${i}]`, v });
    else if (raw == null) report(v, "resource-invalid", `specs[${i}]`, "a spec must be a map");
  });
  if (out.length === 0 && v.errors === 0)
    report(v, "resource-invalid", "spec", `${res.kind} has neither spec nor specs`);
  return v.errors > 0 ? undefined : out;
}

/** Parses the Cilium policies among `resources` into a PolicySet (policies sorted by namespace/name). */
export function parseCiliumPolicies(resources: readonly K8sResource[], sink: ProblemSink): PolicySet {
  const set = emptyCiliumPolicySet();
  const layer = set.layers[0];
  for (const res of resources) {
    if (!isCiliumPolicyKind(res.kind)) continue;
    const clusterwide = res.kind === "CiliumClusterwideNetworkPolicy";
    const ns = res.metadata.namespace ?? "default";
    const scope: NamespaceMatch = clusterwide ? { kind: "all" } : { kind: "names", names: [ns] };
    const specs = readSpecs(res, sink);
    specs?.forEach(({ spec, path, v }, i) => {
      const name = i > 0 ? `${res.metadata.name}#${i}` : res.metadata.name;
      const policy = lowerSpec(spec, { res, v, name, scope, path });
      if (clusterwide) delete policy.namespace;
      layer.policies.push(policy);
    });
  }
  const key = (p: Policy) => `${p.namespace ?? ""}/${p.name}`;
  layer.policies.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return set;
}

/**
 * Replay (audit): every observed request, or every edge of a map, is evaluated against a policy
 * set; what the policies would deny is listed with the reason. Identical requests (same
 * workloads, protocol, port and HTTP method/path) are aggregated with a count.
 */
import {
  type Connection,
  type Endpoint,
  entityEndpoint,
  ipEndpoint,
  podEndpoint,
} from "../../eval/endpoint.js";
import type { Evaluator, SideVerdict, Verdict } from "../../eval/evaluate.js";
import { type Cidr, parseIp } from "../../model/ipset.js";
import type { Protocol } from "../../model/ports.js";
import type { Workload } from "../../model/workload.js";
import type { RuleOrigin } from "../../policy/ir/types.js";
import { workloadMeshState } from "../../policy/istio/mesh.js";
import { addressSamples, peerAddressSet, policyCidrs } from "./address-samples.js";
import { BoundedCache } from "./bounded-cache.js";

/** One thing to replay: a request between two resolved workloads. */
export interface ReplayItem {
  src: Workload;
  dst: Workload;
  protocol: Protocol;
  port: number;
  /**
   * The HTTP request: `path` is the template shown in reports (`/details/{id}`); `requestPath`,
   * when known, is the path as sent, which L7 rules are evaluated against.
   */
  http?: { method: string; path: string; requestPath?: string; host?: string };
  /** How many replayed units this item stands for (1: a flow record, or one port of a map edge). */
  count: number;
  /**
   * For a map edge port: the flow records behind its edge (the map does not split them by port),
   * counted once per `edge` and reported apart from `count`.
   */
  flows?: number;
  /** For a map edge port: its edge (`src -> dst`), so that the edge's flows are counted once. */
  edge?: string;
  /** Epoch ms of the record, when known. */
  time?: number;
  /** The addresses the record carried (a node entity is matched by NetworkPolicy ipBlocks at its address). */
  srcIp?: string;
  dstIp?: string;
}

/** A denied request (aggregated). */
export interface DeniedFlow {
  src: string;
  dst: string;
  protocol: Protocol;
  port: number;
  http?: { method: string; path: string };
  /** Flow records behind this entry (for a map: the flows of its edge, all ports together). */
  flows: number;
  /** For a map: the edge ports behind this entry. */
  edges?: number;
  firstSeen?: string;
  lastSeen?: string;
  /** Which side denies: the source's egress, the destination's ingress, or both. */
  deniedBy: "egress" | "ingress" | "both";
  /** One sentence: who is isolated, by which policies, and that none allows this. */
  reason: string;
  /** The policies (`namespace/name`) selecting the denying side(s). */
  policies: string[];
  /** `l7`: the connection is allowed at L4 and only the HTTP request is denied. */
  deniedAt?: "l4" | "l7";
  /**
   * For a peer standing for many addresses (a CIDR, `entity:world`) that the policies allow in
   * part: how many of its addresses are denied, of how many (decimal strings), and one of them.
   */
  partial?: { denied: string; total: string; example: string };
}

/** An allow rule that no replayed request used. */
export interface UnusedRule {
  /** `Kind namespace/name`. */
  policy: string;
  direction: "ingress" | "egress";
  ruleIndex: number;
}

/** The report of a replay. */
export interface ReplayReport {
  denied: DeniedFlow[];
  /** Allow rules that allowed none of the replayed requests (absent in reports written before L7). */
  unused?: UnusedRule[];
  summary: {
    /** Records (or edges) evaluated. */
    evaluated: number;
    allowed: number;
    denied: number;
    /** Records not evaluated, by reason (replies, not forwarded, no port …). */
    skipped: Record<string, number>;
    /** Distinct denied requests. */
    deniedDistinct: number;
    /**
     * For a map (items that count edge ports): the flow records of the edges evaluated, of those
     * with every port allowed, and of those with some port denied (each edge counted once).
     */
    flows?: { evaluated: number; allowed: number; denied: number };
  };
}

/** Turns a workload of the map/resolver into the evaluator's endpoint (`ip`: the address the record carried). */
export function toEndpoint(w: Workload, ip?: string): Endpoint {
  if (w.kind === "pod-owner" || w.kind === "vm" || w.kind === "cloud-instance") {
    // a pod outside the Istio mesh presents no mTLS identity (principal peers never match it)
    if (w.namespace) {
      const pod = podEndpoint(w);
      return workloadMeshState(w) === "out" ? { ...pod, mesh: false } : pod;
    }
  }
  if (w.id.startsWith("cidr:") || w.id.startsWith("external:")) {
    // an address peer: its (first) address stands for it
    const ep = ipEndpoint(w.id.slice(w.id.indexOf(":") + 1).split("/")[0]);
    if (ep) return ep;
  }
  if (w.id.startsWith("entity:")) {
    const at = ip ? parseIp(ip) : undefined;
    return entityEndpoint(w.id.slice("entity:".length), at);
  }
  return entityEndpoint("unknown");
}

/** An endpoint standing for `size` addresses of its workload (1 for a pod or entity). */
interface Weighted {
  ep: Endpoint;
  size: bigint;
  /** The address, for an address sample. */
  ip?: string;
}

/**
 * Every endpoint a workload stands for: one; one sample per policy-uniform segment of an address
 * peer (`cidr:…`, `entity:world`: the whole set is evaluated); each address of a node entity
 * known at several (a map's `entity:host`).
 */
function toEndpoints(w: Workload, ip: string | undefined, cidrs: readonly Cidr[]): Weighted[] {
  if (ip) return [{ ep: toEndpoint(w, ip), size: 1n }];
  const set = peerAddressSet(w.id);
  if (set)
    return addressSamples(set, cidrs).flatMap((s) => {
      const ep = ipEndpoint(s.ip);
      return ep ? [{ ep, size: s.size, ip: s.ip }] : [];
    });
  if (w.id.startsWith("entity:") && w.addresses?.length)
    return w.addresses.map((a) => ({ ep: toEndpoint(w, a), size: 1n }));
  return [{ ep: toEndpoint(w), size: 1n }];
}

function refName(p: { namespace?: string; name: string }): string {
  return p.namespace ? `${p.namespace}/${p.name}` : p.name;
}

function explainSide(v: SideVerdict, subject: string, peer: string, proto: Protocol, port: number): string {
  const where = `${v.direction} ${v.direction === "ingress" ? "to" : "from"} ${subject}`;
  if (v.rules.length && v.stage !== "k8s-np") {
    const r = v.rules[0];
    return `${where} is denied by ${r.policyKind} ${refName({ namespace: r.namespace, name: r.policyName })} (${r.direction} rule ${r.ruleIndex})`;
  }
  const pols = v.policies.map(refName);
  const what = `${peer} on ${proto} ${port}`;
  if (pols.length === 0) return `${where} is isolated by a default deny, which does not allow ${what}`;
  if (pols.length === 1) return `${where} is isolated by ${pols[0]}, which does not allow ${what}`;
  return `${where} is isolated by ${pols.join(", ")}, and none of them allows ${what}`;
}

/** Why a verdict denies, in one sentence. */
export function denialReason(v: Verdict, src: string, dst: string, proto: Protocol, port: number): string {
  const parts: string[] = [];
  if (!v.egress.allowed) parts.push(explainSide(v.egress, src, dst, proto, port));
  if (!v.ingress.allowed) parts.push(explainSide(v.ingress, dst, src, proto, port));
  return parts.join("; ");
}

/** Options of a replay. */
export interface ReplayOptions {
  /**
   * Kubernetes semantics: a pod cannot block traffic from its own node (the `entity:host`
   * source), so such requests are allowed whatever the policies say (their allowing rules still
   * count as used). Egress to the node is evaluated like any request: Calico and Cilium enforce it.
   */
  hostAlwaysAllowed?: boolean;
  /** Counts of records skipped before replay, carried into the summary. */
  skipped?: Record<string, number>;
  /** Distinct requests whose verdicts are cached (least recently used dropped first). */
  verdictCacheSize?: number;
}

/** Verdicts cached by default: request paths carry ids, so the cache is bounded. */
export const DEFAULT_VERDICT_CACHE = 4096;

/** Replays items against an evaluator. */
export async function replay(
  items: AsyncIterable<ReplayItem> | Iterable<ReplayItem>,
  evaluator: Evaluator,
  opts: ReplayOptions = {},
): Promise<ReplayReport> {
  const denied = new Map<string, DeniedFlow>();
  const summary: ReplayReport["summary"] = {
    evaluated: 0,
    allowed: 0,
    denied: 0,
    skipped: { ...(opts.skipped ?? {}) },
    deniedDistinct: 0,
  };
  const verdicts = new BoundedCache<string, Judged>(opts.verdictCacheSize ?? DEFAULT_VERDICT_CACHE);
  const cidrs = policyCidrs(evaluator);
  const edgeFlows = new Map<string, number>();
  const deniedEdges = new Set<string>();
  const used = new Set<string>();
  for await (const it of items) {
    summary.evaluated += it.count;
    if (it.flows !== undefined) edgeFlows.set(it.edge ?? "", it.flows);
    const key = `${it.src.id}|${it.srcIp ?? ""}|${it.dst.id}|${it.dstIp ?? ""}|${it.protocol}|${it.port}`;
    const req = it.http
      ? {
          method: it.http.method,
          path: it.http.requestPath ?? it.http.path,
          ...(it.http.host ? { host: it.http.host } : {}),
        }
      : undefined;
    const vkey = req ? `${key}|${req.method}|${req.path}|${req.host ?? ""}` : key;
    let judged = verdicts.get(vkey);
    if (!judged) {
      judged = evaluateAll(evaluator, connections(it, req, cidrs));
      verdicts.set(vkey, judged);
    }
    const v = judged.verdict;
    for (const r of judged.rules) used.add(r);
    if (v.allowed || (opts.hostAlwaysAllowed && it.src.id === "entity:host")) {
      summary.allowed += it.count;
      continue;
    }
    summary.denied += it.count;
    if (it.flows !== undefined) deniedEdges.add(it.edge ?? "");
    const dkey = `${key}|${it.http?.method ?? ""}|${it.http?.path ?? ""}`;
    let d = denied.get(dkey);
    if (!d) {
      const atL7 =
        req !== undefined && evaluateAll(evaluator, connections(it, undefined, cidrs)).verdict.allowed;
      const src = it.src.id;
      const dst = it.dst.id;
      d = {
        src,
        dst,
        protocol: it.protocol,
        port: it.port,
        ...(it.http ? { http: { method: it.http.method, path: it.http.path } } : {}),
        flows: 0,
        deniedBy: !v.egress.allowed && !v.ingress.allowed ? "both" : v.egress.allowed ? "ingress" : "egress",
        reason:
          denialReason(v, src, dst, it.protocol, it.port) +
          (atL7 ? " (the connection is allowed at L4; the HTTP request is denied at L7)" : "") +
          (judged.partial
            ? ` (allowed in part: denied for ${judged.partial.denied} of ${judged.partial.total} addresses, e.g. ${judged.partial.example})`
            : ""),
        ...(req ? { deniedAt: atL7 ? ("l7" as const) : ("l4" as const) } : {}),
        ...(judged.partial ? { partial: judged.partial } : {}),
        policies: [...new Set([...v.egress.policies, ...v.ingress.policies].map(refName))].sort(),
      };
      denied.set(dkey, d);
    }
    d.flows += it.flows ?? it.count;
    if (it.flows !== undefined) d.edges = (d.edges ?? 0) + it.count;
    if (it.time !== undefined) {
      const t = new Date(it.time).toISOString();
      if (!d.firstSeen || t < d.firstSeen) d.firstSeen = t;
      if (!d.lastSeen || t > d.lastSeen) d.lastSeen = t;
    }
  }
  if (edgeFlows.size) {
    let evaluated = 0;
    let deniedFlows = 0;
    for (const [edge, n] of edgeFlows) {
      evaluated += n;
      if (deniedEdges.has(edge)) deniedFlows += n;
    }
    summary.flows = { evaluated, allowed: evaluated - deniedFlows, denied: deniedFlows };
  }
  const list = [...denied.values()].sort(compareDenied);
  summary.deniedDistinct = list.length;
  return { denied: list, summary, unused: unusedRules(evaluator, used) };
}

/** A connection with the number of addresses it stands for. */
interface WeightedConnection {
  conn: Connection;
  size: bigint;
  ip?: string;
}

/** The connections an item stands for (one per sample of a multi-address endpoint). */
function connections(it: ReplayItem, http: Connection["http"], cidrs: readonly Cidr[]): WeightedConnection[] {
  const out: WeightedConnection[] = [];
  for (const src of toEndpoints(it.src, it.srcIp, cidrs))
    for (const dst of toEndpoints(it.dst, it.dstIp, cidrs))
      out.push({
        conn: { src: src.ep, dst: dst.ep, protocol: it.protocol, port: it.port, ...(http ? { http } : {}) },
        size: src.size * dst.size,
        ...(src.ip || dst.ip ? { ip: src.ip ?? dst.ip } : {}),
      });
  return out;
}

/** The verdict over an item's connections, and the keys of every rule that decided one of them. */
interface Judged {
  /** The first denying verdict, else the first. */
  verdict: Verdict;
  rules: string[];
  /** Set when some addresses are allowed and others denied. */
  partial?: DeniedFlow["partial"];
}

function evaluateAll(evaluator: Evaluator, conns: WeightedConnection[]): Judged {
  const verdicts = conns.map((c) => evaluator.evaluate(c.conn));
  const rules = new Set<string>();
  for (const v of verdicts) for (const r of [...v.egress.rules, ...v.ingress.rules]) rules.add(ruleKey(r));
  const deniedAt = verdicts.findIndex((v) => !v.allowed);
  const judged: Judged = { verdict: verdicts[Math.max(deniedAt, 0)], rules: [...rules] };
  if (deniedAt >= 0 && verdicts.some((v) => v.allowed)) {
    let denied = 0n;
    let total = 0n;
    conns.forEach((c, i) => {
      total += c.size;
      if (!verdicts[i].allowed) denied += c.size;
    });
    judged.partial = { denied: String(denied), total: String(total), example: conns[deniedAt].ip ?? "" };
  }
  return judged;
}

function ruleKey(r: RuleOrigin): string {
  return `${r.policyKind}|${r.namespace ?? ""}|${r.policyName}|${r.direction}|${r.ruleIndex}`;
}

/** Allow rules that allowed none of the replayed requests (permissions no call uses), sorted. */
function unusedRules(evaluator: Evaluator, used: Set<string>): UnusedRule[] {
  const out = new Map<string, UnusedRule>();
  for (const layer of evaluator.compiled.layers)
    for (const p of layer.policies)
      for (const r of [...p.ingress, ...p.egress]) {
        const o = r.rule.origin;
        const k = ruleKey(o);
        if (r.rule.action !== "allow" || used.has(k) || out.has(k)) continue;
        out.set(k, {
          policy: `${o.policyKind} ${refName({ namespace: o.namespace, name: o.policyName })}`,
          direction: o.direction,
          ruleIndex: o.ruleIndex,
        });
      }
  return [...out.values()].sort(
    (a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0) || a.ruleIndex - b.ruleIndex,
  );
}

function compareDenied(a: DeniedFlow, b: DeniedFlow): number {
  const ka = [
    a.src,
    a.dst,
    a.protocol,
    String(a.port).padStart(5, "0"),
    a.http?.method ?? "",
    a.http?.path ?? "",
  ];
  const kb = [
    b.src,
    b.dst,
    b.protocol,
    String(b.port).padStart(5, "0"),
    b.http?.method ?? "",
    b.http?.path ?? "",
  ];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

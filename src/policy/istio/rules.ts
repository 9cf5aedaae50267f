/**
 * One Istio AuthorizationPolicy rule → IR rules. `from`, `to` and `when` AND; the entries of
 * `from` (and of `to`) OR. Each `to` operation with its own ports becomes one IR rule carrying
 * every `from` peer; operations with the same ports merge into one rule with their HTTP entries
 * (so emitted YAML parses back to the same IR).
 */

import { httpSatisfiable } from "../../eval/l7.js";
import { PortSet } from "../../model/ports.js";
import type { HttpMatch, Peer, PortMatch, RuleCondition, StringMatchKind } from "../ir/types.js";
import type { IstioCondition, IstioOperation, IstioRule, IstioSource } from "./types.js";

/** A parsed rule before origins are attached: peers, ports, HTTP and undecidable conditions. */
export interface RuleParts {
  peers: Peer[];
  ports: PortMatch[] | "any";
  http?: HttpMatch[];
  conditions?: RuleCondition[];
}

/** Istio writes single addresses without a prefix length. */
export function istioCidr(s: string): string {
  if (s.includes("/")) return s;
  return s.includes(":") ? `${s}/128` : `${s}/32`;
}

function ipPeers(list: string[]): Peer[] {
  return list.map((c) => ({ kind: "ipblock" as const, cidr: istioCidr(c), except: [] }));
}

function anyOf(peers: Peer[]): Peer {
  return peers.length === 1 ? peers[0] : { kind: "none-of", peers: [{ kind: "none-of", peers }] };
}

/** One `source` → the AND of its fields (the `any` peer when it has none). */
export function sourcePeer(src: IstioSource): Peer {
  const parts: Peer[] = [];
  const add = (vals: string[] | undefined, neg: boolean, mk: (v: string[]) => Peer[]) => {
    if (!vals || vals.length === 0) return;
    parts.push(neg ? { kind: "none-of", peers: mk(vals) } : anyOf(mk(vals)));
  };
  add(src.principals, false, (v) => [{ kind: "principals", patterns: v }]);
  add(src.notPrincipals, true, (v) => [{ kind: "principals", patterns: v }]);
  add(src.namespaces, false, (v) => [{ kind: "namespaces", patterns: v }]);
  add(src.notNamespaces, true, (v) => [{ kind: "namespaces", patterns: v }]);
  add(src.ipBlocks, false, ipPeers);
  add(src.notIpBlocks, true, ipPeers);
  add(src.remoteIpBlocks, false, ipPeers);
  add(src.notRemoteIpBlocks, true, ipPeers);
  if (parts.length === 0) return { kind: "any" };
  return parts.length === 1 ? parts[0] : { kind: "all-of", peers: parts };
}

/** An Istio string pattern → (value, kind); undefined for `*` (any value). */
export function istioPattern(p: string): { value: string; kind: StringMatchKind } | undefined {
  if (p === "*") return undefined;
  if (p.endsWith("*")) return { value: p.slice(0, -1), kind: "prefix" };
  if (p.startsWith("*")) return { value: p.slice(1), kind: "suffix" };
  return { value: p, kind: "exact" };
}

type Field = "method" | "path" | "host";

function fieldMatch(field: Field, pattern: string): HttpMatch | undefined {
  const p = istioPattern(pattern);
  if (!p) return undefined;
  if (field === "method") return { method: p.value, ...(p.kind !== "exact" ? { methodKind: p.kind } : {}) };
  if (field === "path") return { path: p.value, pathKind: p.kind };
  return { host: p.value, ...(p.kind !== "exact" ? { hostKind: p.kind } : {}) };
}

/** methods × paths × hosts, each entry carrying the `not*` lists as excepts. */
export function operationHttp(op: IstioOperation): HttpMatch[] | undefined {
  const lists: [Field, string[] | undefined][] = [
    ["method", op.methods],
    ["path", op.paths],
    ["host", op.hosts],
  ];
  let entries: (HttpMatch | undefined)[] = [{}];
  for (const [field, vals] of lists) {
    if (!vals || vals.length === 0) continue;
    const next: (HttpMatch | undefined)[] = [];
    for (const e of entries)
      for (const v of vals) {
        const m = fieldMatch(field, v);
        next.push(e === undefined ? undefined : m ? { ...e, ...m } : e);
      }
    entries = next;
  }
  const except: HttpMatch[] = [];
  for (const [field, vals] of [
    ["method", op.notMethods],
    ["path", op.notPaths],
    ["host", op.notHosts],
  ] as [Field, string[] | undefined][])
    for (const v of vals ?? []) except.push(fieldMatch(field, v) ?? {});
  const out = entries
    .filter((e): e is HttpMatch => e !== undefined)
    .map((e) => (except.length ? { ...e, except } : e))
    .filter((e) => httpSatisfiable(e));
  if (out.length === 1 && Object.keys(out[0]).length === 0) return undefined;
  // [] = no request can match (methods [GET] with notMethods [GET]): the operation matches nothing
  return out;
}

/** `ports`/`notPorts` (and `destination.port` conditions) → a TCP port set. */
function operationPorts(op: IstioOperation, when: IstioCondition[]): PortSet {
  const nums = (l: string[]) =>
    PortSet.of(
      l
        .map(Number)
        .filter((n) => n >= 1 && n <= 65535)
        .map((n) => ({ from: n, to: n })),
    );
  let set = op.ports?.length ? nums(op.ports) : PortSet.ALL;
  if (op.notPorts?.length) set = set.subtract(nums(op.notPorts));
  for (const c of when) {
    if (c.key !== "destination.port") continue;
    if (c.values?.length) set = set.intersect(nums(c.values));
    if (c.notValues?.length) set = set.subtract(nums(c.notValues));
  }
  return set;
}

function portMatches(set: PortSet): PortMatch[] | "any" {
  if (set.isAll()) return [{ protocol: "TCP" }];
  return set.ranges.map((r) =>
    r.from === r.to
      ? { protocol: "TCP" as const, port: r.from }
      : { protocol: "TCP" as const, port: r.from, endPort: r.to },
  );
}

/** `when` keys that become peers; the others are kept as undecidable conditions. */
function conditionPeers(when: IstioCondition[]): { peers: Peer[]; conditions: RuleCondition[] } {
  const peers: Peer[] = [];
  const conditions: RuleCondition[] = [];
  for (const c of when) {
    const mk = (vals: string[]): Peer | undefined => {
      if (c.key === "source.ip" || c.key === "remote.ip") return anyOf(ipPeers(vals));
      if (c.key === "source.namespace") return { kind: "namespaces", patterns: vals };
      if (c.key === "source.principal") return { kind: "principals", patterns: vals };
      return undefined;
    };
    if (c.key === "destination.port") continue;
    if (!["source.ip", "remote.ip", "source.namespace", "source.principal"].includes(c.key)) {
      conditions.push(c);
      continue;
    }
    if (c.values?.length) peers.push(mk(c.values)!);
    if (c.notValues?.length) {
      const p = mk(c.notValues)!;
      peers.push({
        kind: "none-of",
        peers:
          p.kind === "none-of" && p.peers.length === 1 && p.peers[0].kind === "none-of"
            ? p.peers[0].peers
            : [p],
      });
    }
  }
  return { peers, conditions };
}

/** One Istio rule → IR rule parts (several when its operations differ in ports). */
export function lowerIstioRule(rule: IstioRule): RuleParts[] {
  const when = rule.when ?? [];
  const fromPeers = rule.from?.length
    ? rule.from.map((f) => sourcePeer(f.source ?? {}))
    : [{ kind: "any" } as Peer];
  const cond = conditionPeers(when);
  const peers = cond.peers.length
    ? fromPeers.map(
        (p): Peer => ({ kind: "all-of", peers: p.kind === "any" ? cond.peers : [p, ...cond.peers] }),
      )
    : fromPeers;
  const flat = peers.map((p) => (p.kind === "all-of" && p.peers.length === 1 ? p.peers[0] : p));
  const ops = rule.to?.length ? rule.to.map((t) => t.operation ?? {}) : [{}];
  const byPorts = new Map<string, RuleParts>();
  for (const op of ops) {
    const set = operationPorts(op, when);
    if (set.isEmpty()) continue;
    const key = set.toString();
    const http = operationHttp(op);
    if (http?.length === 0) continue;
    const prev = byPorts.get(key);
    if (prev) {
      // an operation without HTTP fields opens every request: the merged rule has no restriction
      prev.http = prev.http && http ? [...prev.http, ...http] : undefined;
      continue;
    }
    const parts: RuleParts = { peers: flat, ports: set.isAll() ? "any" : portMatches(set) };
    if (http) parts.http = http;
    if (cond.conditions.length) parts.conditions = cond.conditions;
    byPorts.set(key, parts);
  }
  return [...byPorts.values()];
}

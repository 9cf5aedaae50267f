/**
 * Reading network-config-analyzer (NCA) connectivity maps: its grouped "fw rules" (txt, yaml,
 * json) and its per-pair `txt_no_fw_rules` lines, expanded against a topology of units (pods, or
 * workloads where the input has no pods) into per-pair connection sets restricted to TCP, UDP and
 * SCTP. IPv6 blocks are dropped: microseg's analysis is IPv4 only (see SOURCE.md: NCA shows
 * `::/0` only when policies mention no IPv6 range, so nothing IPv6-specific is lost).
 */
import { IpSet, parseCidr, parseIpv4 } from "../../src/model/ipset.js";
import type { Labels } from "../../src/model/labels.js";
import { ConnSet, PortSet, type Protocol } from "../../src/model/ports.js";

/** A peer of the topology as NCA names it. */
export interface Unit {
  namespace: string;
  /** Every name NCA may print for it: pod name, owner name, Deployment name behind a ReplicaSet. */
  names: string[];
  labels: Labels;
  /** The microseg workload the unit belongs to. */
  workload: string;
}

/** One side of a rule: units, or an IPv4 set. */
export type Side = { units: number[] } | { ips: IpSet };

/** One expanded rule. */
export interface FwRule {
  src: Side;
  dst: Side;
  conns: ConnSet;
}

const L4: Protocol[] = ["TCP", "UDP", "SCTP"];

/** Splits at `sep` outside parentheses and braces. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "(" || ch === "{") depth++;
    else if (ch === ")" || ch === "}") depth--;
    else if (depth === 0 && s.startsWith(sep, i)) {
      out.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(s.slice(start));
  return out.map((x) => x.trim());
}

/** Strips grouping parentheses or braces that enclose the whole expression. */
function unwrap(s: string): string {
  let t = s.trim();
  for (;;) {
    const open = t[0];
    if (open !== "(" && open !== "{") return t;
    let depth = 0;
    let closeAt = -1;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === "(" || t[i] === "{") depth++;
      else if (t[i] === ")" || t[i] === "}") depth--;
      if (depth === 0) {
        closeAt = i;
        break;
      }
    }
    if (closeAt !== t.length - 1) return t;
    t = t.slice(1, -1).trim();
  }
}

/** A predicate for NCA's label expressions: `k=v`, `k!=v`, `has(k)`, `!has(k)`, `k in (..)`, `k not in (..)`, and/or, grouping. */
export function labelExpr(expr: string): (l: Labels) => boolean {
  const e = unwrap(expr);
  const ors = splitTop(e, " or ");
  if (ors.length > 1) {
    const ps = ors.map(labelExpr);
    return (l) => ps.some((p) => p(l));
  }
  const ands = splitTop(e, " and ");
  if (ands.length > 1) {
    const ps = ands.map(labelExpr);
    return (l) => ps.every((p) => p(l));
  }
  let m = /^!has\((.+)\)$/.exec(e);
  if (m) return (l) => !Object.hasOwn(l, m![1]);
  m = /^has\((.+)\)$/.exec(e);
  if (m) return (l) => Object.hasOwn(l, m![1]);
  m = /^(\S+) not in \((.*)\)$/.exec(e);
  if (m) {
    const vals = new Set(m[2].split(","));
    return (l) => !Object.hasOwn(l, m![1]) || !vals.has(l[m![1]]);
  }
  m = /^(\S+) in \((.*)\)$/.exec(e);
  if (m) {
    const vals = new Set(m[2].split(","));
    return (l) => Object.hasOwn(l, m![1]) && vals.has(l[m![1]]);
  }
  m = /^([^!=\s]+)!=(.*)$/.exec(e);
  if (m) return (l) => l[m![1]] !== m![2];
  m = /^([^=\s]+)=(.*)$/.exec(e);
  if (m) return (l) => l[m![1]] === m![2];
  throw new Error(`unknown label expression "${expr}"`);
}

/** True when a pods entry is a label expression (not a workload or pod name). */
function isExpr(s: string): boolean {
  return /[=()!{}]/.test(s);
}

/** The units of `namespaces` matching any of the `pods` entries (`*`, names, label expressions). */
export function expandPods(
  units: readonly Unit[],
  namespaces: readonly string[],
  pods: readonly string[],
): number[] {
  const nsSet = new Set(namespaces);
  const preds = pods.map((p) =>
    p === "*"
      ? () => true
      : isExpr(p)
        ? (
            (pred) => (u: Unit) =>
              pred(u.labels)
          )(labelExpr(p))
        : (u: Unit) => u.names.includes(p),
  );
  const out: number[] = [];
  units.forEach((u, i) => {
    if (nsSet.has(u.namespace) && preds.some((p) => (p as (u: Unit) => boolean)(u))) out.push(i);
  });
  return out;
}

/** The IPv4 part of a list of CIDRs or `first-last` ranges (IPv6 blocks dropped). */
export function ipv4Blocks(items: readonly string[]): IpSet {
  let out = IpSet.EMPTY;
  for (const raw of items) {
    const item = raw.trim();
    // IPv6 blocks, and DNS names (Istio ServiceEntry hosts): not addresses microseg models
    if (item === "" || item.includes(":") || /[a-z*]/i.test(item)) continue;
    const range = /^([\d.]+)-([\d.]+)$/.exec(item);
    if (range) {
      out = out.union(IpSet.fromV4Ranges([[parseIpv4(range[1])!, parseIpv4(range[2])!]]));
      continue;
    }
    const cidr = parseCidr(item);
    if (!cidr) throw new Error(`cannot read address block "${item}"`);
    out = out.union(IpSet.fromCidrs([cidr]));
  }
  return out;
}

function portSet(items: readonly (string | number)[]): PortSet {
  return PortSet.of(
    items.map((x) => {
      const [a, b] = String(x).split("-").map(Number);
      return { from: a, to: b ?? a };
    }),
  );
}

/** One connection part: `{protocols:TCP, UDP,dst_ports:53,...}` or the yaml/json object form. */
function connPart(protocols: string, ports: readonly (string | number)[] | undefined): ConnSet {
  const protos = protocols.split(",").map((p) => p.trim());
  const set = ports && ports.length > 0 ? portSet(ports) : PortSet.ALL;
  return ConnSet.of(L4.filter((p) => protos.includes(p)).map((p) => [p, set]));
}

/** A txt `conn:` value restricted to TCP/UDP/SCTP. */
export function parseTxtConn(s: string): ConnSet {
  const t = s.trim();
  if (t === "All connections") return ConnSet.ALL;
  let out = ConnSet.NONE;
  for (const m of t.matchAll(/\{([^}]*)\}/g)) {
    const fields = m[1];
    const protocols = /protocols:(.*?)(?:,[a-z_]+:|$)/.exec(fields)?.[1] ?? "";
    const ports = /dst_ports:(.*?)(?:,[a-z_]+:|$)/.exec(fields)?.[1];
    out = out.union(connPart(protocols, ports?.split(",")));
  }
  return out;
}

/** A yaml/json `connection` list restricted to TCP/UDP/SCTP. */
export function parseObjConn(list: readonly unknown[]): ConnSet {
  let out = ConnSet.NONE;
  for (const c of list) {
    if (c === "All connections") return ConnSet.ALL;
    if (typeof c === "object" && c !== null) {
      const o = c as { protocols?: string; dst_ports?: (string | number)[] };
      out = out.union(connPart(String(o.protocols ?? ""), o.dst_ports));
    }
  }
  return out;
}

/** `[a,b, c]` → entries (split at top-level commas). */
function listOf(s: string): string[] {
  return splitTop(s, ",").filter((x) => x !== "");
}

/** Parses one txt fw-rule line. */
export function parseTxtRule(line: string, units: readonly Unit[]): FwRule | undefined {
  const m = /^(.*?) conn: (.*)$/.exec(line);
  if (!m) return undefined;
  const head = m[1];
  const side = (prefix: "src" | "dst"): Side => {
    const ip = new RegExp(`(?:^| )${prefix}: (\\S+)`).exec(head);
    if (ip) return { ips: ipv4Blocks(ip[1].split(",")) };
    const ns = new RegExp(`${prefix}_ns: \\[(.*?)\\]`).exec(head);
    const pods = new RegExp(`${prefix}_pods: \\[(.*?)\\](?= dst| conn|$)`).exec(head);
    if (!ns || !pods) throw new Error(`cannot read ${prefix} of "${line}"`);
    return { units: expandPods(units, listOf(ns[1]), listOf(pods[1])) };
  };
  return { src: side("src"), dst: side("dst"), conns: parseTxtConn(m[2]) };
}

/** Parses one yaml/json rule object. */
export function parseObjRule(r: Record<string, unknown>, units: readonly Unit[]): FwRule {
  const side = (prefix: "src" | "dst"): Side => {
    const ip = r[`${prefix}_ip_block`] as string[] | undefined;
    if (ip) return { ips: ipv4Blocks(ip) };
    // yaml/json items may hold several comma-separated names, as txt lists do
    const items = (key: string) => ((r[key] as string[]) ?? []).flatMap((x) => listOf(String(x)));
    return { units: expandPods(units, items(`${prefix}_ns`), items(`${prefix}_pods`)) };
  };
  return { src: side("src"), dst: side("dst"), conns: parseObjConn((r.connection as unknown[]) ?? []) };
}

/** Splits a txt connectivity map into its per-config blocks of rule lines. */
export function txtBlocks(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split(/\r?\n/)) {
    const h = /^final fw rules for query: .*?, config: (.*):$/.exec(line.trim());
    if (h) {
      current = [];
      out.set(h[1], current);
    } else if (current && line.trim() !== "") current.push(line.trim());
  }
  return out;
}

/**
 * The explanation text form of netpol-analyzer (`--explain`): a "Specific connections and their
 * reasons" section with one block per pair (`Connections between A => B:`, then `Allowed
 * connections:` / `Denied connections:` with one entry per segment naming, per side, the policies
 * and rules that decided), and an "All Connections due to the system default (Allow all)" section
 * listing the pairs that nothing but the default decides.
 */
import {
  isAllDefault,
  type PairExplanation,
  type PairSegment,
  type SideReasons,
} from "../analysis/explain/explain.js";
import type { IngressObjectReason } from "../analysis/explain/ingress-explain.js";
import type { Reason } from "../eval/explain.js";
import type { PolicyRef } from "../eval/stages.js";
import type { ConnSet, Protocol } from "../model/ports.js";

/** Options of the explanation text. */
export interface ExplainTxtOptions {
  /** Only allowed or only denied segments (`--explain-only`). */
  only?: "allow" | "deny";
  /** Multi-network analysis: the network the pairs are in, added to the section titles (`pod-network`). */
  network?: string;
  /**
   * Leave out a side that only the system default decides when the other side has reasons
   * (secondary networks, where netpol-analyzer names only the MultiNetworkPolicies that decide).
   */
  omitDefaultSides?: boolean;
  /** List pairs that only the system default decides with the others (netpol-analyzer with `--focus-conn`). */
  defaultsAsSpecific?: boolean;
  /** Pairs denied because their ends are in separate isolated networks, listed with the others. */
  isolated?: readonly IsolatedPair[];
}

/** A pair across isolated networks: denied, with the sentence naming the networks that isolate it. */
export interface IsolatedPair {
  src: string;
  dst: string;
  conns: ConnSet;
  /** `UserDefinedNetwork 'blue' isolates blue[udn]/web[Pod]; and …`. */
  reason: string;
}

function isolatedBlock(p: IsolatedPair): string {
  const lines = [
    RULER,
    `Connections between ${p.src} => ${p.dst}:`,
    "",
    "Denied connections:",
    `\tDenied ${explainConnsText(p.conns)} due to existence of user defined networks:`,
    "\t\tEgress ",
    `\t\t\t${p.reason}`,
    "\t\tIngress ",
    `\t\t\t${p.reason}`,
    "",
  ];
  return `${lines.join("\n")}\n`;
}

const RULER = "-".repeat(160);
const EXPLAIN_ORDER: Protocol[] = ["TCP", "UDP", "SCTP"];

/** `TCP:[80], UDP, SCTP` (whole protocols bare), the explanation's connection form. */
export function explainConnsText(c: ConnSet): string {
  return EXPLAIN_ORDER.filter((p) => !c.ports(p).isEmpty())
    .map((p) => (c.ports(p).isAll() ? p : `${p}:[${c.ports(p).toString()}]`))
    .join(", ");
}

function banner(title: string): string {
  const line = "#".repeat(title.length + 4);
  return `${line}\n# ${title} #\n${line}\n`;
}

/** Policy kinds printed as `namespace/name`. */
const NAMESPACED_KINDS = new Set(["NetworkPolicy", "MultiNetworkPolicy"]);

function policyName(p: PolicyRef): string {
  return p.namespace !== undefined && NAMESPACED_KINDS.has(p.kind) ? `${p.namespace}/${p.name}` : p.name;
}

const VERB = { allow: "allows", deny: "denies", pass: "passes" } as const;

interface Ends {
  subject: string;
  peer: string;
  dir: "Egress" | "Ingress";
}

function reasonLine(r: Exclude<Reason, { kind: "default" }>, e: Ends): string {
  const who = `${r.policy.kind} '${policyName(r.policy)}'`;
  if (r.kind === "rule") {
    const ref = r.ruleName ?? `#${r.ruleIndex + 1}`;
    const id = NAMESPACED_KINDS.has(r.policy.kind) ? `#${r.ruleIndex + 1}` : ref;
    return `${who} ${VERB[r.action]} connections by ${e.dir} rule ${id}`;
  }
  if (r.rules.length > 0 && r.namedUnresolved)
    return `${who} selects ${e.subject}, and ${e.dir} rule #${r.rules[0] + 1} selects ${e.peer}, but named ports of the rule have no match in the configuration of the destination peer`;
  if (r.rules.length > 0)
    return `${who} selects ${e.subject}, and ${e.dir} rule #${r.rules[0] + 1} selects ${e.peer}, but the protocols and ports do not match`;
  return `${who} selects ${e.subject}, but ${e.peer} is not allowed by any ${e.dir} rule${r.noRules ? " (no rules defined)" : ""}`;
}

function objectLine(r: IngressObjectReason): string {
  const who = `${r.via} '${r.object}'`;
  return r.matched
    ? `${who} allows ingress connections through service ${r.service}`
    : `${who} allows ingress to service ${r.service}, but the protocols and ports do not match`;
}

/** The list a reason is grouped in (two or more of one group print as `<group> list:`), if any. */
function groupOf(r: SideReasons["reasons"][number]): string | undefined {
  if (r.kind === "ingress-object") return r.via;
  if (r.kind !== "default" && r.stage === "k8s-np") return r.policy.kind;
  return undefined;
}

/**
 * The order of reasons in a side: by the kind named, alphabetically (AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy, Ingress, NetworkPolicy, Route), the system default last. This is
 * also evaluation order for the policy kinds that can appear together.
 */
function kindRank(r: SideReasons["reasons"][number]): string {
  if (r.kind === "default") return "~";
  if (r.kind === "ingress-object") return r.via;
  return r.policy.kind;
}

/** The lines of one side (three tabs deep; groups of two or more as a list). */
function sideLines(s: SideReasons, e: Ends): string[] {
  const head = `\t\t${e.dir} (${s.allowed ? "Allowed" : "Denied"})`;
  if (s.reasons.every((r) => r.kind === "default")) return [`${head} due to the system default (Allow all)`];
  const out = [head];
  let group: { name: string; lines: string[] } | undefined;
  const flush = () => {
    if (group?.lines.length === 1) out.push(`\t\t\t${group.lines[0]}`);
    else if (group) out.push(`\t\t\t${group.name} list:`, ...group.lines.map((l) => `\t\t\t\t- ${l}`), "");
    group = undefined;
  };
  for (const r of [...s.reasons].sort((a, b) =>
    kindRank(a) < kindRank(b) ? -1 : kindRank(a) > kindRank(b) ? 1 : 0,
  )) {
    const g = groupOf(r);
    if (g === undefined || g !== group?.name) flush();
    const line =
      r.kind === "default"
        ? "the system default (Allow all)"
        : r.kind === "ingress-object"
          ? objectLine(r)
          : reasonLine(r, e);
    if (g === undefined) out.push(`\t\t\t${line}`);
    else {
      group ??= { name: g, lines: [] };
      group.lines.push(line);
    }
  }
  flush();
  return out;
}

function segmentLines(s: PairSegment, src: string, dst: string, omitDefault: boolean): string[] {
  const verdict = s.allowed ? "Allowed" : "Denied";
  const conns = explainConnsText(s.conns);
  const allDefault = [s.egress, s.ingress].every((x) => x.reasons.every((r) => r.kind === "default"));
  if (allDefault) return [`\t${verdict} ${conns} due to the system default (Allow all)`];
  const onlyDefault = (x: SideReasons) => omitDefault && x.reasons.every((r) => r.kind === "default");
  return [
    `\t${verdict} ${conns} due to the following policies and rules:`,
    ...(onlyDefault(s.egress) ? [] : sideLines(s.egress, { subject: src, peer: dst, dir: "Egress" })),
    ...(onlyDefault(s.ingress) ? [] : sideLines(s.ingress, { subject: dst, peer: src, dir: "Ingress" })),
  ];
}

function groupLines(
  title: string,
  segs: PairSegment[],
  src: string,
  dst: string,
  omitDefault: boolean,
): string[] {
  if (segs.length === 0) return [];
  const sorted = segs
    .map((s) => [explainConnsText(s.conns), s] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out = [`${title}:`];
  sorted.forEach(([, s], i) => {
    if (i > 0) out.push("");
    out.push(...segmentLines(s, src, dst, omitDefault));
  });
  out.push("");
  return out;
}

function pairBlock(p: PairExplanation, o: ExplainTxtOptions): string | undefined {
  const { only } = o;
  const omit = o.omitDefaultSides === true;
  const allowed = only === "deny" ? [] : p.segments.filter((s) => s.allowed);
  const denied = only === "allow" ? [] : p.segments.filter((s) => !s.allowed);
  if (allowed.length === 0 && denied.length === 0) return undefined;
  const lines = [
    RULER,
    `Connections between ${p.src} => ${p.dst}:`,
    "",
    ...groupLines("Allowed connections", allowed, p.src, p.dst, omit),
    ...groupLines("Denied connections", denied, p.src, p.dst, omit),
  ];
  return `${lines.join("\n")}\n`;
}

/** The explanation text for the given pairs (already focus-filtered and restricted). */
export function renderExplainTxt(pairs: readonly PairExplanation[], o: ExplainTxtOptions = {}): string {
  const specific: [string, string][] = (o.isolated ?? []).map((p) => [
    `${p.src} => ${p.dst}`,
    isolatedBlock(p),
  ]);
  const defaults: string[] = [];
  for (const p of pairs) {
    if (!o.defaultsAsSpecific && isAllDefault(p)) {
      if (o.only !== "deny") defaults.push(`${p.src} => ${p.dst}`);
      continue;
    }
    const block = pairBlock(p, o);
    if (block !== undefined) specific.push([`${p.src} => ${p.dst}`, block]);
  }
  specific.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let out = "";
  const inNet = o.network !== undefined ? ` in ${o.network}` : "";
  if (specific.length > 0)
    out += `\n${banner(`Specific connections and their reasons${inNet}`)}${specific.map(([, b]) => b).join("")}`;
  if (defaults.length > 0)
    out += `\n${banner(`All Connections due to the system default (Allow all)${inNet}`)}${defaults.join("\n")}\n`;
  return out;
}

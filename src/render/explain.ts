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
import type { Reason } from "../eval/explain.js";
import type { PolicyRef } from "../eval/stages.js";
import type { ConnSet, Protocol } from "../model/ports.js";

/** Options of the explanation text. */
export interface ExplainTxtOptions {
  /** Only allowed or only denied segments (`--explain-only`). */
  only?: "allow" | "deny";
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

function policyName(p: PolicyRef): string {
  return p.namespace !== undefined && p.kind === "NetworkPolicy" ? `${p.namespace}/${p.name}` : p.name;
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
    const id = r.policy.kind === "NetworkPolicy" ? `#${r.ruleIndex + 1}` : ref;
    return `${who} ${VERB[r.action]} connections by ${e.dir} rule ${id}`;
  }
  if (r.rules.length > 0 && r.namedUnresolved)
    return `${who} selects ${e.subject}, and ${e.dir} rule ${r.rules.map((i) => `#${i + 1}`).join(", ")} selects ${e.peer}, but named ports of the rule have no match in the configuration of the destination peer`;
  if (r.rules.length > 0)
    return `${who} selects ${e.subject}, and ${e.dir} rule ${r.rules.map((i) => `#${i + 1}`).join(", ")} selects ${e.peer}, but the protocols and ports do not match`;
  return `${who} selects ${e.subject}, but ${e.peer} is not allowed by any ${e.dir} rule${r.noRules ? " (no rules defined)" : ""}`;
}

/** The lines of one side (three tabs deep; NetworkPolicy groups of two or more as a list). */
function sideLines(s: SideReasons, e: Ends): string[] {
  const head = `\t\t${e.dir} (${s.allowed ? "Allowed" : "Denied"})`;
  if (s.reasons.every((r) => r.kind === "default")) return [`${head} due to the system default (Allow all)`];
  const out = [head];
  const nps: string[] = [];
  const flush = () => {
    if (nps.length === 1) out.push(`\t\t\t${nps[0]}`);
    else if (nps.length > 1) out.push("\t\t\tNetworkPolicy list:", ...nps.map((l) => `\t\t\t\t- ${l}`), "");
    nps.length = 0;
  };
  for (const r of s.reasons) {
    if (r.kind === "default") {
      flush();
      out.push("\t\t\tthe system default (Allow all)");
    } else if (r.stage === "k8s-np") nps.push(reasonLine(r, e));
    else {
      flush();
      out.push(`\t\t\t${reasonLine(r, e)}`);
    }
  }
  flush();
  return out;
}

function segmentLines(s: PairSegment, src: string, dst: string): string[] {
  const verdict = s.allowed ? "Allowed" : "Denied";
  const conns = explainConnsText(s.conns);
  const allDefault = [s.egress, s.ingress].every((x) => x.reasons.every((r) => r.kind === "default"));
  if (allDefault) return [`\t${verdict} ${conns} due to the system default (Allow all)`];
  return [
    `\t${verdict} ${conns} due to the following policies and rules:`,
    ...sideLines(s.egress, { subject: src, peer: dst, dir: "Egress" }),
    ...sideLines(s.ingress, { subject: dst, peer: src, dir: "Ingress" }),
  ];
}

function groupLines(title: string, segs: PairSegment[], src: string, dst: string): string[] {
  if (segs.length === 0) return [];
  const sorted = segs
    .map((s) => [explainConnsText(s.conns), s] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out = [`${title}:`];
  sorted.forEach(([, s], i) => {
    if (i > 0) out.push("");
    out.push(...segmentLines(s, src, dst));
  });
  out.push("");
  return out;
}

function pairBlock(p: PairExplanation, only: ExplainTxtOptions["only"]): string | undefined {
  const allowed = only === "deny" ? [] : p.segments.filter((s) => s.allowed);
  const denied = only === "allow" ? [] : p.segments.filter((s) => !s.allowed);
  if (allowed.length === 0 && denied.length === 0) return undefined;
  const lines = [
    RULER,
    `Connections between ${p.src} => ${p.dst}:`,
    "",
    ...groupLines("Allowed connections", allowed, p.src, p.dst),
    ...groupLines("Denied connections", denied, p.src, p.dst),
  ];
  return `${lines.join("\n")}\n`;
}

/** The explanation text for the given pairs (already focus-filtered and restricted). */
export function renderExplainTxt(pairs: readonly PairExplanation[], o: ExplainTxtOptions = {}): string {
  const specific: string[] = [];
  const defaults: string[] = [];
  for (const p of pairs) {
    if (isAllDefault(p)) {
      if (o.only !== "deny") defaults.push(`${p.src} => ${p.dst}`);
      continue;
    }
    const block = pairBlock(p, o.only);
    if (block !== undefined) specific.push(block);
  }
  let out = "";
  if (specific.length > 0) out += `\n${banner("Specific connections and their reasons")}${specific.join("")}`;
  if (defaults.length > 0)
    out += `\n${banner("All Connections due to the system default (Allow all)")}${defaults.join("\n")}\n`;
  return out;
}

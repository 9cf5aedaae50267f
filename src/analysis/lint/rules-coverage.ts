/**
 * Lint rules about what policies select and cover: default deny per namespace and direction,
 * policies and peers that select nothing (label drift), redundant and shadowed rules.
 */
import { podEndpoint } from "../../eval/endpoint.js";
import { compileSelector, isEmptySelector } from "../../model/labels.js";
import type { Direction, Layer, NamespaceMatch, Policy } from "../../policy/ir/types.js";
import { podPeerMatcher, ruleCovers } from "./peers.js";
import { allRules, finding, policyName, ruleLocation } from "./rules-structure.js";
import type { LintContext, LintFinding } from "./types.js";

const SYSTEM_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease"]);

function podWorkloads(ctx: LintContext) {
  return ctx.workloads.filter((w) => w.kind === "pod-owner" || w.kind === "vm");
}

function nsMatches(m: NamespaceMatch, ns: string, labels: Record<string, string>): boolean {
  if (m.kind === "all") return true;
  if (m.kind === "names") return m.names.includes(ns);
  return compileSelector(m.selector)(labels);
}

/** True when the policy isolates every pod of `ns` for `dir` (a default deny, or one with exceptions). */
function isNamespaceWide(
  layer: Layer,
  p: Policy,
  ns: string,
  nsLabels: Record<string, string>,
  dir: Direction,
): boolean {
  if (!nsMatches(p.subject.namespaces, ns, nsLabels) || !isEmptySelector(p.subject.pods)) return false;
  if (layer.combining === "first-match")
    return p.rules.some(
      (r) =>
        r.direction === dir &&
        r.action === "deny" &&
        r.ports === "any" &&
        r.peers.some(
          (x) =>
            x.kind === "any" || (x.kind === "pods" && x.namespaces.kind === "all" && isEmptySelector(x.pods)),
        ),
    );
  if (layer.stage === "istio-deny" || layer.stage === "istio-custom") return false;
  return p.directions.includes(dir);
}

/** Namespaces with workloads but no default deny, per direction. */
export function checkDefaultDeny(ctx: LintContext): LintFinding[] {
  const namespaces = [...new Set(podWorkloads(ctx).map((w) => w.namespace ?? "default"))]
    .filter((ns) => !SYSTEM_NAMESPACES.has(ns))
    .sort();
  const out: LintFinding[] = [];
  for (const ns of namespaces) {
    const labels = { ...(ctx.namespaces.get(ns) ?? {}), "kubernetes.io/metadata.name": ns };
    for (const dir of ["ingress", "egress"] as const) {
      const covered = ctx.set.layers.some((l) =>
        l.policies.some((p) => isNamespaceWide(l, p, ns, labels, dir)),
      );
      if (covered) continue;
      const nsRes = ctx.resources.find((r) => r.kind === "Namespace" && r.metadata.name === ns);
      const first = podWorkloads(ctx).find((w) => (w.namespace ?? "default") === ns);
      const location = nsRes?.location ?? sourceLocation(first?.source) ?? { file: ctx.inputFile };
      out.push(
        finding(
          "no-default-deny",
          `namespace ${ns} has no default-deny policy for ${dir}: pods no policy selects ${dir === "ingress" ? "accept connections from" : "may connect to"} anything`,
          location,
          `namespace ${ns}`,
        ),
      );
    }
  }
  return out;
}

/** `file:line` → a location. */
export function sourceLocation(source: string | undefined): { file: string; line?: number } | undefined {
  if (!source) return undefined;
  const m = /^(.*):(\d+)$/.exec(source);
  return m ? { file: m[1], line: Number(m[2]) } : { file: source };
}

/** Policies that select no workload of a namespace that has workloads. */
export function checkSelectsNothing(ctx: LintContext): LintFinding[] {
  const pods = podWorkloads(ctx);
  if (pods.length === 0) return [];
  const ev = ctx.evaluator();
  const selected = new Set<Policy>();
  const nsWithPods = new Set(pods.map((w) => w.namespace ?? "default"));
  for (const w of pods) {
    const e = podEndpoint(w, ctx.namespaces.get(w.namespace ?? "default"));
    for (const dir of ["ingress", "egress"] as const)
      for (const layer of ev.selecting(e, dir)) for (const cp of layer) selected.add(cp.policy);
  }
  const out: LintFinding[] = [];
  for (const l of ctx.set.layers)
    for (const p of l.policies) {
      if (selected.has(p) || p.directions.length === 0) continue;
      const ns = p.subject.namespaces;
      if (ns.kind === "names" && !ns.names.some((n) => nsWithPods.has(n))) continue;
      out.push(
        finding(
          "policy-selects-nothing",
          `${policyName(p)} selects no workload of the input (subject ${JSON.stringify(p.subject)})`,
          p.origin.file ? { file: p.origin.file, line: p.origin.line } : {},
          policyName(p),
        ),
      );
    }
  return out;
}

/** Pod peers whose selectors match no workload in namespaces the input has. */
export function checkPeersSelectNothing(ctx: LintContext): LintFinding[] {
  const pods = podWorkloads(ctx);
  if (pods.length === 0) return [];
  const nsWithPods = new Set(pods.map((w) => w.namespace ?? "default"));
  const out: LintFinding[] = [];
  for (const [p, r, i] of allRules(ctx)) {
    if (r.action !== "allow") continue;
    for (const peer of r.peers) {
      if (peer.kind !== "pods" || isEmptySelector(peer.pods)) continue;
      if (peer.namespaces.kind === "names" && !peer.namespaces.names.some((n) => nsWithPods.has(n))) continue;
      const match = podPeerMatcher(peer);
      const labelsOf = (ns: string) => ({
        ...(ctx.namespaces.get(ns) ?? {}),
        "kubernetes.io/metadata.name": ns,
      });
      const namespacesSeen = [...nsWithPods].filter((ns) => nsMatches(peer.namespaces, ns, labelsOf(ns)));
      if (namespacesSeen.length === 0) continue;
      const any = pods.some((w) =>
        match(w.namespace ?? "default", labelsOf(w.namespace ?? "default"), w.labels),
      );
      if (!any)
        out.push(
          finding(
            "peer-selects-nothing",
            `${r.direction} rule #${i} of ${policyName(p)}: peer ${JSON.stringify(peer.pods)} matches no workload in ${namespacesSeen.join(", ")}`,
            ruleLocation(p, r),
            policyName(p),
          ),
        );
    }
  }
  return out;
}

const subjectKey = (p: Policy) => JSON.stringify([p.subject, p.namespace ?? ""]);

/** Rules covered by another rule of the same subject (union layers), or by an earlier one (first-match). */
export function checkRedundantRules(ctx: LintContext): LintFinding[] {
  const out: LintFinding[] = [];
  for (const layer of ctx.set.layers) {
    const groups = new Map<string, Policy[]>();
    for (const p of layer.policies) groups.set(subjectKey(p), [...(groups.get(subjectKey(p)) ?? []), p]);
    for (const group of groups.values()) {
      const rules = group.flatMap((p) => {
        const n = { ingress: 0, egress: 0 };
        return p.rules.map((r) => ({ p, r, i: n[r.direction]++ }));
      });
      if (layer.combining === "first-match") rules.sort((a, b) => (a.p.priority ?? 0) - (b.p.priority ?? 0));
      rules.forEach((b, bi) => {
        const earlier = layer.combining === "first-match";
        const coverer = rules.find((a, ai) => {
          if (ai === bi || (earlier && ai > bi)) return false;
          if (!earlier && a.r.action !== b.r.action) return false;
          if (!ruleCovers(a.r, b.r)) return false;
          // two identical rules cover each other: report the later one only
          return !(ruleCovers(b.r, a.r) && ai > bi);
        });
        if (!coverer) return;
        const what = `${b.r.direction} rule #${b.i} of ${policyName(b.p)}`;
        const at = ruleLocation(coverer.p, coverer.r);
        const where = at.file ? ` (${at.file}${at.line !== undefined ? `:${at.line}` : ""})` : "";
        const by = `${coverer.r.direction} rule #${coverer.i} of ${policyName(coverer.p)}${where}`;
        if (earlier && coverer.r.action !== b.r.action)
          out.push(
            finding(
              "shadowed-rule",
              `${what} (${b.r.action}) can never match: ${by} (${coverer.r.action}) comes first and covers it`,
              ruleLocation(b.p, b.r),
              policyName(b.p),
            ),
          );
        else
          out.push(
            finding(
              "redundant-rule",
              `${what} is redundant: ${by} already covers every connection it matches`,
              ruleLocation(b.p, b.r),
              policyName(b.p),
            ),
          );
      });
    }
  }
  return out;
}

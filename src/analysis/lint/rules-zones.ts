/**
 * Lint rules that need zones and reach: data reachable from public, management reachable from
 * non-bastions, other zone-matrix crossings, data workloads without L7 rules where the target has
 * them, and segmentation without monitoring.
 */
import { type Endpoint, ipEndpoint, podEndpoint } from "../../eval/endpoint.js";
import { PROTOCOLS } from "../../model/ports.js";
import type { Location } from "../../model/problems.js";
import type { Workload } from "../../model/workload.js";
import { sourceLocation } from "./rules-coverage.js";
import { finding } from "./rules-structure.js";
import type { LintContext, LintFinding } from "./types.js";

const OUTSIDE = "outside";

function pods(ctx: LintContext): Map<string, Workload> {
  return new Map(
    ctx.workloads.filter((w) => w.kind === "pod-owner" || w.kind === "vm").map((w) => [w.id, w]),
  );
}

/** Where to point for "this connection is permitted": the destination's deciding ingress rule, else the workload. */
function permitLocation(ctx: LintContext, src: Endpoint, dst: Workload): Location {
  const ev = ctx.evaluator();
  const d = podEndpoint(dst, ctx.namespaces.get(dst.namespace ?? "default"));
  const conns = ev.allowedConns(src, d);
  for (const p of PROTOCOLS) {
    const r = conns.ports(p).ranges[0];
    if (!r) continue;
    const v = ev.evaluate({ src, dst: d, protocol: p, port: r.from });
    const rule = v.ingress.rules.find((o) => o.file);
    if (rule) return { file: rule.file, ...(rule.line !== undefined ? { line: rule.line } : {}) };
  }
  return sourceLocation(dst.source) ?? { file: ctx.inputFile };
}

/** Sources (workload ids or `outside`) that the policies let reach each destination. */
function sourcesByDst(ctx: LintContext): Map<string, string[]> {
  const g = ctx.permitted();
  const out = new Map<string, string[]>();
  for (const [src, m] of g.edges) for (const dst of m.keys()) out.set(dst, [...(out.get(dst) ?? []), src]);
  for (const dst of g.fromOutside.keys()) out.set(dst, [...(out.get(dst) ?? []), OUTSIDE]);
  return out;
}

type ZoneRuleId = "data-reachable-from-public" | "management-reachable-from-non-bastion" | "zone-crossing";

function classify(ctx: LintContext, src: string, dst: string): ZoneRuleId | undefined {
  const z = ctx.zoning;
  const dz = z.zoneOf(dst);
  const sz = src === OUTSIDE ? "outside" : z.zoneOf(src);
  const bastion = src !== OUTSIDE && (z.byId.get(src)?.bastion ?? false);
  const answer = z.matrix.check({ zone: sz, bastion }, { zone: dz });
  if (answer.allowed) return undefined;
  if (dz === "data" && (sz === "public" || sz === "outside")) return "data-reachable-from-public";
  if (dz === "management") return "management-reachable-from-non-bastion";
  return "zone-crossing";
}

/** Permitted flows the zone matrix forbids, one finding per destination and rule. */
export function checkZoneReach(ctx: LintContext): LintFinding[] {
  const workloads = pods(ctx);
  const out: LintFinding[] = [];
  for (const [dst, sources] of [...sourcesByDst(ctx)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const w = workloads.get(dst);
    if (!w) continue;
    const byRule = new Map<ZoneRuleId, string[]>();
    for (const s of sources.sort()) {
      const id = classify(ctx, s, dst);
      if (id) byRule.set(id, [...(byRule.get(id) ?? []), s]);
    }
    for (const [id, list] of byRule) {
      const first = list[0];
      const srcEndpoint: Endpoint =
        first === OUTSIDE
          ? ipEndpoint((ctx.permitted().outsideRanges?.get(dst)?.[0] ?? "0.0.0.0-").split("-")[0])!
          : podEndpoint(
              workloads.get(first)!,
              ctx.namespaces.get(workloads.get(first)!.namespace ?? "default"),
            );
      const named = list.map((s) => (s === OUTSIDE ? "outside addresses" : `${s} (${ctx.zoning.zoneOf(s)})`));
      out.push(
        finding(
          id,
          `${dst} (zone ${ctx.zoning.zoneOf(dst)}) can be reached from ${named.join(", ")}`,
          permitLocation(ctx, srcEndpoint, w),
          dst,
        ),
      );
    }
  }
  return out;
}

const L7_KEYS = ["http", "kafka", "l7proto", "dns"];

function rawHasL7(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(rawHasL7);
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  if (o.rules && typeof o.rules === "object" && L7_KEYS.some((k) => k in (o.rules as object))) return true;
  return Object.values(o).some(rawHasL7);
}

/** Data or classified workloads admitted by L7-capable policies (Cilium, Istio) without L7 rules. */
export function checkDataWithoutL7(ctx: LintContext): LintFinding[] {
  const capable = ctx.set.layers.filter((l) => l.stage === "cilium" || l.stage === "istio-allow");
  if (!capable.some((l) => l.policies.some((p) => p.kind !== "NetworkPolicy"))) return [];
  const ev = ctx.evaluator();
  const out: LintFinding[] = [];
  for (const w of pods(ctx).values()) {
    const a = ctx.zoning.byId.get(w.id);
    if (!a || (a.zone !== "data" && a.dataClasses.length === 0)) continue;
    const e = podEndpoint(w, ctx.namespaces.get(w.namespace ?? "default"));
    const selecting = ev
      .selecting(e, "ingress")
      .flat()
      .map((cp) => cp.policy)
      .filter(
        (p) =>
          p.kind !== "NetworkPolicy" && (p.kind.startsWith("Cilium") || p.kind === "AuthorizationPolicy"),
      );
    const allows = selecting.filter((p) =>
      p.rules.some((r) => r.direction === "ingress" && r.action === "allow"),
    );
    if (allows.length === 0) continue;
    const withL7 = allows.some((p) => {
      if (p.rules.some((r) => r.http?.length)) return true;
      const res = ctx.resources.find(
        (x) =>
          x.kind === p.kind &&
          x.metadata.name === p.name &&
          (x.metadata.namespace ?? "default") === (p.namespace ?? "default"),
      );
      return res ? rawHasL7(res.raw.spec ?? res.raw.specs) : false;
    });
    if (withL7) continue;
    const why = a.zone === "data" ? `zone data (${a.reason})` : `holds ${a.dataClasses.join(", ")}`;
    out.push(
      finding(
        "data-without-l7",
        `${w.id} (${why}) is admitted by ${allows.map((p) => `${p.kind} ${p.namespace ?? ""}/${p.name}`).join(", ")} without any L7 rule`,
        allows[0].origin.file
          ? { file: allows[0].origin.file, line: allows[0].origin.line }
          : (sourceLocation(w.source) ?? {}),
        w.id,
      ),
    );
  }
  return out;
}

/** No flow source configured. */
export function checkMonitoring(ctx: LintContext): LintFinding[] {
  if ((ctx.config?.flowSources ?? []).length > 0) return [];
  // about the configuration, not about any manifest: located at --config when given, else nowhere
  return [
    finding(
      "no-flow-monitoring",
      ctx.configFile
        ? "the configuration lists no flowSources: nobody watches the traffic these policies deny"
        : "no configuration with flowSources was given (--config): nobody watches the traffic these policies deny",
      ctx.configFile ? { file: ctx.configFile } : {},
    ),
  ];
}

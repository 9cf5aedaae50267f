/**
 * Lint rules that read policies and objects on their own: allow-all peers, broad or pod-address
 * ipBlocks, DNS egress to anywhere, missing policyTypes, duplicate names, the obsolete namespace
 * isolation annotation.
 */
import { IpSet, parseCidr, parseIp } from "../../model/ipset.js";
import type { Location } from "../../model/problems.js";
import type { Policy, Rule } from "../../policy/ir/types.js";
import { lintRule } from "./catalogue.js";
import { explicitPorts, ipBlockSet, isAllowAllPeer } from "./peers.js";
import type { LintContext, LintFinding } from "./types.js";

/** `NetworkPolicy default/frontend`. */
export function policyName(p: Policy): string {
  return `${p.kind} ${p.namespace !== undefined ? `${p.namespace}/` : ""}${p.name}`;
}

/** Where a rule is (its origin, else its policy). */
export function ruleLocation(p: Policy, r: Rule): Location {
  const file = r.origin.file ?? p.origin.file;
  const line = r.origin.line ?? p.origin.line;
  return { ...(file ? { file } : {}), ...(line !== undefined ? { line } : {}) };
}

/** A finding with the rule's default severity. */
export function finding(ruleId: string, message: string, location: Location, subject?: string): LintFinding {
  return { ruleId, severity: lintRule(ruleId).severity, message, location, ...(subject ? { subject } : {}) };
}

/** Every (policy, rule) pair of the set. */
export function* allRules(ctx: LintContext): Generator<[Policy, Rule, number]> {
  for (const l of ctx.set.layers)
    for (const p of l.policies) {
      const count = { ingress: 0, egress: 0 };
      for (const r of p.rules) yield [p, r, count[r.direction]++];
    }
}

const ruleText = (p: Policy, r: Rule, i: number) => `${r.direction} rule #${i} of ${policyName(p)}`;

/** Allow rules whose peers admit everyone. */
export function checkAllowAllPeers(ctx: LintContext): LintFinding[] {
  const out: LintFinding[] = [];
  for (const [p, r, i] of allRules(ctx)) {
    if (r.action !== "allow") continue;
    const all = r.peers.map(isAllowAllPeer).find((x) => x !== undefined);
    if (!all) continue;
    const ports = r.ports === "any" ? "on every port" : "on its ports";
    const verb = r.direction === "ingress" ? "admits" : "allows traffic to";
    out.push(
      finding(
        "allow-all-peer",
        `${ruleText(p, r, i)} ${verb} ${all} ${ports}`,
        ruleLocation(p, r),
        policyName(p),
      ),
    );
  }
  return out;
}

const PRIVATE = IpSet.fromCidrs(
  ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"].map((c) => parseCidr(c)!),
);

function knownPodAddresses(ctx: LintContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of ctx.workloads) for (const a of w.addresses ?? []) out.set(a, w.id);
  return out;
}

/** ipBlocks that cover pod addresses or broad private ranges. */
export function checkIpBlocks(ctx: LintContext): LintFinding[] {
  const out: LintFinding[] = [];
  const pods = knownPodAddresses(ctx);
  for (const [p, r, i] of allRules(ctx)) {
    if (r.action !== "allow") continue;
    for (const peer of r.peers) {
      const set = ipBlockSet(peer);
      if (!set || peer.kind !== "ipblock" || isAllowAllPeer(peer)) continue;
      const hit = [...pods].find(([ip]) => {
        const a = parseIp(ip);
        return a !== undefined && set.has(a);
      });
      const where = ruleLocation(p, r);
      if (hit) {
        out.push(
          finding(
            "ip-peer-for-pod",
            `${ruleText(p, r, i)} names ${peer.cidr}, which holds the address ${hit[0]} of pod ${hit[1]}`,
            where,
            policyName(p),
          ),
        );
        continue;
      }
      const prefix = Number(peer.cidr.split("/")[1]);
      const isV6 = peer.cidr.includes(":");
      const inPrivate = !set.intersect(PRIVATE).isEmpty();
      if (inPrivate && ((!isV6 && prefix <= 16) || (isV6 && prefix <= 64)))
        out.push(
          finding(
            "broad-cidr-in-cluster",
            `${ruleText(p, r, i)} admits ${peer.cidr}, a broad private range where pods and nodes live`,
            where,
            policyName(p),
          ),
        );
      else if (inPrivate && ((!isV6 && prefix === 32) || (isV6 && prefix === 128)))
        out.push(
          finding(
            "ip-peer-for-pod",
            `${ruleText(p, r, i)} names the single private address ${peer.cidr}: if it is a pod, select it by labels`,
            where,
            policyName(p),
          ),
        );
    }
  }
  return out;
}

/** Egress rules allowing port 53 to every destination. */
export function checkDnsEgress(ctx: LintContext): LintFinding[] {
  const out: LintFinding[] = [];
  for (const [p, r, i] of allRules(ctx)) {
    if (r.action !== "allow" || r.direction !== "egress" || !explicitPorts(r.ports).includes(53)) continue;
    const all = r.peers.map(isAllowAllPeer).find((x) => x !== undefined);
    if (all)
      out.push(
        finding(
          "dns-egress-anywhere",
          `${ruleText(p, r, i)} allows DNS (port 53) to ${all}`,
          ruleLocation(p, r),
          policyName(p),
        ),
      );
  }
  return out;
}

/**
 * NetworkPolicies without policyTypes and without egress rules: egress stays open. An empty
 * `egress: []` counts as no egress rules: defaulting adds Egress only for a non-empty list
 * (docs/semantics.md), so it too leaves egress open, probably not what its author meant.
 */
export function checkPolicyTypes(ctx: LintContext): LintFinding[] {
  const out: LintFinding[] = [];
  for (const res of ctx.resources) {
    if (res.kind !== "NetworkPolicy" || !res.apiVersion.startsWith("networking.k8s.io/")) continue;
    const spec = (res.raw.spec ?? {}) as Record<string, unknown>;
    const hasEgressRules = Array.isArray(spec.egress) && spec.egress.length > 0;
    if (spec.policyTypes !== undefined || hasEgressRules) continue;
    const line = res.lineAt?.(["spec"]) ?? res.location.line;
    out.push(
      finding(
        "missing-policy-types",
        `NetworkPolicy ${res.metadata.namespace ?? "default"}/${res.metadata.name} has no policyTypes and ${Array.isArray(spec.egress) ? "an empty egress list" : "no egress rules"}: only Ingress is enforced, egress of its pods stays open`,
        { ...res.location, ...(line !== undefined ? { line } : {}) },
        `NetworkPolicy ${res.metadata.namespace ?? "default"}/${res.metadata.name}`,
      ),
    );
  }
  return out;
}

/** Objects of the same kind, namespace and name. */
export function checkDuplicateNames(ctx: LintContext): LintFinding[] {
  const seen = new Map<string, Location>();
  const out: LintFinding[] = [];
  for (const res of ctx.resources) {
    // the API group tells apart kinds of the same name (Gateway API's Gateway and Istio's)
    const group = res.apiVersion.includes("/") ? res.apiVersion.split("/")[0] : "core";
    const k = `${res.kind} ${res.metadata.namespace ? `${res.metadata.namespace}/` : ""}${res.metadata.name}`;
    const first = seen.get(`${group} ${k}`);
    if (!first) {
      seen.set(`${group} ${k}`, res.location);
      continue;
    }
    out.push(
      finding(
        "duplicate-name",
        `${k} is defined again (first at ${first.file}:${first.line})`,
        res.location,
        k,
      ),
    );
  }
  return out;
}

const BETA_ANNOTATION = "net.beta.kubernetes.io/network-policy";

/** Namespaces isolated by the pre-v1 annotation only. */
export function checkBetaAnnotation(ctx: LintContext): LintFinding[] {
  return ctx.resources
    .filter((r) => r.kind === "Namespace" && r.metadata.annotations?.[BETA_ANNOTATION] !== undefined)
    .map((r) => {
      const line = r.lineAt?.(["metadata", "annotations", BETA_ANNOTATION]) ?? r.location.line;
      return finding(
        "obsolete-isolation-annotation",
        `Namespace ${r.metadata.name} asks for isolation with the ${BETA_ANNOTATION} annotation, which networking.k8s.io/v1 ignores`,
        { ...r.location, ...(line !== undefined ? { line } : {}) },
        `Namespace ${r.metadata.name}`,
      );
    });
}

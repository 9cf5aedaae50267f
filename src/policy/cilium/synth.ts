/**
 * The generated Kubernetes IR + the map → a Cilium IR: the same units, peers and ports, plus what
 * only Cilium can say: HTTP methods and path regexes on rules whose edges carried HTTP, entities
 * (world, host, remote-node, kube-apiserver) where the map shows them, and `toFQDNs` for the
 * external names a workload looked up — always with `rules.dns` on the DNS egress rule, without
 * which Cilium's DNS proxy never learns the names and FQDN rules match nothing.
 */
import { templateToRegex } from "../../graph/http-template.js";
import type { L7Summary } from "../../graph/l7.js";
import type { Edge } from "../../model/map.js";
import type { HttpMatch, Peer, Policy, PolicySet, PortMatch, Rule, RuleEvidence } from "../ir/types.js";
import { mergeEvidence, NODE_EGRESS_COMMENT } from "../synth/synthesize.js";
import { emptyCiliumPolicySet } from "./parse.js";

/** The Cilium IR and notes. */
export interface CiliumSynthResult {
  set: PolicySet;
  notes: string[];
}

const ENTITY_PEERS = new Set(["host", "remote-node", "kube-apiserver", "world", "health", "ingress"]);

function ruleHttp(rule: Rule, edges: Map<string, Edge>): HttpMatch[] | undefined {
  const entries = new Map<string, HttpMatch>();
  for (const k of rule.evidence?.edges ?? []) {
    const e = edges.get(k);
    if (!e?.http?.length) return undefined;
    for (const h of e.http)
      entries.set(`${h.method} ${h.path}`, {
        method: h.method,
        methodKind: "regex",
        path: templateToRegex(h.path),
        pathKind: "regex",
      });
  }
  if (entries.size === 0) return undefined;
  return [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, m]) => m);
}

/** Entity edges of a unit's members, as rules (the Kubernetes synthesis cannot express them). */
function entityRules(p: Policy, members: Set<string>, map: L7Summary["map"]): Rule[] {
  const byKey = new Map<
    string,
    { dir: "ingress" | "egress"; entity: string; ports: Map<string, PortMatch>; evidence: RuleEvidence }
  >();
  for (const e of map.edges) {
    const dir =
      members.has(e.dst) && e.src.startsWith("entity:")
        ? "ingress"
        : members.has(e.src) && e.dst.startsWith("entity:")
          ? "egress"
          : undefined;
    if (!dir) continue;
    const entity = (dir === "ingress" ? e.src : e.dst).slice("entity:".length);
    if (!ENTITY_PEERS.has(entity) || entity === "world") continue; // world is kept as the k8s CIDR rule
    const k = `${dir}|${entity}`;
    const b = byKey.get(k) ?? { dir, entity, ports: new Map<string, PortMatch>(), evidence: {} };
    byKey.set(k, b);
    for (const port of e.ports)
      b.ports.set(`${port.protocol}/${port.port}`, { protocol: port.protocol, port: port.port });
    mergeEvidence(b.evidence, e);
  }
  return [...byKey.values()].map((b, i) => ({
    direction: b.dir,
    action: "allow",
    peers: [{ kind: "entity", entity: b.entity }],
    ports: [...b.ports.values()].sort((x, y) =>
      x.protocol < y.protocol ? -1 : x.protocol > y.protocol ? 1 : Number(x.port) - Number(y.port),
    ),
    origin: {
      policyKind: "CiliumNetworkPolicy",
      policyName: p.name,
      namespace: p.namespace,
      ruleIndex: 1000 + i,
      direction: b.dir,
    },
    evidence: { ...b.evidence, edges: [...new Set(b.evidence.edges)].sort() },
  }));
}

/** FQDN egress for the names the unit's members queried, on the ports they used towards outside peers. */
function fqdnRule(p: Policy, members: Set<string>, l7: L7Summary): Rule | undefined {
  const names = new Set<string>();
  for (const m of members) for (const n of l7.externalNames.get(m) ?? []) names.add(n);
  if (names.size === 0) return undefined;
  const ports = new Map<string, PortMatch>();
  for (const e of l7.map.edges)
    if (
      members.has(e.src) &&
      (e.dst.startsWith("cidr:") || e.dst.startsWith("external:") || e.dst === "entity:world")
    )
      for (const port of e.ports)
        ports.set(`${port.protocol}/${port.port}`, { protocol: port.protocol, port: port.port });
  if (ports.size === 0) return undefined;
  return {
    direction: "egress",
    action: "allow",
    peers: [{ kind: "fqdn", patterns: [...names].sort() }],
    ports: [...ports.values()].sort((x, y) => Number(x.port) - Number(y.port)),
    origin: {
      policyKind: "CiliumNetworkPolicy",
      policyName: p.name,
      namespace: p.namespace,
      ruleIndex: 2000,
      direction: "egress",
    },
    evidence: { inferredFrom: ["DNS queries of the workload (Hubble DNS records)"] },
  };
}

function toCilium(p: Policy): Policy {
  return {
    ...p,
    kind: "CiliumNetworkPolicy",
    rules: p.rules.map((r) => ({ ...r, origin: { ...r.origin, policyKind: "CiliumNetworkPolicy" } })),
  };
}

/** Builds the Cilium IR from the generated Kubernetes IR, its units and the L7 summary of the map. */
export function synthesizeCilium(
  k8s: PolicySet,
  units: { namespace: string; name: string; members: string[] }[],
  l7: L7Summary,
): CiliumSynthResult {
  const notes: string[] = [];
  const set = emptyCiliumPolicySet();
  const edges = new Map(l7.map.edges.map((e) => [`${e.src} -> ${e.dst}`, e]));
  const np = k8s.layers.find((l) => l.stage === "k8s-np")?.policies ?? [];
  for (const p of np) {
    const c = toCilium(p);
    if (p.name === "allow-dns-egress") c.rules = c.rules.map((r) => ({ ...r, dns: [{ matchPattern: "*" }] }));
    else if (p.name !== "default-deny") {
      const members = new Set(
        units.find((u) => u.namespace === p.namespace && u.name === p.name)?.members ?? [],
      );
      // egress to the node: Cilium selects it as the host entity (CIDR rules never match the host)
      c.rules = c.rules.filter((r) => !r.comments?.includes(NODE_EGRESS_COMMENT));
      c.rules = c.rules.map((r) => {
        const http = r.peers.some((x: Peer) => x.kind === "pods") ? ruleHttp(r, edges) : undefined;
        return http ? { ...r, http } : r;
      });
      c.rules.push(...entityRules(p, members, l7.map));
      const fq = fqdnRule(p, members, l7);
      if (fq) c.rules.push(fq);
    }
    set.layers[0].policies.push(c);
  }
  for (const w of l7.widenings)
    notes.push(`${w.src} -> ${w.dst}: ${w.templates} ${w.method} path templates widened to ${w.prefix}`);
  return { set, notes };
}

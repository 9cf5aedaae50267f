/**
 * Differential property test with the cluster-scoped tiers: the engine (parser → IR → compiled
 * stage machine) agrees with the reference evaluator on random clusters mixing
 * AdminNetworkPolicies (distinct priorities; Allow / Deny / Pass; namespace and pod subjects and
 * peers; `networks` egress peers; portNumber, namedPort and portRange), a
 * BaselineAdminNetworkPolicy (Allow / Deny), and NetworkPolicies (named ports, ipBlocks). Each
 * cluster's class matrix (the grouped all-pairs analysis) must also equal pairwise evaluation.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LabelSelector } from "../model/labels.js";
import { ConnSet, type Protocol } from "../model/ports.js";
import { ProblemSink } from "../model/problems.js";
import type { ContainerPort } from "../model/workload.js";
import { parseK8sPolicies } from "../policy/k8s/parse.js";
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicySpec } from "../policy/k8s/types.js";
import { classMatrix } from "./class-matrix.js";
import { type Endpoint, endpointLabel, ipEndpoint, type PodEndpoint } from "./endpoint.js";
import { createEvaluator, type Evaluator } from "./evaluate.js";
import {
  type RefAdminPeer,
  type RefAdminPolicy,
  type RefAdminPort,
  type RefAdminRule,
  type RefCluster,
  type RefPod,
  referenceAllows,
} from "./reference.js";
import { endpointPicker, resourceOf } from "./test-support.js";

const NAMESPACES = ["ns0", "ns1", "ns2", "ns3"];
const KEYS = ["app", "tier"];
const VALUES = ["a", "b", "c"];
const PORT_NAMES = ["http", "dns", "metrics"];
const PORT_NUMBERS = [53, 80, 443, 8080];
const PROTOCOLS: Protocol[] = ["TCP", "UDP", "SCTP"];
const IPS = ["10.0.0.1", "10.1.2.3", "10.200.0.9", "192.168.1.1", "8.8.8.8"];

function network(ip: string, prefix: number): string {
  const n = ip.split(".").reduce((a, p) => a * 256 + Number(p), 0);
  const size = 2 ** (32 - prefix);
  const base = Math.floor(n / size) * size;
  return `${[base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255].join(".")}/${prefix}`;
}

const labelsArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 });

const selectorArb: fc.Arbitrary<LabelSelector> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc
      .dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { minKeys: 1, maxKeys: 1 })
      .map((matchLabels) => ({ matchLabels })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        key: fc.constantFrom(...KEYS),
        operator: fc.constantFrom("In" as const, "NotIn" as const),
        values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }),
      })
      .map((r) => ({ matchExpressions: [r] })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        key: fc.constantFrom(...KEYS),
        operator: fc.constantFrom("Exists" as const, "DoesNotExist" as const),
      })
      .map((r) => ({ matchExpressions: [r] })),
  },
);

/** Namespace selectors over the `team` label namespaces carry, or by name. */
const nsSelectorArb: fc.Arbitrary<LabelSelector> = fc.oneof(
  fc.constant<LabelSelector>({}),
  fc.constantFrom("x", "y").map((team): LabelSelector => ({ matchLabels: { team } })),
  fc
    .constantFrom(...NAMESPACES)
    .map((n): LabelSelector => ({ matchLabels: { "kubernetes.io/metadata.name": n } })),
  fc.uniqueArray(fc.constantFrom(...NAMESPACES), { minLength: 1, maxLength: 2 }).map(
    (values): LabelSelector => ({
      matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values }],
    }),
  ),
);

const cidrArb = fc
  .record({ ip: fc.constantFrom(...IPS), prefix: fc.constantFrom(0, 8, 16, 24, 32) })
  .map(({ ip, prefix }) => network(ip, prefix));

function adminPeerArb(egress: boolean): fc.Arbitrary<RefAdminPeer> {
  const pods = fc.record({ namespaceSelector: nsSelectorArb, podSelector: selectorArb });
  const base: fc.Arbitrary<RefAdminPeer>[] = [
    nsSelectorArb.map((namespaces) => ({ namespaces })),
    pods.map((p) => ({ pods: p })),
  ];
  if (egress) base.push(fc.array(cidrArb, { minLength: 1, maxLength: 2 }).map((networks) => ({ networks })));
  return fc.oneof(...base);
}

const protoArb = fc.option(fc.constantFrom(...PROTOCOLS), { nil: undefined, freq: 3 });

const adminPortArb: fc.Arbitrary<RefAdminPort> = fc.oneof(
  fc
    .record({ protocol: protoArb, port: fc.constantFrom(...PORT_NUMBERS) })
    .map(({ protocol, port }) => ({ portNumber: protocol ? { protocol, port } : { port } })),
  fc.constantFrom(...PORT_NAMES).map((namedPort) => ({ namedPort })),
  fc
    .record({
      protocol: protoArb,
      start: fc.integer({ min: 1, max: 9000 }),
      len: fc.integer({ min: 1, max: 9000 }),
    })
    .map(({ protocol, start, len }) => {
      const range = { start, end: Math.min(65535, start + len) };
      return { portRange: protocol ? { protocol, ...range } : range };
    }),
);

function adminRuleArb(egress: boolean, baseline: boolean): fc.Arbitrary<RefAdminRule> {
  const actions: RefAdminRule["action"][] = baseline
    ? ["Allow", "Deny", "Deny"]
    : ["Allow", "Deny", "Deny", "Pass"];
  return fc
    .record({
      action: fc.constantFrom(...actions),
      peers: fc.array(adminPeerArb(egress), { minLength: 1, maxLength: 2 }),
      ports: fc.option(fc.array(adminPortArb, { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 2 }),
    })
    .map(({ action, peers, ports }) => {
      const rule: RefAdminRule = { action, ...(egress ? { to: peers } : { from: peers }) };
      if (ports) rule.ports = ports;
      return rule;
    });
}

const subjectArb = fc.oneof(
  nsSelectorArb.map((namespaces) => ({ namespaces })),
  fc.record({ namespaceSelector: nsSelectorArb, podSelector: selectorArb }).map((pods) => ({ pods })),
);

function adminSpecArb(baseline: boolean) {
  return fc.record({
    subject: subjectArb,
    ingress: fc.option(fc.array(adminRuleArb(false, baseline), { minLength: 1, maxLength: 3 }), {
      nil: undefined,
    }),
    egress: fc.option(fc.array(adminRuleArb(true, baseline), { minLength: 1, maxLength: 3 }), {
      nil: undefined,
    }),
  });
}

/** Up to three ANPs with distinct priorities ("the behavior is undefined" for equal ones), an optional BANP. */
const adminArb: fc.Arbitrary<RefAdminPolicy[]> = fc
  .record({
    anps: fc.array(adminSpecArb(false), { minLength: 1, maxLength: 3 }),
    priorities: fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 3, maxLength: 3 }),
    banp: fc.option(adminSpecArb(true), { nil: undefined, freq: 4 }),
  })
  .map(({ anps, priorities, banp }) => {
    const out: RefAdminPolicy[] = anps.map((spec, i) => ({
      kind: "AdminNetworkPolicy",
      metadata: { name: `anp${i}` },
      spec: clean({ priority: priorities[i], ...spec }),
    }));
    if (banp)
      out.push({ kind: "BaselineAdminNetworkPolicy", metadata: { name: "default" }, spec: clean(banp) });
    return out;
  });

function clean<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

const npPeerArb: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
  selectorArb.map((podSelector) => ({ podSelector })),
  fc.record({ podSelector: selectorArb, namespaceSelector: nsSelectorArb }),
  cidrArb.map((cidr) => ({ ipBlock: { cidr } })),
);

const npPortArb = fc
  .record({
    protocol: protoArb,
    port: fc.oneof(fc.constantFrom(...PORT_NUMBERS), fc.constantFrom(...PORT_NAMES)),
  })
  .map(({ protocol, port }) => (protocol ? { protocol, port } : { port }));

const npRuleArb = fc.record(
  {
    peers: fc.array(npPeerArb, { minLength: 1, maxLength: 2 }),
    ports: fc.array(npPortArb, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const npSpecArb: fc.Arbitrary<NetworkPolicySpec> = fc
  .record({
    podSelector: selectorArb,
    types: fc.constantFrom(["Ingress"], ["Egress"], ["Ingress", "Egress"]),
    ingress: fc.array(npRuleArb, { maxLength: 2 }),
    egress: fc.array(npRuleArb, { maxLength: 2 }),
  })
  .map(({ podSelector, types, ingress, egress }) =>
    clean({
      podSelector,
      policyTypes: [...types] as NetworkPolicySpec["policyTypes"],
      ingress: ingress.map((r) => ({ from: r.peers, ports: r.ports })),
      // a named port towards an ipBlock is rejected by the parser (it lives on the destination pod)
      egress: egress.map((r) => ({
        to: r.peers,
        ports: r.peers?.some((p) => p.ipBlock) ? r.ports?.filter((p) => typeof p.port !== "string") : r.ports,
      })),
    }),
  );

const containerPortsArb: fc.Arbitrary<ContainerPort[]> = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom(...PORT_NAMES),
      port: fc.constantFrom(...PORT_NUMBERS),
      protocol: fc.constantFrom(...PROTOCOLS),
    }),
    { selector: (p) => p.name, maxLength: 3 },
  )
  .map((ps) => ps.map((p) => ({ ...p })));

const clusterArb = fc.record({
  teams: fc.array(fc.constantFrom("x", "y", undefined), { minLength: 4, maxLength: 4 }),
  pods: fc.array(
    fc.record({ namespace: fc.constantFrom(...NAMESPACES), labels: labelsArb, ports: containerPortsArb }),
    { minLength: 2, maxLength: 6 },
  ),
  admin: adminArb,
  policies: fc.array(fc.record({ ns: fc.constantFrom(...NAMESPACES), spec: npSpecArb }), {
    minLength: 1,
    maxLength: 3,
  }),
  conns: fc.array(
    fc.record({
      src: fc.oneof(fc.nat(20), fc.constantFrom(...IPS)),
      dst: fc.oneof(fc.nat(20), fc.constantFrom(...IPS)),
      protocol: fc.constantFrom(...PROTOCOLS),
      port: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...PORT_NUMBERS) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 20000 }) },
      ),
    }),
    { minLength: 6, maxLength: 16 },
  ),
});

type Cluster = typeof clusterArb extends fc.Arbitrary<infer T> ? T : never;

interface Tally {
  clusters: number;
  checks: number;
  allowed: number;
  /** Checks where an ANP or BANP selected one side (the tiers were exercised). */
  adminSelected: number;
}

function checkCluster(c: Cluster, tally: Tally): void {
  const namespaces: RefCluster["namespaces"] = {};
  NAMESPACES.forEach((n, i) => {
    const team = c.teams[i];
    namespaces[n] = { "kubernetes.io/metadata.name": n, ...(team && { team }) };
  });
  const policies: NetworkPolicy[] = c.policies.map((p, i) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `np${i}`, namespace: p.ns },
    spec: p.spec,
  }));
  const raw = [
    ...policies,
    ...c.admin.map((a) => ({ apiVersion: "policy.networking.k8s.io/v1alpha1", ...a })),
  ] as unknown as Record<string, unknown>[];
  const sink = new ProblemSink();
  const set = parseK8sPolicies(
    raw.map((r) => resourceOf(r)),
    sink,
  );
  expect(sink.items).toEqual([]);
  const engine = createEvaluator(set);
  const cluster: RefCluster = { namespaces, policies, admin: c.admin };
  const refPods: RefPod[] = c.pods.map((p, i) => ({ ...p, name: `pod${i}` }));
  const pick = endpointPicker(refPods, namespaces);
  tally.clusters++;
  checkMatrix(
    engine,
    refPods.map((p) => pick(refPods.indexOf(p))[1] as PodEndpoint),
  );
  for (const conn of c.conns) {
    if (typeof conn.src === "string" && typeof conn.dst === "string") continue;
    const [rs, es] = pick(conn.src);
    const [rd, ed] = pick(conn.dst);
    const want = referenceAllows(cluster, rs, rd, conn.protocol, conn.port);
    const verdict = engine.evaluate({ src: es, dst: ed, protocol: conn.protocol, port: conn.port });
    const label = `${JSON.stringify(conn)} in ${JSON.stringify(raw)} pods ${JSON.stringify(refPods)}`;
    expect(verdict.allowed, `evaluate: ${label}`).toBe(want);
    expect(engine.allowedConns(es, ed).has(conn.protocol, conn.port), `allowedConns: ${label}`).toBe(want);
    tally.checks++;
    if (want) tally.allowed++;
    const stages = [verdict.egress.stage, verdict.ingress.stage];
    if (stages.includes("k8s-anp") || stages.includes("k8s-banp")) tally.adminSelected++;
  }
}

/** The class matrix (grouped all-pairs analysis) equals pairwise `allowedConns` on every cell. */
function checkMatrix(engine: Evaluator, pods: PodEndpoint[]): void {
  const ips = IPS.map((x) => ipEndpoint(x)!);
  const m = classMatrix({ evaluator: engine, pods, sources: ips, destinations: ips });
  const cells = (t: Int32Array, n: number, w: number) => {
    const grid: ConnSet[] = Array.from({ length: n * w }, () => ConnSet.NONE);
    for (let i = 0; i < t.length; i += 3) grid[t[i] * w + t[i + 1]] = m.conns[t[i + 2]];
    return grid;
  };
  const p2p = cells(m.podToPod, pods.length, pods.length);
  const s2p = cells(m.sourceToPod, ips.length, pods.length);
  const p2d = cells(m.podToDestination, pods.length, ips.length);
  const bad: string[] = [];
  const same = (got: ConnSet, src: Endpoint, dst: Endpoint) => {
    if (!got.equals(engine.allowedConns(src, dst)))
      bad.push(`${endpointLabel(src)} -> ${endpointLabel(dst)}`);
  };
  pods.forEach((a, i) => {
    pods.forEach((b, j) => {
      same(p2p[i * pods.length + j], a, b);
    });
    ips.forEach((x, j) => {
      same(s2p[j * pods.length + i], x, a);
      same(p2d[i * ips.length + j], a, x);
    });
  });
  expect(bad, "class matrix vs allowedConns").toEqual([]);
}

describe("engine vs reference evaluator with AdminNetworkPolicy and BaselineAdminNetworkPolicy", () => {
  it("agree on random clusters mixing the three tiers", () => {
    const tally: Tally = { clusters: 0, checks: 0, allowed: 0, adminSelected: 0 };
    fc.assert(
      fc.property(clusterArb, (c) => checkCluster(c, tally)),
      { seed: 20250301, numRuns: 1200 },
    );
    console.log(
      `differential[admin]: ${tally.clusters} clusters, ${tally.checks} connections, ${tally.allowed} allowed, ${tally.adminSelected} decided by ANP/BANP`,
    );
    expect(tally.clusters).toBe(1200);
    // Both outcomes and the admin tiers must be common, or the test proves little.
    expect(tally.allowed / tally.checks).toBeGreaterThan(0.25);
    expect(tally.allowed / tally.checks).toBeLessThan(0.75);
    expect(tally.adminSelected / tally.checks).toBeGreaterThan(0.15);
  });
});

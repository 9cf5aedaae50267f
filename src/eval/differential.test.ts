/**
 * Differential property test: the engine (parser → IR → compiled stage machine) agrees with the
 * reference evaluator (spec-shaped, on the NetworkPolicy objects) on random clusters.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LabelRequirement, LabelSelector } from "../model/labels.js";
import type { Protocol } from "../model/ports.js";
import { ProblemSink } from "../model/problems.js";
import type { ContainerPort } from "../model/workload.js";
import { parseK8sPolicies } from "../policy/k8s/parse.js";
import type {
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
  PolicyType,
} from "../policy/k8s/types.js";
import { createEvaluator } from "./evaluate.js";
import { type RefCluster, type RefPod, referenceAllows } from "./reference.js";
import { endpointPicker, resourceOf } from "./test-support.js";

const NAMESPACES = ["ns0", "ns1", "ns2"];
const KEYS = ["app", "tier", "team"];
const VALUES = ["a", "b", "c"];
const PORT_NAMES = ["http", "dns", "metrics"];
const PORT_NUMBERS = [53, 80, 8080, 9090];
const PROTOCOLS: Protocol[] = ["TCP", "UDP", "SCTP"];
const IPS = [
  "10.0.0.1",
  "10.1.2.3",
  "10.1.3.4",
  "10.200.0.9",
  "192.168.1.1",
  "8.8.8.8",
  "0.0.0.0",
  "255.255.255.255",
];

const labelsArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 });

const requirementArb: fc.Arbitrary<LabelRequirement> = fc.oneof(
  fc.record({
    key: fc.constantFrom(...KEYS),
    operator: fc.constantFrom("In" as const, "NotIn" as const),
    values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    key: fc.constantFrom(...KEYS),
    operator: fc.constantFrom("Exists" as const, "DoesNotExist" as const),
  }),
);

const selectorArb: fc.Arbitrary<LabelSelector> = fc.record(
  {
    matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 }),
    matchExpressions: fc.array(requirementArb, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

function network(ip: string, prefix: number): string {
  const n = ip.split(".").reduce((a, p) => a * 256 + Number(p), 0);
  const size = 2 ** (32 - prefix);
  const base = Math.floor(n / size) * size;
  return `${[base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255].join(".")}/${prefix}`;
}

function inside(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  return network(ip, Number(bits)) === `${base}/${bits}`;
}

const ipBlockArb = fc
  .record({
    ip: fc.constantFrom(...IPS),
    prefix: fc.constantFrom(0, 8, 16, 24, 32),
    except: fc.array(fc.record({ ip: fc.constantFrom(...IPS), prefix: fc.constantFrom(8, 16, 24, 32) }), {
      maxLength: 2,
    }),
    withExcept: fc.boolean(),
  })
  .map(({ ip, prefix, except, withExcept }) => {
    const cidr = network(ip, prefix);
    const ex = except
      .filter((e) => e.prefix > prefix && inside(e.ip, cidr))
      .map((e) => network(e.ip, e.prefix));
    return withExcept ? { cidr, except: ex } : { cidr };
  });

const peerArb: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
  selectorArb.map((podSelector) => ({ podSelector })),
  selectorArb.map((namespaceSelector) => ({ namespaceSelector })),
  fc.record({ podSelector: selectorArb, namespaceSelector: selectorArb }),
  ipBlockArb.map((ipBlock) => ({ ipBlock })),
);

const portArb: fc.Arbitrary<NetworkPolicyPort> = fc
  .record(
    {
      protocol: fc.constantFrom(...PROTOCOLS),
      port: fc.oneof(
        fc.constantFrom(...PORT_NUMBERS),
        fc.integer({ min: 1, max: 65535 }),
        fc.constantFrom(...PORT_NAMES),
      ),
      range: fc.integer({ min: 0, max: 9000 }),
    },
    { requiredKeys: ["range"] },
  )
  .map(({ protocol, port, range }) => {
    const out: NetworkPolicyPort = {};
    if (protocol) out.protocol = protocol;
    if (port !== undefined) out.port = port;
    if (typeof port === "number" && range > 4500) out.endPort = Math.min(65535, port + range - 4500);
    return out;
  });

/** Absent, empty, or a short list: the three cases the spec tells apart. */
function listArb<T>(item: fc.Arbitrary<T>, max: number): fc.Arbitrary<T[] | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant([] as T[]),
    fc.array(item, { minLength: 1, maxLength: max }),
  );
}

const policyTypesArb: fc.Arbitrary<PolicyType[] | undefined> = fc.constantFrom(
  undefined,
  [],
  ["Ingress"],
  ["Egress"],
  ["Ingress", "Egress"],
);

const specArb: fc.Arbitrary<NetworkPolicySpec> = fc
  .record({
    podSelector: fc.option(selectorArb, { nil: undefined, freq: 2 }),
    policyTypes: policyTypesArb,
    ingress: listArb(fc.record({ from: listArb(peerArb, 3), ports: listArb(portArb, 3) }), 2),
    egress: listArb(fc.record({ to: listArb(peerArb, 3), ports: listArb(portArb, 3) }), 2),
  })
  .map((s) => JSON.parse(JSON.stringify(s)) as NetworkPolicySpec)
  .map(withoutNamedPortsToIpBlocks);

/**
 * The parser rejects an egress rule that names a port towards an ipBlock (a named port lives on
 * the destination pod); such rules keep only their numeric ports here.
 */
function withoutNamedPortsToIpBlocks(spec: NetworkPolicySpec): NetworkPolicySpec {
  for (const r of spec.egress ?? [])
    if (r.to?.some((p) => p.ipBlock) && r.ports) r.ports = r.ports.filter((p) => typeof p.port !== "string");
  return spec;
}

const policiesArb = fc.array(fc.record({ ns: fc.constantFrom(...NAMESPACES), spec: specArb }), {
  minLength: 1,
  maxLength: 6,
});

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

const podsArb = fc.array(
  fc.record({ namespace: fc.constantFrom(...NAMESPACES), labels: labelsArb, ports: containerPortsArb }),
  { minLength: 1, maxLength: 6 },
);

const nsLabelsArb = fc.tuple(labelsArb, labelsArb, labelsArb);

const connArb = fc.record({
  src: fc.oneof(fc.nat(20), fc.constantFrom(...IPS)),
  dst: fc.oneof(fc.nat(20), fc.constantFrom(...IPS)),
  protocol: fc.constantFrom(...PROTOCOLS),
  port: fc.oneof(fc.constantFrom(...PORT_NUMBERS), fc.integer({ min: 1, max: 65535 })),
});

const clusterArb = fc.record({
  nsLabels: nsLabelsArb,
  pods: podsArb,
  policies: policiesArb,
  conns: fc.array(connArb, { minLength: 4, maxLength: 16 }),
});

interface Tally {
  clusters: number;
  checks: number;
  allowed: number;
}

type Cluster = typeof clusterArb extends fc.Arbitrary<infer T> ? T : never;

function checkCluster(c: Cluster, tally: Tally): void {
  const namespaces: RefCluster["namespaces"] = {};
  NAMESPACES.forEach((n, i) => {
    namespaces[n] = { ...c.nsLabels[i], "kubernetes.io/metadata.name": n };
  });
  const policies: NetworkPolicy[] = c.policies.map((p, i) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `p${i}`, namespace: p.ns },
    spec: p.spec,
  }));
  const sink = new ProblemSink();
  const set = parseK8sPolicies(
    policies.map((p) => resourceOf(p as unknown as Record<string, unknown>)),
    sink,
  );
  expect(sink.items).toEqual([]);
  const engine = createEvaluator(set);
  const refPods: RefPod[] = c.pods.map((p, i) => ({ ...p, name: `pod${i}` }));
  const pick = endpointPicker(refPods, namespaces);
  tally.clusters++;
  for (const conn of c.conns) {
    if (typeof conn.src === "string" && typeof conn.dst === "string") continue;
    const [rs, es] = pick(conn.src);
    const [rd, ed] = pick(conn.dst);
    const want = referenceAllows({ namespaces, policies }, rs, rd, conn.protocol, conn.port);
    const verdict = engine.evaluate({ src: es, dst: ed, protocol: conn.protocol, port: conn.port });
    const label = `${JSON.stringify(conn)} in ${JSON.stringify(policies)}`;
    expect(verdict.allowed, `evaluate: ${label}`).toBe(want);
    expect(engine.allowedConns(es, ed).has(conn.protocol, conn.port), `allowedConns: ${label}`).toBe(want);
    tally.checks++;
    if (want) tally.allowed++;
  }
}

describe("engine vs reference evaluator", () => {
  it("agree on random clusters, policies and connections", () => {
    const tally: Tally = { clusters: 0, checks: 0, allowed: 0 };
    fc.assert(
      fc.property(clusterArb, (c) => checkCluster(c, tally)),
      { seed: 20240611, numRuns: 1500 },
    );
    console.log(
      `differential: ${tally.clusters} clusters, ${tally.checks} connections, ${tally.allowed} allowed`,
    );
    // Both outcomes must be common, or the test proves little.
    expect(tally.allowed / tally.checks).toBeGreaterThan(0.25);
    expect(tally.allowed / tally.checks).toBeLessThan(0.75);
  });
});

import { describe, expect, it } from "vitest";
import { netpol, resourceOf } from "../../eval/test-support.js";
import { ProblemSink } from "../../model/problems.js";
import { findLayer } from "../ir/types.js";
import { parseK8sPolicies } from "./parse.js";

function problemsOf(spec: Record<string, unknown>) {
  const sink = new ProblemSink();
  const set = parseK8sPolicies([netpol("ns1", "bad", spec, 7)], sink);
  expect(findLayer(set, "k8s-np")?.policies).toEqual([]);
  return sink.items.map((p) => `${p.code} ${p.location?.file}:${p.location?.line} ${p.location?.path}`);
}

describe("parseK8sPolicies validation", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "bad CIDR",
      { ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.300/8" } }] }] },
      "cidr-invalid policies.yaml:7 spec.ingress[0].from[0].ipBlock.cidr",
    ],
    [
      "except outside the CIDR",
      { egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["11.0.0.0/8"] } }] }] },
      "cidr-invalid policies.yaml:7 spec.egress[0].to[0].ipBlock.except[0]",
    ],
    [
      "port out of range",
      { ingress: [{ ports: [{ port: 70000 }] }] },
      "port-invalid policies.yaml:7 spec.ingress[0].ports[0].port",
    ],
    [
      "endPort without a port",
      { ingress: [{ ports: [{ endPort: 90 }] }] },
      "port-invalid policies.yaml:7 spec.ingress[0].ports[0].endPort",
    ],
    [
      "endPort with a named port",
      { ingress: [{ ports: [{ port: "http", endPort: 90 }] }] },
      "port-invalid policies.yaml:7 spec.ingress[0].ports[0].endPort",
    ],
    [
      "endPort below port",
      { ingress: [{ ports: [{ port: 100, endPort: 90 }] }] },
      "port-invalid policies.yaml:7 spec.ingress[0].ports[0].endPort",
    ],
    [
      "unknown protocol",
      { ingress: [{ ports: [{ protocol: "ICMP" }] }] },
      "resource-invalid policies.yaml:7 spec.ingress[0].ports[0].protocol",
    ],
    [
      "unknown selector operator",
      { podSelector: { matchExpressions: [{ key: "a", operator: "Has" }] } },
      "selector-invalid policies.yaml:7 spec.podSelector.matchExpressions[0].operator",
    ],
    [
      "In without values",
      { ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "a", operator: "In" }] } }] }] },
      "selector-invalid policies.yaml:7 spec.ingress[0].from[0].podSelector",
    ],
    [
      "ipBlock with a selector",
      { ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }] },
      "resource-invalid policies.yaml:7 spec.ingress[0].from[0]",
    ],
    [
      "unknown policy type",
      { policyTypes: ["Both"] },
      "resource-invalid policies.yaml:7 spec.policyTypes[0]",
    ],
    [
      "bad port name",
      { ingress: [{ ports: [{ port: "HTTP_1" }] }] },
      "port-invalid policies.yaml:7 spec.ingress[0].ports[0].port",
    ],
  ];
  for (const [name, spec, expected] of cases)
    it(`reports ${name}`, () => {
      expect(problemsOf(spec)).toEqual([expected]);
    });

  it("lowers a valid policy with defaults and origins", () => {
    const sink = new ProblemSink();
    const set = parseK8sPolicies(
      [
        netpol(
          "ns1",
          "p",
          {
            podSelector: { matchLabels: { app: "a" } },
            ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: {} }], ports: [{ port: 80 }] }],
            egress: [{ to: [], ports: [] }],
          },
          3,
        ),
      ],
      sink,
    );
    expect(sink.items).toEqual([]);
    const [p] = findLayer(set, "k8s-np")!.policies;
    expect(p.directions).toEqual(["ingress", "egress"]);
    expect(p.rules[0]).toMatchObject({
      direction: "ingress",
      action: "allow",
      peers: [
        { kind: "pods", namespaces: { kind: "names", names: ["ns1"] }, pods: {} },
        { kind: "pods", namespaces: { kind: "selector", selector: {} }, pods: {} },
      ],
      ports: [{ protocol: "TCP", port: 80 }],
      origin: { policyName: "p", namespace: "ns1", file: "policies.yaml", line: 3, ruleIndex: 0 },
    });
    expect(p.rules[1]).toMatchObject({ direction: "egress", peers: [{ kind: "any" }], ports: "any" });
  });
});

describe("parseK8sPolicies: AdminNetworkPolicy / BaselineAdminNetworkPolicy v1alpha1", () => {
  const anp = (kind: string, name: string, spec: Record<string, unknown>) =>
    resourceOf(
      { apiVersion: "policy.networking.k8s.io/v1alpha1", kind, metadata: { name }, spec },
      "anp.yaml",
      4,
    );

  it("lowers priority, subject, actions, peers and the three port forms", () => {
    const sink = new ProblemSink();
    const set = parseK8sPolicies(
      [
        anp("AdminNetworkPolicy", "a", {
          priority: 5,
          subject: { namespaces: { matchLabels: { team: "x" } } },
          egress: [
            {
              name: "r",
              action: "Pass",
              to: [
                { networks: ["10.0.0.0/8"] },
                { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "db" } } } },
              ],
              ports: [
                { namedPort: "http" },
                { portRange: { start: 1000, end: 2000, protocol: "UDP" } },
                { portNumber: { port: 53 } },
              ],
            },
          ],
        }),
        anp("BaselineAdminNetworkPolicy", "default", {
          subject: { pods: { namespaceSelector: {}, podSelector: {} } },
          ingress: [{ action: "Deny", from: [{ namespaces: {} }] }],
        }),
      ],
      sink,
    );
    expect(sink.items).toEqual([]);
    const [a] = findLayer(set, "k8s-anp")!.policies;
    expect(a).toMatchObject({
      priority: 5,
      directions: ["egress"],
      subject: { namespaces: { kind: "selector" } },
    });
    expect(a.rules[0]).toMatchObject({
      action: "pass",
      name: "r",
      origin: { policyKind: "AdminNetworkPolicy", line: 4 },
    });
    expect(a.rules[0].peers.map((p) => p.kind)).toEqual(["ipblock", "pods"]);
    expect(a.rules[0].ports).toEqual([
      { protocol: "TCP", port: "http" },
      { protocol: "UDP", port: "http" },
      { protocol: "SCTP", port: "http" },
      { protocol: "UDP", port: 1000, endPort: 2000 },
      { protocol: "TCP", port: 53 },
    ]);
    const [b] = findLayer(set, "k8s-banp")!.policies;
    expect(b.rules[0]).toMatchObject({ action: "deny", ports: "any", direction: "ingress" });
  });

  it("rejects a Pass in a baseline, a missing priority, and two subjects", () => {
    const sink = new ProblemSink();
    parseK8sPolicies(
      [
        anp("BaselineAdminNetworkPolicy", "default", {
          subject: { namespaces: {} },
          ingress: [{ action: "Pass", from: [{ namespaces: {} }] }],
        }),
        anp("AdminNetworkPolicy", "x", {
          subject: { namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } },
        }),
      ],
      sink,
    );
    expect(sink.items.map((p) => `${p.code} ${p.location?.path}`)).toEqual([
      "resource-invalid spec.ingress[0].action",
      "resource-invalid spec.priority",
      "resource-invalid spec.subject",
    ]);
  });
});

describe("NetworkPolicy policyTypes defaulting (SetDefaults_NetworkPolicy: Egress iff len(egress) != 0)", () => {
  // a fixed table, not the reference evaluator: spec → the directions in force
  const table: [string, Record<string, unknown>, string[]][] = [
    ["nothing", {}, ["ingress"]],
    ["ingress: []", { ingress: [] }, ["ingress"]],
    ["egress: []", { egress: [] }, ["ingress"]],
    ["egress: null", { egress: null }, ["ingress"]],
    ["ingress: [] and egress: []", { ingress: [], egress: [] }, ["ingress"]],
    ["egress: [{}]", { egress: [{}] }, ["ingress", "egress"]],
    ["policyTypes: [] and egress: [{}]", { policyTypes: [], egress: [{}] }, ["ingress", "egress"]],
    ["policyTypes: [] and egress: []", { policyTypes: [], egress: [] }, ["ingress"]],
    ["policyTypes [Egress] and egress: []", { policyTypes: ["Egress"], egress: [] }, ["egress"]],
    ["policyTypes [Egress] without egress", { policyTypes: ["Egress"] }, ["egress"]],
    ["policyTypes [Ingress] and egress: [{}]", { policyTypes: ["Ingress"], egress: [{}] }, ["ingress"]],
  ];
  for (const [name, spec, directions] of table)
    it(`${name} → ${directions.join("+")}`, () => {
      const sink = new ProblemSink();
      const set = parseK8sPolicies([netpol("ns1", "p", spec)], sink);
      expect(sink.items).toEqual([]);
      const [p] = findLayer(set, "k8s-np")!.policies;
      expect(p.directions).toEqual(directions);
      expect(p.rules.filter((r) => !directions.includes(r.direction))).toEqual([]);
    });
});

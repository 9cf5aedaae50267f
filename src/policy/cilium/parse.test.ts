import { describe, expect, it } from "vitest";
import { createEvaluator } from "../../eval/evaluate.js";
import { explainSide } from "../../eval/explain.js";
import { cport, pod, resourceOf } from "../../eval/test-support.js";
import { ProblemSink } from "../../model/problems.js";
import { parseCiliumPolicies } from "./parse.js";

/** A CiliumNetworkPolicy resource in ns1. */
function cnp(name: string, spec: Record<string, unknown>, line = 1) {
  return resourceOf(
    { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name, namespace: "ns1" }, spec },
    "cnp.yaml",
    line,
  );
}

function parse(...resources: ReturnType<typeof cnp>[]) {
  const sink = new ProblemSink();
  const set = parseCiliumPolicies(resources, sink);
  return { set, problems: sink.items };
}

const server = pod("ns1", "server", { app: "server" }, [cport(80)]);
const client = pod("ns1", "client", { app: "client" });
const other = pod("ns1", "other", { app: "other" });
const serverSel = { matchLabels: { app: "server" } };
const fromClient = { fromEndpoints: [{ matchLabels: { app: "client" } }] };

describe("enableDefaultDeny", () => {
  // fixed table: spec → [directions, enforces (undefined = all directions)]
  const table: [string, Record<string, unknown>, string[], string[] | undefined][] = [
    ["ingress rules, no field", { ingress: [fromClient] }, ["ingress"], undefined],
    ["ingressDeny only", { ingressDeny: [fromClient] }, ["ingress"], undefined],
    [
      "ingress rules, ingress: false",
      { ingress: [fromClient], enableDefaultDeny: { ingress: false } },
      ["ingress"],
      [],
    ],
    [
      "ingress rules, ingress: true",
      { ingress: [fromClient], enableDefaultDeny: { ingress: true } },
      ["ingress"],
      undefined,
    ],
    ["no rules, egress: true", { enableDefaultDeny: { egress: true } }, ["egress"], undefined],
    ["no rules, egress: false", { enableDefaultDeny: { egress: false } }, [], undefined],
    [
      "both directions, egress: false",
      { ingress: [fromClient], egress: [{ toEntities: ["world"] }], enableDefaultDeny: { egress: false } },
      ["ingress", "egress"],
      ["ingress"],
    ],
  ];
  for (const [name, spec, directions, enforces] of table)
    it(`${name} → applies in [${directions}], enforces ${enforces ? `[${enforces}]` : "all"}`, () => {
      const { set, problems } = parse(cnp("p", { endpointSelector: serverSel, ...spec }));
      expect(problems).toEqual([]);
      const [p] = set.layers[0].policies;
      expect(p.directions).toEqual(directions);
      expect(p.enforces).toEqual(enforces);
    });

  const relaxedAllow = cnp("relaxed-allow", {
    endpointSelector: serverSel,
    ingress: [{ ...fromClient, toPorts: [{ ports: [{ port: "80", protocol: "TCP" }] }] }],
    enableDefaultDeny: { ingress: false },
  });
  const relaxedDeny = cnp("relaxed-deny", {
    endpointSelector: serverSel,
    ingressDeny: [
      {
        fromEndpoints: [{ matchLabels: { app: "other" } }],
        toPorts: [{ ports: [{ port: "81", protocol: "TCP" }] }],
      },
    ],
    enableDefaultDeny: { ingress: false },
  });
  const strict = cnp("strict", { endpointSelector: serverSel, ingress: [fromClient] });

  it("a policy with ingress: false leaves unmatched traffic allowed; its deny rules still deny", () => {
    const ev = createEvaluator(parse(relaxedAllow, relaxedDeny).set);
    const ask = (src: typeof client, port: number) =>
      ev.evaluate({ src, dst: server, protocol: "TCP", port }).allowed;
    expect(ask(client, 80)).toBe(true);
    expect(ask(other, 80)).toBe(true);
    expect(ask(other, 81)).toBe(false);
    expect(ask(other, 82)).toBe(true);
    expect(ev.allowedConns(other, server).has("TCP", 81)).toBe(false);
    expect(ev.allowedConns(other, server).has("TCP", 82)).toBe(true);
    expect(ev.allowedConns(other, server).has("UDP", 81)).toBe(true);
  });

  it("default deny is on when any selecting policy requests it, and names only those policies", () => {
    const ev = createEvaluator(parse(relaxedAllow, relaxedDeny, strict).set);
    const v = ev.evaluate({ src: other, dst: server, protocol: "TCP", port: 82 });
    expect(v.allowed).toBe(false);
    expect(v.ingress.policies.map((p) => p.name)).toEqual(["strict"]);
    expect(ev.evaluate({ src: client, dst: server, protocol: "TCP", port: 80 }).allowed).toBe(true);
    expect(ev.allowedConns(other, server).isEmpty()).toBe(true);
  });

  it("explanations agree: unmatched parts of a relaxed policy fall to the default", () => {
    const ev = createEvaluator(parse(relaxedAllow, relaxedDeny).set);
    const parts = explainSide({
      layers: ev.compiled.layers,
      selecting: ev.selecting(server, "ingress"),
      direction: "ingress",
      matches: (r) => r.peer(other),
      dstPorts: server.ports,
    });
    const denied = parts.filter((p) => !p.allowed).map((p) => p.conns.toString());
    expect(denied).toEqual(["TCP 81"]);
    expect(parts.some((p) => p.allowed && p.reasons.some((r) => r.kind === "default"))).toBe(true);
  });
});

describe("a namespaced policy's endpointSelector stays in the policy's namespace", () => {
  const inNs1 = pod("ns1", "a", { app: "a" }, [], { team: "x" });
  const inNs2 = pod("ns2", "a", { app: "a" }, [], { team: "x" });
  const inNs3 = pod("ns3", "a", { app: "a" }, [], { team: "y" });
  const selected = (endpointSelector: Record<string, unknown>) => {
    const { set, problems } = parse(cnp("p", { endpointSelector, ingress: [{}] }));
    const ev = createEvaluator(set);
    const names = [inNs1, inNs2, inNs3]
      .filter((p) => ev.selecting(p, "ingress")[0].length > 0)
      .map((p) => p.namespace);
    return { names, problems: problems.map((p) => `${p.severity} ${p.location?.line}: ${p.message}`) };
  };
  // fixed expectations from Cilium's ParseToCiliumRule: the policy's namespace is always added
  const table: [string, Record<string, unknown>, string[], number][] = [
    ["pod labels only", { matchLabels: { app: "a" } }, ["ns1"], 0],
    [
      "another namespace by name",
      { matchLabels: { "io.kubernetes.pod.namespace": "ns2", app: "a" } },
      ["ns1"],
      1,
    ],
    [
      "k8s:-prefixed namespace name",
      { matchLabels: { "k8s:io.kubernetes.pod.namespace": "ns2" } },
      ["ns1"],
      1,
    ],
    ["its own namespace by name", { matchLabels: { "io.kubernetes.pod.namespace": "ns1" } }, ["ns1"], 0],
    ["a namespace label it has", { matchLabels: { "io.cilium.k8s.namespace.labels.team": "x" } }, ["ns1"], 0],
    ["a namespace label it lacks", { matchLabels: { "io.cilium.k8s.namespace.labels.team": "y" } }, [], 0],
    [
      "namespaces by expression",
      { matchExpressions: [{ key: "io.kubernetes.pod.namespace", operator: "In", values: ["ns2", "ns3"] }] },
      [],
      0,
    ],
  ];
  for (const [name, sel, expected, warnings] of table)
    it(`${name} → ${expected.join(",") || "nothing"}`, () => {
      const r = selected(sel);
      expect(r.names).toEqual(expected);
      expect(r.problems).toHaveLength(warnings);
    });

  it("a clusterwide policy spans namespaces; peers keep their namespace names", () => {
    const sink = new ProblemSink();
    const ccnp = resourceOf(
      {
        apiVersion: "cilium.io/v2",
        kind: "CiliumClusterwideNetworkPolicy",
        metadata: { name: "c" },
        spec: { endpointSelector: { matchLabels: { app: "a" } }, ingress: [{}] },
      },
      "ccnp.yaml",
    );
    const ev = createEvaluator(parseCiliumPolicies([ccnp], sink));
    expect([inNs1, inNs2, inNs3].filter((p) => ev.selecting(p, "ingress")[0].length > 0)).toHaveLength(3);
    const { set } = parse(
      cnp("peer", {
        endpointSelector: {},
        ingress: [{ fromEndpoints: [{ matchLabels: { "io.kubernetes.pod.namespace": "ns2" } }] }],
      }),
    );
    expect(set.layers[0].policies[0].rules[0].peers).toEqual([
      { kind: "pods", namespaces: { kind: "names", names: ["ns2"] }, pods: {} },
    ]);
  });
});

describe("a policy with several specs", () => {
  it("names each spec's policy and its rules' origins alike (name, name#1 …)", () => {
    const res = resourceOf(
      {
        apiVersion: "cilium.io/v2",
        kind: "CiliumNetworkPolicy",
        metadata: { name: "multi", namespace: "ns1" },
        specs: [
          { endpointSelector: serverSel, ingress: [fromClient] },
          { endpointSelector: serverSel, ingress: [{ fromEndpoints: [{ matchLabels: { app: "other" } }] }] },
        ],
      },
      "cnp.yaml",
    );
    const { set, problems } = parse(res);
    expect(problems).toEqual([]);
    const got = set.layers[0].policies.map((p) => [p.name, p.rules.map((r) => r.origin.policyName)]);
    expect(got).toEqual([
      ["multi", ["multi"]],
      ["multi#1", ["multi#1"]],
    ]);
    const v = createEvaluator(set).evaluate({ src: other, dst: server, protocol: "TCP", port: 80 });
    expect(v.ingress.rules.map((o) => `${o.policyName} ${o.ruleIndex}`)).toEqual(["multi#1 0"]);
  });
});

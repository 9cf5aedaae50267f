import { describe, expect, it } from "vitest";
import { NamedConns } from "../../eval/explain-conns.js";
import { ConnSet, PortSet } from "../../model/ports.js";
import type { Peer, PolicySet } from "../../policy/ir/types.js";
import {
  matchesEntireCluster,
  matchesRepresentative,
  representativeName,
  representativePeers,
  selectorKey,
} from "./representatives.js";

const pods = (ns: Peer & { kind: "pods" }) => ns;

function setOf(peers: Peer[]): PolicySet {
  return {
    target: "k8s",
    layers: [
      {
        stage: "k8s-np",
        combining: "union-when-selected",
        policies: [
          {
            kind: "NetworkPolicy",
            name: "p",
            namespace: "hello",
            subject: { namespaces: { kind: "names", names: ["hello"] }, pods: {} },
            directions: ["ingress"],
            rules: [
              {
                direction: "ingress",
                action: "allow",
                peers,
                ports: "any",
                origin: { policyKind: "NetworkPolicy", policyName: "p", ruleIndex: 0, direction: "ingress" },
              },
            ],
            origin: {},
          },
        ],
      },
    ],
  };
}

describe("representative peers", () => {
  it("treats `In` with one value as `=` and ignores order of requirements", () => {
    expect(selectorKey({ matchExpressions: [{ key: "app", operator: "In", values: ["x"] }] })).toBe(
      selectorKey({ matchLabels: { app: "x" } }),
    );
    expect(
      selectorKey({
        matchLabels: { b: "1" },
        matchExpressions: [{ key: "a", operator: "NotIn", values: ["z", "y"] }],
      }),
    ).toBe("a notin (y,z);b=1");
  });

  it("matches structurally: empty or identical selectors only, never an overlapping one", () => {
    const [rep] = representativePeers(
      setOf([
        pods({
          kind: "pods",
          namespaces: { kind: "selector", selector: { matchLabels: { team: "a" } } },
          pods: { matchLabels: { app: "x" } },
        }),
      ]),
      [],
    );
    expect(representativeName(rep)).toBe("[namespace with {team=a}]/[pod with {app=x}]");
    const anyNs = pods({ kind: "pods", namespaces: { kind: "all" }, pods: { matchLabels: { app: "x" } } });
    const narrower = pods({
      kind: "pods",
      namespaces: { kind: "selector", selector: { matchLabels: { team: "a" } } },
      pods: { matchLabels: { app: "x", tier: "web" } },
    });
    expect(matchesRepresentative(anyNs, rep)).toBe(true);
    expect(matchesRepresentative(narrower, rep)).toBe(false);
    expect(matchesEntireCluster(anyNs)).toBe(false);
    expect(
      matchesEntireCluster({ kind: "pods", namespaces: { kind: "selector", selector: {} }, pods: {} }),
    ).toBe(true);
  });

  it("names a policy-namespace peer by its namespace and drops a representative a real pod stands for", () => {
    const peer = pods({
      kind: "pods",
      namespaces: { kind: "names", names: ["hello"] },
      pods: { matchLabels: { app: "x" } },
    });
    const [rep] = representativePeers(setOf([peer]), []);
    expect(representativeName(rep)).toBe("hello/[pod with {app=x}]");
    const real = { labels: { app: "x" }, namespaceLabels: { "kubernetes.io/metadata.name": "hello" } };
    expect(representativePeers(setOf([peer]), [real])).toEqual([]);
    const expr = pods({
      kind: "pods",
      namespaces: { kind: "names", names: ["hello"] },
      pods: { matchExpressions: [{ key: "app", operator: "Exists" }] },
    });
    // selectors with expressions are never dropped
    expect(representativePeers(setOf([expr]), [real]).map(representativeName)).toEqual([
      "hello/[pod with {{Key:app,Operator:Exists,Values:[],}}]",
    ]);
  });
});

describe("named connection sets", () => {
  it("prints names after numbers per protocol, and an every-protocol name without protocol", () => {
    const tcp80 = ConnSet.of([["TCP", PortSet.single(80)]]);
    expect(NamedConns.of(tcp80, ["TCP/http"]).toString()).toBe("TCP 80,http");
    expect(NamedConns.of(ConnSet.NONE, ["SCTP/lp", "TCP/lp", "UDP/lp"]).toString()).toBe(" lp");
    expect(NamedConns.of(ConnSet.NONE).toString()).toBe("No Connections");
  });

  it("keeps a name until a whole protocol or that name is taken away", () => {
    const s = NamedConns.of(ConnSet.NONE, ["TCP/http"]);
    expect(s.subtract(NamedConns.of(ConnSet.of([["TCP", PortSet.single(80)]]))).equals(s)).toBe(true);
    expect(s.subtract(NamedConns.of(ConnSet.of([["TCP", PortSet.ALL]]))).isEmpty()).toBe(true);
    expect(NamedConns.ALL.intersect(s).equals(s)).toBe(true);
  });
});

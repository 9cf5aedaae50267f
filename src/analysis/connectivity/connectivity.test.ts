import { describe, expect, it } from "vitest";
import { netpol } from "../../eval/test-support.js";
import { ProblemSink } from "../../model/problems.js";
import type { Workload } from "../../model/workload.js";
import { parseK8sPolicies } from "../../policy/k8s/parse.js";
import { renderConnlistJson, renderConnlistTxt } from "../../render/connlist.js";
import { analyzeConnectivity } from "./connectivity.js";
import { externalRangeName, externalRanges } from "./ip-ranges.js";

function workload(namespace: string, name: string, labels: Record<string, string>): Workload {
  return { id: `${namespace}/${name}`, kind: "pod-owner", ownerKind: "Deployment", namespace, name, labels };
}

const ns = new Map<string, Record<string, string>>([
  ["a", { "kubernetes.io/metadata.name": "a" }],
  ["b", { "kubernetes.io/metadata.name": "b", team: "b" }],
]);

function run(specs: Record<string, unknown>[], workloads: Workload[]) {
  const sink = new ProblemSink();
  const policies = parseK8sPolicies(
    specs.map((s, i) => netpol("a", `p${i}`, s)),
    sink,
  );
  expect(sink.items).toEqual([]);
  return { policies, pairs: analyzeConnectivity({ workloads, namespaces: ns, policies }) };
}

describe("connectivity", () => {
  it("lists every ordered pair but self pairs, and the whole IPv4 space when no ipBlock", () => {
    const { pairs } = run([], [workload("a", "x", { app: "same" }), workload("a", "y", { app: "same" })]);
    expect(renderConnlistTxt(pairs).split("\n")).toEqual([
      "0.0.0.0-255.255.255.255[External] => a/x[Deployment] : All Connections",
      "0.0.0.0-255.255.255.255[External] => a/y[Deployment] : All Connections",
      "a/x[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
      "a/x[Deployment] => a/y[Deployment] : All Connections",
      "a/y[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
      "a/y[Deployment] => a/x[Deployment] : All Connections",
      "",
    ]);
  });

  it("cuts sources by ingress ipBlocks into atoms printed as ranges; destinations stay whole", () => {
    const { policies } = run(
      [
        {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.10.0.0/16"] } }] }],
        },
      ],
      [],
    );
    expect(externalRanges(policies, "ingress").map(externalRangeName)).toEqual([
      "0.0.0.0-9.255.255.255[External]",
      "10.0.0.0-10.9.255.255[External]",
      "10.10.0.0-10.10.255.255[External]",
      "10.11.0.0-10.255.255.255[External]",
      "11.0.0.0-255.255.255.255[External]",
    ]);
    expect(externalRanges(policies, "egress").map(externalRangeName)).toEqual([
      "0.0.0.0-255.255.255.255[External]",
    ]);
  });

  it("merges adjacent ranges of one atom (two excepts that touch)", () => {
    const { policies } = run(
      [
        {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/9", "10.128.0.0/9"] } }] }],
        },
      ],
      [],
    );
    expect(externalRanges(policies, "ingress").map(externalRangeName)).toEqual([
      "0.0.0.0-9.255.255.255[External]",
      "10.0.0.0-10.255.255.255[External]",
      "11.0.0.0-255.255.255.255[External]",
    ]);
  });

  it("computes exact connection sets per pair and renders json", () => {
    const { pairs } = run(
      [
        {
          podSelector: { matchLabels: { app: "db" } },
          ingress: [
            {
              from: [{ podSelector: { matchLabels: { app: "web" } } }],
              ports: [{ port: 5432 }, { port: 9000, endPort: 9001 }],
            },
            {
              from: [{ namespaceSelector: { matchLabels: { team: "b" } } }],
              ports: [{ protocol: "UDP", port: 53 }],
            },
          ],
        },
      ],
      [
        workload("a", "db", { app: "db" }),
        workload("a", "web", { app: "web" }),
        workload("b", "job", { app: "web" }),
      ],
    );
    const toDb = pairs.filter((p) => p.dst === "a/db[Deployment]");
    expect(JSON.parse(renderConnlistJson(toDb))).toEqual([
      { src: "a/web[Deployment]", dst: "a/db[Deployment]", conn: "TCP 5432,9000-9001" },
      { src: "b/job[Deployment]", dst: "a/db[Deployment]", conn: "UDP 53" },
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { resourceOf } from "../../eval/test-support.js";
import { ProblemSink } from "../../model/problems.js";
import type { Workload } from "../../model/workload.js";
import { parseMultiNetworkPolicies } from "../../policy/k8s/multi-network-policy.js";
import { analyzeConnectivity } from "./connectivity.js";
import { type SecondaryAttachment, secondaryNetworks } from "./secondary-networks.js";

function pod(ns: string, name: string): Workload {
  return {
    id: `${ns}/${name}`,
    kind: "pod-owner",
    ownerKind: "Pod",
    namespace: ns,
    name,
    labels: { app: name },
  };
}

function mnp(ns: string, name: string, policyFor: string | undefined, spec: Record<string, unknown>) {
  const annotations = policyFor === undefined ? {} : { "k8s.v1.cni.cncf.io/policy-for": policyFor };
  return resourceOf({
    apiVersion: "k8s.cni.cncf.io/v1beta1",
    kind: "MultiNetworkPolicy",
    metadata: { name, namespace: ns, annotations },
    spec,
  });
}

const a = pod("ns1", "a");
const b = pod("ns1", "b");
const c = pod("ns2", "c");
const att = (ns: string, name: string, addresses: string[] = []): SecondaryAttachment => ({
  namespace: ns,
  name,
  addresses,
});

function lines(input: Parameters<typeof secondaryNetworks>[0]) {
  const { networks, problems } = secondaryNetworks(input);
  const out: Record<string, string[]> = {};
  for (const n of networks) {
    const names = new Set(n.workloads.map((w) => `${w.namespace}/${w.name}[Pod]`));
    out[n.name] = analyzeConnectivity({ workloads: n.workloads, namespaces: new Map(), policies: n.policies })
      .filter((p) => names.has(p.src) && names.has(p.dst))
      .map((p) => `${p.src} => ${p.dst} : ${p.conns.toString()}`);
  }
  return { out, problems: problems.map((p) => p.message) };
}

describe("secondaryNetworks", () => {
  it("joins NADs of one name across namespaces and applies only the policies for that network", () => {
    const sink = new ProblemSink();
    const policies = parseMultiNetworkPolicies(
      [
        // for net1 (the NAD in ns1 exists): c may reach a on TCP 80 only
        mnp("ns1", "to-a", "net1", {
          podSelector: { matchLabels: { app: "a" } },
          ingress: [
            {
              from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "c" } } }],
              ports: [{ port: 80 }],
            },
          ],
        }),
        // for net2 only: does not touch net1
        mnp("ns1", "deny-b", "ns1/net2", {
          podSelector: { matchLabels: { app: "b" } },
          policyTypes: ["Ingress"],
        }),
      ],
      sink,
    );
    expect(sink.items).toEqual([]);
    const r = lines({
      workloads: [a, b, c],
      attachments: new Map([
        [a.id, [att("ns1", "net1")]],
        [b.id, [att("ns1", "net1"), att("ns1", "net2")]],
        [c.id, [att("ns2", "net1")]],
      ]),
      nads: [
        { namespace: "ns1", name: "net1" },
        { namespace: "ns2", name: "net1" },
        { namespace: "ns1", name: "net2" },
      ],
      policies,
    });
    expect(r.out.net1).toEqual([
      "ns1/a[Pod] => ns1/b[Pod] : All Connections",
      "ns1/a[Pod] => ns2/c[Pod] : All Connections",
      "ns1/b[Pod] => ns2/c[Pod] : All Connections",
      "ns2/c[Pod] => ns1/a[Pod] : TCP 80",
      "ns2/c[Pod] => ns1/b[Pod] : All Connections",
    ]);
    expect(r.out.net2).toEqual([]);
  });

  it("matches ipBlock peers against the members' addresses on that network", () => {
    const policies = parseMultiNetworkPolicies(
      [
        mnp("ns1", "from-block", "net1", {
          podSelector: { matchLabels: { app: "a" } },
          policyTypes: ["Ingress"],
          ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/30", except: ["10.0.0.2/32"] } }] }],
        }),
      ],
      new ProblemSink(),
    );
    const r = lines({
      workloads: [a, b, c],
      attachments: new Map([
        [a.id, [att("ns1", "net1", ["10.0.0.9"])]],
        [b.id, [att("ns1", "net1", ["10.0.0.1"])]],
        [c.id, [att("ns1", "net1", ["10.0.0.2"])]],
      ]),
      nads: [{ namespace: "ns1", name: "net1" }],
      policies,
    });
    expect(r.out.net1.filter((l) => l.includes("=> ns1/a"))).toEqual([
      "ns1/b[Pod] => ns1/a[Pod] : All Connections",
    ]);
  });

  it("ignores attachments to NADs not in the input, with a warning", () => {
    const r = lines({
      workloads: [a],
      attachments: new Map([[a.id, [att("ns1", "missing")]]]),
      nads: [],
      policies: [],
    });
    expect(r.out).toEqual({});
    expect(r.problems).toEqual([
      "ns1/a[Pod] attaches to NetworkAttachmentDefinition ns1/missing, which is not in the input: attachment ignored",
    ]);
  });

  it("a MultiNetworkPolicy without policy-for is an error", () => {
    const sink = new ProblemSink();
    expect(parseMultiNetworkPolicies([mnp("ns1", "x", undefined, { podSelector: {} })], sink)).toEqual([]);
    expect(sink.errors().map((p) => p.location?.path)).toEqual(["metadata.annotations"]);
  });
});

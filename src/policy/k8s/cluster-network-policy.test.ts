/**
 * ClusterNetworkPolicy (v1alpha2): corpus AdminNetworkPolicy/BaselineAdminNetworkPolicy (v1alpha1)
 * inputs are rewritten at run time into the v1alpha2 shape (ANP → tier Admin, BANP → tier Baseline,
 * Allow → Accept, ports → protocols) and must give exactly the connectivity of the originals.
 */
import { describe, expect, it } from "vitest";
import { corpusPath } from "../../../test/helpers/corpus.js";
import { analyzeConnectivity } from "../../analysis/connectivity/connectivity.js";
import { resourceOf } from "../../eval/test-support.js";
import { loadK8sInventory } from "../../inventory/k8s/load.js";
import type { K8sResource } from "../../inventory/types.js";
import { ProblemSink } from "../../model/problems.js";
import { findLayer } from "../ir/types.js";
import { parseK8sPolicies } from "./parse.js";

type Obj = Record<string, unknown>;

function toProtocol(p: Obj): Obj {
  if (p.namedPort !== undefined) return { destinationNamedPort: p.namedPort };
  const num = p.portNumber as Obj | undefined;
  const range = p.portRange as Obj | undefined;
  const proto = String((num ?? range)?.protocol ?? "TCP").toLowerCase();
  return num
    ? { [proto]: { destinationPort: { number: num.port } } }
    : { [proto]: { destinationPort: { range: { start: range!.start, end: range!.end } } } };
}

function toRule(r: Obj, key: "from" | "to"): Obj {
  const out: Obj = { action: r.action === "Allow" ? "Accept" : r.action, [key]: r[key] };
  if (r.name !== undefined) out.name = r.name;
  if (Array.isArray(r.ports)) out.protocols = (r.ports as Obj[]).map(toProtocol);
  return out;
}

/**
 * v1alpha2 forbids named ports next to networks/nodes peers (which have none, so the named port
 * never matched them): such a rule becomes one rule for the pod peers with every port and one for
 * the address peers without the named ports, in that order (same action, disjoint peers).
 */
function toRules(r: Obj, key: "from" | "to"): Obj[] {
  const peers = r[key] as Obj[];
  const ports = (r.ports as Obj[] | undefined) ?? [];
  const address = (p: Obj) => p.networks !== undefined || p.nodes !== undefined;
  if (!ports.some((p) => p.namedPort !== undefined) || !peers.some(address)) return [toRule(r, key)];
  const numbered = ports.filter((p) => p.namedPort === undefined);
  const out = [toRule({ ...r, [key]: peers.filter((p) => !address(p)) }, key)];
  // with only named ports, the address peers matched nothing: no rule for them
  if (numbered.length > 0) out.push(toRule({ ...r, [key]: peers.filter(address), ports: numbered }, key));
  return out.filter((x) => (x[key] as Obj[]).length > 0);
}

/** Rewrites a v1alpha1 ANP/BANP resource as a v1alpha2 ClusterNetworkPolicy (other kinds unchanged). */
function toV1alpha2(res: K8sResource): K8sResource {
  if (res.kind !== "AdminNetworkPolicy" && res.kind !== "BaselineAdminNetworkPolicy") return res;
  const spec = res.raw.spec as Obj;
  const admin = res.kind === "AdminNetworkPolicy";
  return resourceOf({
    apiVersion: "policy.networking.k8s.io/v1alpha2",
    kind: "ClusterNetworkPolicy",
    metadata: { name: `${admin ? "anp" : "banp"}-${res.metadata.name}` },
    spec: {
      tier: admin ? "Admin" : "Baseline",
      priority: admin ? spec.priority : 0,
      subject: spec.subject,
      ...(spec.ingress !== undefined && {
        ingress: (spec.ingress as Obj[]).flatMap((r) => toRules(r, "from")),
      }),
      ...(spec.egress !== undefined && { egress: (spec.egress as Obj[]).flatMap((r) => toRules(r, "to")) }),
    },
  });
}

async function listings(dir: string) {
  const inv = await loadK8sInventory([corpusPath("netpol-analyzer", "tests", dir)]);
  const run = (resources: K8sResource[]) => {
    const sink = new ProblemSink();
    const policies = parseK8sPolicies(resources, sink);
    expect(sink.errors()).toEqual([]);
    const lines = analyzeConnectivity({ workloads: inv.workloads, namespaces: inv.namespaces, policies }).map(
      (p) => `${p.src} => ${p.dst} : ${p.conns.toString()}`,
    );
    return { policies, lines };
  };
  const admin = new Set(["AdminNetworkPolicy", "BaselineAdminNetworkPolicy"]);
  return {
    v1alpha1: run(inv.resources),
    v1alpha2: run(inv.resources.map(toV1alpha2)),
    withoutAdmin: run(inv.resources.filter((r) => !admin.has(r.kind))),
  };
}

describe("ClusterNetworkPolicy v1alpha2 = the v1alpha1 ANP/BANP it rewrites", () => {
  const dirs = [
    "anp_demo", // four ANPs (Allow/Deny/Pass), a BANP and NetworkPolicies
    "anp_test_named_ports_multiple_peers", // namedPort, portRange, networks peers
    "anp_and_banp_using_networks_and_nodes_test", // networks and nodes peers
    "anp_banp_blog_demo_2", // portRange with protocols, Pass to NetworkPolicy
    "anp_with_np_and_banp_pass_test", // Pass through NetworkPolicy to the baseline
    "anp_test_multiple_anps", // ten ANPs ordered by priority
  ];
  for (const dir of dirs)
    it(dir, async () => {
      const { v1alpha1, v1alpha2, withoutAdmin } = await listings(dir);
      const kinds = v1alpha2.policies.layers.flatMap((l) => l.policies.map((p) => p.kind));
      expect(kinds).toContain("ClusterNetworkPolicy");
      expect(kinds).not.toContain("AdminNetworkPolicy");
      expect(v1alpha1.lines).not.toEqual(withoutAdmin.lines); // the admin policies matter here
      expect(v1alpha2.lines).toEqual(v1alpha1.lines);
    });
});

describe("readClusterNetworkPolicy validation", () => {
  const cnp = (spec: Obj) =>
    resourceOf({
      apiVersion: "policy.networking.k8s.io/v1alpha2",
      kind: "ClusterNetworkPolicy",
      metadata: { name: "x" },
      spec,
    });
  const base = { tier: "Admin", priority: 5, subject: { namespaces: {} } };
  const cases: [string, Obj, string][] = [
    ["unknown tier", { ...base, tier: "Developer" }, "spec.tier"],
    ["priority out of range", { ...base, priority: 1001 }, "spec.priority"],
    [
      "v1alpha1 action",
      { ...base, ingress: [{ action: "Allow", from: [{ namespaces: {} }] }] },
      "spec.ingress[0].action",
    ],
    [
      "range with start = end",
      {
        ...base,
        egress: [
          {
            action: "Deny",
            to: [{ namespaces: {} }],
            protocols: [{ tcp: { destinationPort: { range: { start: 80, end: 80 } } } }],
          },
        ],
      },
      "spec.egress[0].protocols[0].tcp.destinationPort.range",
    ],
    [
      "named port with a networks peer",
      {
        ...base,
        egress: [
          {
            action: "Deny",
            to: [{ networks: ["10.0.0.0/8"] }],
            protocols: [{ destinationNamedPort: "http" }],
          },
        ],
      },
      "spec.egress[0].protocols",
    ],
    [
      "two protocols in one entry",
      {
        ...base,
        egress: [
          {
            action: "Deny",
            to: [{ namespaces: {} }],
            protocols: [{ tcp: { destinationPort: { number: 1 } }, udp: { destinationPort: { number: 1 } } }],
          },
        ],
      },
      "spec.egress[0].protocols[0]",
    ],
  ];
  for (const [name, spec, path] of cases)
    it(name, () => {
      const sink = new ProblemSink();
      const set = parseK8sPolicies([cnp(spec)], sink);
      expect(findLayer(set, "k8s-anp")?.policies).toEqual([]);
      expect(sink.errors().map((p) => p.location?.path)).toEqual([path]);
    });

  it("lowers tiers, priorities, actions, protocols and domain names", () => {
    const sink = new ProblemSink();
    const set = parseK8sPolicies(
      [
        cnp({
          tier: "Baseline",
          priority: 3,
          subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "a" } } } },
          egress: [
            {
              name: "dns",
              action: "Accept",
              to: [{ domainNames: ["*.example.com"] }],
              protocols: [{ udp: { destinationPort: { number: 53 } } }],
            },
            {
              action: "Pass",
              to: [{ pods: { namespaceSelector: {}, podSelector: {} } }],
              protocols: [{ destinationNamedPort: "web" }],
            },
          ],
        }),
      ],
      sink,
    );
    expect(sink.items).toEqual([]);
    const p = findLayer(set, "k8s-banp")!.policies[0];
    expect({ kind: p.kind, priority: p.priority, directions: p.directions }).toEqual({
      kind: "ClusterNetworkPolicy",
      priority: 3,
      directions: ["egress"],
    });
    expect(p.rules.map((r) => [r.action, r.name, r.peers[0].kind, r.ports])).toEqual([
      ["allow", "dns", "fqdn", [{ protocol: "UDP", port: 53 }]],
      ["pass", undefined, "pods", ["TCP", "UDP", "SCTP"].map((protocol) => ({ protocol, port: "web" }))],
    ]);
  });
});

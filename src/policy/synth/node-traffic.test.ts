import { describe, expect, it } from "vitest";
import { type ReplayItem, replay } from "../../analysis/replay/replay.js";
import { createEvaluator } from "../../eval/evaluate.js";
import { learnL7 } from "../../graph/l7.js";
import { IdentityResolver } from "../../identity/resolve.js";
import type { Flow } from "../../model/flow.js";
import type { CommunicationMap, MapWorkload } from "../../model/map.js";
import type { Workload } from "../../model/workload.js";
import { synthesizeCilium } from "../cilium/synth.js";
import { findLayer } from "../ir/types.js";
import { emitK8sPolicies } from "../k8s/emit.js";
import { synthesizePolicies } from "./synthesize.js";

const prom: MapWorkload = {
  id: "mon/prometheus",
  kind: "pod-owner",
  namespace: "mon",
  name: "prometheus",
  labels: { app: "prometheus" },
};
const host = (addresses?: string[]): MapWorkload => ({
  id: "entity:host",
  kind: "entity",
  name: "host",
  labels: {},
  ...(addresses ? { addresses } : {}),
});

function nodeMap(addresses?: string[]): CommunicationMap {
  return {
    schemaVersion: 1,
    workloads: [prom, host(addresses)],
    edges: [
      {
        src: "mon/prometheus",
        dst: "entity:host",
        ports: [{ protocol: "TCP", port: 10250 }],
        flows: 10,
        provenance: "observed",
      },
      {
        src: "entity:host",
        dst: "mon/prometheus",
        ports: [{ protocol: "TCP", port: 9090 }],
        flows: 4,
        provenance: "observed",
      },
    ],
  };
}

const item = (src: Workload, dst: Workload, port: number, ip: { srcIp?: string; dstIp?: string }) =>
  ({ src, dst, protocol: "TCP", port, count: 1, ...ip }) as ReplayItem;

describe("node traffic: discover", () => {
  it("records the addresses the host entity was seen at", () => {
    const r = new IdentityResolver();
    const flow = (ip: string) =>
      ({
        src: { ip: "10.244.0.5", identity: { namespace: "mon", podName: "prometheus-0" } },
        dst: { ip, port: 10250, identity: { entity: "host" } },
        protocol: "TCP",
      }) as unknown as Flow;
    r.learn(flow("10.0.0.2"));
    r.learn(flow("10.0.0.1"));
    expect(r.workload("entity:host").addresses).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(r.workload("entity:world").addresses).toBeUndefined();
  });
});

describe("node traffic: generate", () => {
  it("allows egress to the node by the node addresses seen, with a comment, and writes no rule for ingress from it", () => {
    const r = synthesizePolicies(nodeMap(["10.0.0.1", "10.0.0.2"]));
    const p = findLayer(r.set, "k8s-np")!.policies.find((x) => x.name === "prometheus")!;
    const egress = p.rules.filter((x) => x.direction === "egress");
    expect(egress.map((x) => x.peers)).toEqual([
      [
        { kind: "ipblock", cidr: "10.0.0.1/32", except: [] },
        { kind: "ipblock", cidr: "10.0.0.2/32", except: [] },
      ],
    ]);
    expect(egress[0].ports).toEqual([{ protocol: "TCP", port: 10250 }]);
    expect(p.rules.filter((x) => x.direction === "ingress")).toEqual([]);
    const yaml = emitK8sPolicies(r.set).find((o) => o.file === "mon/prometheus.yaml")!;
    expect(yaml.comments.find((c) => c.path.join(".") === "spec.egress.0")?.text).toContain(
      "egress to the node (entity:host)",
    );
    expect(r.warnings).toEqual([]);
  });

  it("warns when the data has no address for the node (no rule can allow it)", () => {
    const r = synthesizePolicies(nodeMap());
    const p = findLayer(r.set, "k8s-np")!.policies.find((x) => x.name === "prometheus")!;
    expect(p.rules).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^mon\/prometheus -> entity:host \(TCP\/10250\): the data has no address/);
  });

  it("Cilium: egress to the node is toEntities host, not CIDRs", () => {
    const map = nodeMap(["10.0.0.1"]);
    const k8s = synthesizePolicies(map);
    const c = synthesizeCilium(k8s.set, k8s.units, learnL7(map));
    const p = c.set.layers[0].policies.find((x) => x.name === "prometheus")!;
    const egress = p.rules.filter((x) => x.direction === "egress");
    expect(egress.map((x) => x.peers)).toEqual([[{ kind: "entity", entity: "host" }]]);
  });
});

describe("node traffic: verify", () => {
  const w = prom as Workload;
  const h = host(["10.0.0.1"]) as Workload;

  it("denies egress to the node when no rule allows it, and allows it through an ipBlock of its address", async () => {
    const without = synthesizePolicies(nodeMap()).set;
    const denied = await replay([item(w, h, 10250, { dstIp: "10.0.0.1" })], createEvaluator(without), {
      hostAlwaysAllowed: true,
    });
    expect(denied.summary.denied).toBe(1);
    expect(denied.denied[0].deniedBy).toBe("egress");
    const withRule = synthesizePolicies(nodeMap(["10.0.0.1"])).set;
    const ok = await replay([item(w, h, 10250, { dstIp: "10.0.0.1" })], createEvaluator(withRule), {
      hostAlwaysAllowed: true,
    });
    expect(ok.summary.denied).toBe(0);
    // another node's address is not covered
    const other = await replay([item(w, h, 10250, { dstIp: "10.0.0.9" })], createEvaluator(withRule), {
      hostAlwaysAllowed: true,
    });
    expect(other.summary.denied).toBe(1);
  });

  it("always allows ingress from the node", async () => {
    const set = synthesizePolicies(nodeMap(["10.0.0.1"])).set;
    const r = await replay([item(h, w, 9090, { srcIp: "10.0.0.1" })], createEvaluator(set), {
      hostAlwaysAllowed: true,
    });
    expect(r.summary).toMatchObject({ allowed: 1, denied: 0 });
  });

  it("Cilium: a CIDR rule does not select the host, toEntities host does, and host requests count as using it", async () => {
    const map = nodeMap(["10.0.0.1"]);
    const k8s = synthesizePolicies(map);
    const cilium = synthesizeCilium(k8s.set, k8s.units, learnL7(map)).set;
    const ok = await replay(
      [item(w, h, 10250, { dstIp: "10.0.0.1" }), item(h, w, 9090, { srcIp: "10.0.0.1" })],
      createEvaluator(cilium),
      { hostAlwaysAllowed: true },
    );
    expect(ok.summary.denied).toBe(0);
    expect(ok.unused?.filter((u) => u.policy.endsWith("/prometheus"))).toEqual([]);
    // the k8s ipBlock rule, moved into a Cilium layer, does not match the host
    const asCilium = structuredClone(cilium);
    const p = asCilium.layers[0].policies.find((x) => x.name === "prometheus")!;
    p.rules = p.rules.map((r) =>
      r.direction === "egress" ? { ...r, peers: [{ kind: "ipblock", cidr: "10.0.0.1/32", except: [] }] } : r,
    );
    const denied = await replay([item(w, h, 10250, { dstIp: "10.0.0.1" })], createEvaluator(asCilium), {
      hostAlwaysAllowed: true,
    });
    expect(denied.summary.denied).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { replay } from "../../analysis/replay/replay.js";
import { createEvaluator } from "../../eval/evaluate.js";
import type { CommunicationMap } from "../../model/map.js";
import type { Workload } from "../../model/workload.js";
import { findLayer } from "../ir/types.js";
import { synthesizePolicies } from "./synthesize.js";

const web: Workload = {
  id: "shop/web",
  kind: "pod-owner",
  namespace: "shop",
  name: "web",
  labels: { app: "web" },
};
const to = (ip: string, ports: number[], flows: number) => ({
  src: "shop/web",
  dst: `cidr:${ip}/32`,
  ports: ports.map((port) => ({ protocol: "TCP" as const, port })),
  flows,
  provenance: "observed" as const,
});
const map: CommunicationMap = {
  schemaVersion: 1,
  workloads: [web],
  edges: [to("198.51.100.1", [443], 2), to("198.51.100.2", [443], 3), to("203.0.113.9", [80, 443], 4)],
};

describe("outside peers with different port sets", () => {
  const set = synthesizePolicies(map).set;
  const egress = findLayer(set, "k8s-np")!.policies.find((p) => p.name === "web")!.rules;

  it("get one rule per port set, each allowing exactly the addresses seen on it", () => {
    expect(
      egress.map((r) => ({
        peers: r.peers.map((p) => (p.kind === "ipblock" ? p.cidr : p.kind)),
        ports: r.ports,
        flows: r.evidence?.flows,
      })),
    ).toEqual([
      { peers: ["198.51.100.1/32", "198.51.100.2/32"], ports: [{ protocol: "TCP", port: 443 }], flows: 5 },
      {
        peers: ["203.0.113.9/32"],
        ports: [
          { protocol: "TCP", port: 80 },
          { protocol: "TCP", port: 443 },
        ],
        flows: 4,
      },
    ]);
  });

  it("so an address is not allowed on a port only another address used", async () => {
    const peer = (ip: string): Workload => ({ id: `cidr:${ip}/32`, kind: "external", name: ip, labels: {} });
    const r = await replay(
      [
        { src: web, dst: peer("198.51.100.1"), protocol: "TCP", port: 80, count: 1 },
        { src: web, dst: peer("203.0.113.9"), protocol: "TCP", port: 80, count: 1 },
      ],
      createEvaluator(set),
    );
    expect(r.denied.map((d) => `${d.dst} ${d.port}`)).toEqual(["cidr:198.51.100.1/32 80"]);
  });
});

import { describe, expect, it } from "vitest";
import { createEvaluator } from "../../eval/evaluate.js";
import type { CommunicationMap } from "../../model/map.js";
import type { Workload } from "../../model/workload.js";
import { synthesizePolicies } from "../../policy/synth/synthesize.js";
import { replay } from "./replay.js";

const web: Workload = {
  id: "shop/web",
  kind: "pod-owner",
  namespace: "shop",
  name: "web",
  labels: { app: "web" },
};
const peer = (id: string): Workload => ({
  id,
  kind: id.startsWith("cidr:") ? "external" : "entity",
  name: id,
  labels: {},
});

function policies(edges: CommunicationMap["edges"]) {
  const map: CommunicationMap = { schemaVersion: 1, workloads: [web], edges };
  return createEvaluator(synthesizePolicies(map).set);
}

describe("replay of a peer that stands for many addresses", () => {
  const egressTo = (cidr: string) => ({
    src: "shop/web",
    dst: `cidr:${cidr}`,
    ports: [{ protocol: "TCP" as const, port: 443 }],
    flows: 1,
    provenance: "observed" as const,
  });

  it("evaluates the whole CIDR, not its first address: a partial allow is reported as such", async () => {
    const ev = policies([egressTo("10.0.0.0/25")]);
    const r = await replay(
      [{ src: web, dst: peer("cidr:10.0.0.0/24"), protocol: "TCP", port: 443, count: 1 }],
      ev,
    );
    expect(r.summary.denied).toBe(1);
    expect(r.denied[0].partial).toEqual({ denied: "128", total: "256", example: "10.0.0.128" });
    expect(r.denied[0].reason).toContain("allowed in part: denied for 128 of 256 addresses, e.g. 10.0.0.128");
  });

  it("allows a CIDR every address of which is allowed", async () => {
    const ev = policies([egressTo("10.0.0.0/25"), egressTo("10.0.0.128/25")]);
    const r = await replay(
      [{ src: web, dst: peer("cidr:10.0.0.0/24"), protocol: "TCP", port: 443, count: 1 }],
      ev,
    );
    expect(r.summary.denied).toBe(0);
  });

  it("entity:world stands for every address, IPv4 and IPv6", async () => {
    const fromWorld = {
      src: "entity:world",
      dst: "shop/web",
      ports: [{ protocol: "TCP" as const, port: 8080 }],
      flows: 1,
      provenance: "inferred" as const,
    };
    const ok = await replay(
      [{ src: peer("entity:world"), dst: web, protocol: "TCP", port: 8080, count: 1 }],
      policies([fromWorld]),
    );
    expect(ok.summary.denied).toBe(0);
    // a policy admitting IPv4 only leaves the IPv6 half denied
    const v4only = policies([{ ...fromWorld, src: "cidr:0.0.0.0/0" }]);
    const part = await replay(
      [{ src: peer("entity:world"), dst: web, protocol: "TCP", port: 8080, count: 1 }],
      v4only,
    );
    expect(part.summary.denied).toBe(1);
    expect(part.denied[0].partial).toEqual({
      denied: String(1n << 128n),
      total: String((1n << 128n) + (1n << 32n)),
      example: "::",
    });
  });
});

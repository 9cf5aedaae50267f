import { describe, expect, it } from "vitest";
import type { CommunicationMap } from "../../model/map.js";
import { findLayer } from "../ir/types.js";
import { synthesizePolicies } from "./synthesize.js";

const wl = (ns: string, name: string) => ({
  id: `${ns}/${name}`,
  kind: "pod-owner" as const,
  namespace: ns,
  name,
  labels: { app: name },
});

const map: CommunicationMap = {
  schemaVersion: 1,
  workloads: [wl("shop", "web"), wl("shop", "api"), wl("default", "xwing"), wl("default", "deathstar")],
  edges: [
    {
      src: "shop/web",
      dst: "shop/api",
      ports: [{ protocol: "TCP", port: 8080 }],
      flows: 4,
      provenance: "observed",
    },
  ],
  dropped: [{ src: "default/xwing", dst: "default/deathstar", protocol: "TCP", port: 80, flows: 1 }],
};

describe("namespaces with no allowed traffic", () => {
  it("get no policy (no default deny from a single dropped record), with a warning saying why", () => {
    const r = synthesizePolicies(map);
    const np = findLayer(r.set, "k8s-np")!.policies;
    expect([...new Set(np.map((p) => p.namespace))]).toEqual(["shop"]);
    expect(r.warnings).toEqual([
      "namespace default: no policy written, because none of its workloads has allowed (observed or inferred) traffic in the data (only dropped: default/xwing -> default/deathstar); a default deny built from nothing would only block traffic the data never saw",
    ]);
  });

  it("edges the zone matrix refuses do not count as allowed traffic", () => {
    const r = synthesizePolicies(map, { allowEdge: () => "refused" });
    expect(findLayer(r.set, "k8s-np")!.policies).toEqual([]);
    expect(r.warnings.find((w) => w.startsWith("namespace shop:"))).toContain(
      "refused by the zone matrix: shop/web -> shop/api",
    );
  });
});

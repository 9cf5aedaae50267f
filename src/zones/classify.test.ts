import { describe, expect, it } from "vitest";
import type { MicrosegConfig } from "../config/schema.js";
import type { Edge, MapWorkload } from "../model/map.js";
import { classifyZones } from "./classify.js";
import { compileZoneMatrix } from "./matrix.js";

const wl = (id: string, extra: Partial<MapWorkload> = {}): MapWorkload => {
  const [namespace, name] = id.split("/");
  return { id, kind: "pod-owner", namespace, name, labels: { app: name }, ...extra };
};
const svc = (ns: string, name: string, type: string, port: number) => ({
  name,
  namespace: ns,
  type,
  ports: [{ port, targetPort: port, protocol: "TCP" as const }],
});
const edge = (src: string, dst: string): Edge => ({
  src,
  dst,
  ports: [{ protocol: "TCP", port: 80 }],
  flows: 1,
  provenance: "observed",
});

describe("zone heuristics", () => {
  const cases: [string, MapWorkload, Edge[], string, RegExp][] = [
    [
      "LoadBalancer → public",
      wl("shop/web", { services: [svc("shop", "web", "LoadBalancer", 80)] }),
      [],
      "public",
      /LoadBalancer/,
    ],
    [
      "NodePort → public",
      wl("shop/web", { services: [svc("shop", "web", "NodePort", 80)] }),
      [],
      "public",
      /NodePort/,
    ],
    [
      "ClusterIP on 8080 → application",
      wl("shop/api", { services: [svc("shop", "api", "ClusterIP", 8080)] }),
      [],
      "application",
      /no selector/,
    ],
    ["world traffic → public", wl("shop/api"), [edge("entity:world", "shop/api")], "public", /entity:world/],
    [
      "cidr traffic → public",
      wl("shop/api"),
      [edge("cidr:203.0.113.7/32", "shop/api")],
      "public",
      /outside addresses/,
    ],
    [
      "postgres image → data",
      wl("shop/db", { images: ["docker.io/library/postgres:16"] }),
      [],
      "data",
      /postgres/,
    ],
    ["port 9092 → data", wl("shop/bus", { ports: [{ port: 9092, protocol: "TCP" }] }), [], "data", /Kafka/],
    [
      "service port 3306 → data",
      wl("shop/x", { services: [svc("shop", "x", "ClusterIP", 3306)] }),
      [],
      "data",
      /MySQL/,
    ],
    [
      "exporter image is not data",
      wl("shop/m", { images: ["prom/redis-exporter:1"] }),
      [],
      "application",
      /no selector/,
    ],
    ["monitoring namespace → management", wl("monitoring/prometheus"), [], "management", /monitoring/],
    ["kube-system → infrastructure", wl("kube-system/coredns"), [], "infrastructure", /cluster's own/],
    // exposure wins over data: an exposed database is reachable from outside, so it is public
    [
      "exposed database → public",
      wl("shop/db", { images: ["mysql:8"], services: [svc("shop", "db", "NodePort", 3306)] }),
      [],
      "public",
      /NodePort/,
    ],
  ];
  it.each(cases)("%s", (_, w, edges, zone, reason) => {
    const z = classifyZones({ workloads: [w], edges });
    expect(z.byId.get(w.id)?.zone).toBe(zone);
    expect(z.byId.get(w.id)?.reason).toMatch(reason);
    expect(z.byId.get(w.id)?.source).toBe("heuristic");
  });
});

describe("configured zones", () => {
  const config: MicrosegConfig = {
    zones: [
      { name: "payments", match: [{ names: ["shop/pay"] }] },
      { name: "public", match: [{ namespace: "edge" }, { labels: { tier: "web" } }] },
    ],
    bastions: [{ names: ["ops/jump"] }],
    dataClasses: [{ match: [{ names: ["pay"] }], classes: ["pci", "pii"] }],
  };
  it("selectors win over heuristics, first zone first; names match ids or bare names", () => {
    const z = classifyZones({
      workloads: [
        wl("shop/pay", { images: ["postgres"] }),
        wl("edge/gw"),
        wl("shop/ui", { labels: { tier: "web" } }),
        wl("ops/jump"),
      ],
      config,
    });
    expect(z.assignments.map((a) => [a.id, a.zone, a.source])).toEqual([
      ["edge/gw", "public", "config"],
      ["ops/jump", "management", "heuristic"], // namespace ops: monitoring/CI tools
      ["shop/pay", "payments", "config"],
      ["shop/ui", "public", "config"],
    ]);
    expect(z.byId.get("shop/ui")?.reason).toBe("configured: zone public selects labels tier=web");
    expect(z.byId.get("shop/pay")?.dataClasses).toEqual(["pci", "pii"]);
    expect(z.byId.get("ops/jump")?.bastion).toBe(true);
  });
});

describe("the default zone matrix", () => {
  const m = compileZoneMatrix();
  const cases: [string, string, boolean, boolean][] = [
    ["outside", "public", false, true],
    ["outside", "application", false, false],
    ["public", "application", false, true],
    ["public", "data", false, false], // nothing into data from public
    ["application", "data", false, true],
    ["application", "public", false, true],
    ["data", "application", false, false],
    ["application", "management", false, false], // management only from bastions
    ["application", "management", true, true],
    ["management", "data", false, true],
    ["data", "infrastructure", false, true],
    ["infrastructure", "data", false, true],
    ["data", "outside", false, false],
  ];
  it.each(cases)("%s → %s (bastion %s): %s", (from, to, bastion, allowed) => {
    expect(m.check({ zone: from, bastion }, { zone: to }).allowed).toBe(allowed);
  });
  it("a refusal names the zones", () => {
    expect(m.check({ zone: "public" }, { zone: "data" })).toEqual({
      allowed: false,
      reason: "the zone matrix allows no public → data flow",
    });
  });
});

/**
 * The hourly aggregator's L7 rows follow build.ts's rules: HTTP templates only from records that
 * make edges (forwarded and audit requests; not drops, replies or self-peer traffic), path
 * templates as in a map; DNS names from records of any role, for the client (a reply's
 * destination). Checked by the map: the store's map equals the in-memory map's edges and `dns`,
 * also when rows of one key are drained in several chunks and hours.
 */
import { describe, expect, it } from "vitest";
import { buildMap } from "../../src/graph/build.js";
import { IdentityResolver } from "../../src/identity/resolve.js";
import type { Flow, FlowEndpoint } from "../../src/model/flow.js";
import { HourlyAggregator } from "../../src/store/aggregate.js";
import { mapFromStore } from "../../src/store/map.js";
import { MemoryStore } from "../../src/store/memory/index.js";

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;

const pod = (podName: string, ip: string, port?: number): FlowEndpoint => ({
  ip,
  ...(port ? { port } : {}),
  identity: { namespace: "shop", podName },
});
const web = (port = 41000) => pod("web-7c9d8b6f5d-abcde", "10.0.0.1", port);
const web2 = (port = 41001) => pod("web-7c9d8b6f5d-fghij", "10.0.0.2", port);
const api = (port = 8080) => pod("api-5f6d7c8b9a-xyzab", "10.0.0.3", port);
const dns = (port = 53) => ({
  ip: "10.96.0.10",
  port,
  identity: { namespace: "kube-system", podName: "coredns-0" },
});
const host = (ip: string, port: number) => ({ ip, port, identity: { entity: "host" } }) as FlowEndpoint;

let line = 0;
function flow(src: FlowEndpoint, dst: FlowEndpoint, extra: Partial<Flow> = {}): Flow {
  return {
    src,
    dst,
    protocol: "TCP",
    verdict: "forwarded",
    time: T0,
    origin: { format: "test", file: "t", line: ++line },
    ...extra,
  };
}

const get = (path: string) => ({ http: { method: "GET", path } });

const FLOWS: Flow[] = [
  flow(web(), api(), { ...get("/items/17?x=1"), time: T0 + 5 }),
  flow(web(), api(), { ...get("/items/42"), time: T0 + H + 5 }), // the same template, next hour
  flow(web2(), api(), { http: { method: "POST", path: "/cart" }, verdict: "audit" }),
  flow(web(), api(), { ...get("/admin"), verdict: "dropped" }), // drops make no template
  flow(api(8080), web(41000), { ...get("/reply"), isReply: true }), // replies neither
  flow(host("192.168.1.1", 41000), host("192.168.1.2", 443), get("/self")), // a self peer: no edge, no template
  flow(web(), dns(), { protocol: "UDP", dns: { query: "api.shop.svc.cluster.local" } }),
  flow(dns(53), web(41000), { protocol: "UDP", isReply: true, dns: { query: "api.shop.svc.cluster.local" } }),
  flow(dns(53), web2(41001), { protocol: "UDP", isReply: true, dns: { query: "db.shop.svc.cluster.local" } }),
  flow(web2(), dns(), {
    protocol: "UDP",
    verdict: "dropped",
    dns: { query: "evil.example" },
    time: T0 + 2 * H,
  }),
];

async function storeMap(flows: readonly Flow[], chunk: number) {
  const agg = new HourlyAggregator({ resolver: new IdentityResolver(), bindings: [] });
  const store = new MemoryStore();
  const w = await store.beginFile();
  const flush = async () => {
    const d = agg.drain();
    await w.addEdges(d.edges);
    await w.addHttp(d.http);
    await w.addDns(d.dns);
  };
  for (const [i, f] of flows.entries()) {
    agg.add(f);
    if ((i + 1) % chunk === 0) await flush();
  }
  await flush();
  await w.addWorkloads(agg.workloads());
  await w.commit({ hash: "h", path: "t", format: "test", records: flows.length, ingestedAt: T0 });
  const http = await store.queryHttp();
  const map = mapFromStore({
    edges: await store.queryEdges(),
    http,
    dns: await store.queryDns(),
    workloads: await store.workloads(),
  });
  return { map, http };
}

describe("HourlyAggregator L7 rows", () => {
  const memory = buildMap(FLOWS, { resolver: new IdentityResolver() });

  it("the in-memory map has what the rules say (so the comparison below means something)", () => {
    expect(memory.edges.map((e) => [e.src, e.dst, e.http])).toEqual([
      ["shop/web", "kube-system/coredns", undefined],
      [
        "shop/web",
        "shop/api",
        [
          { method: "POST", path: "/cart" },
          { method: "GET", path: "/items/{id}" },
        ],
      ],
    ]);
    expect(memory.dns).toEqual([
      {
        workload: "shop/web",
        names: ["api.shop.svc.cluster.local", "db.shop.svc.cluster.local", "evil.example"],
      },
    ]);
  });

  for (const chunk of [1, 3, 100])
    it(`the store's map has the same edges (with templates) and DNS names (drained every ${chunk} records)`, async () => {
      const { map: m, http } = await storeMap(FLOWS, chunk);
      expect(JSON.stringify(m.edges)).toBe(JSON.stringify(memory.edges));
      // the store keeps no HTTP rows that no edge has (the self peer's)
      expect(http.map((h) => [h.src, h.dst, h.method, h.path, h.flows])).toEqual([
        ["shop/web", "shop/api", "POST", "/cart", 1],
        ["shop/web", "shop/api", "GET", "/items/{id}", 2],
      ]);
      expect(m.dns).toEqual(memory.dns);
      expect(m.workloads.map((w) => w.id)).toContain("shop/web");
    });
});

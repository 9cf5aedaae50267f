import { describe, expect, it } from "vitest";
import { corpusPath } from "../../test/helpers/corpus.js";
import { IdentityResolver } from "../identity/resolve.js";
import { readFlows } from "../io/flow-files.js";
import type { Flow, FlowEndpoint } from "../model/flow.js";
import { communicationMapSchema } from "../model/map.js";
import { ProblemSink } from "../model/problems.js";
import { buildMap, buildMapAsync } from "./build.js";
import { flowDirection } from "./direction.js";

const pod = (
  ns: string,
  podName: string,
  ip: string,
  port?: number,
  labels?: Record<string, string>,
): FlowEndpoint => ({
  ip,
  ...(port ? { port } : {}),
  identity: { namespace: ns, podName, ...(labels ? { labels } : {}) },
});

function flow(src: FlowEndpoint, dst: FlowEndpoint, extra: Partial<Flow> = {}): Flow {
  return {
    src,
    dst,
    protocol: "TCP",
    verdict: "forwarded",
    time: Date.UTC(2024, 0, 1),
    origin: { format: "test", file: "t", line: 1 },
    ...extra,
  };
}

const a = (port?: number) => pod("shop", "cart-7c9d8b6f5d-abcde", "10.0.0.1", port);
const a2 = (port?: number) => pod("shop", "cart-7c9d8b6f5d-fghij", "10.0.0.2", port);
const b = (port?: number) => pod("shop", "db-0", "10.0.0.9", port);

describe("flowDirection: the reply rule", () => {
  it.each([
    ["is_reply:true", { isReply: true }, 40000, 5432, "reply"],
    ["is_reply:false beats ports", { isReply: false }, 5432, 40000, "request"],
    ["unknown, SYN only", { tcpFlags: ["SYN"] }, 5432, 40000, "request"],
    ["unknown, SYN+ACK", { tcpFlags: ["ACK", "SYN"] }, 40000, 5432, "reply"],
    ["unknown, service port → ephemeral port", {}, 9080, 58634, "reply"],
    ["unknown, ephemeral → service port (remote-node → coredns:53)", {}, 41000, 53, "request"],
    ["unknown, both high but client lower (to a NodePort-range service)", {}, 31000, 30080, "request"],
    ["unknown, no ports (ICMP)", {}, undefined, undefined, "request"],
  ] as const)("%s", (_name, extra, sp, dp, want) => {
    const f = flow({ ip: "10.0.0.1", port: sp }, { ip: "10.0.0.2", port: dp }, extra as Partial<Flow>);
    expect(flowDirection(f)).toBe(want);
  });
});

describe("buildMap rules", () => {
  const build = (flows: Flow[]) => buildMap(flows, { resolver: new IdentityResolver() });

  it("skips replies, counts ICMP without an edge, aggregates ports and times", () => {
    const m = build([
      flow(a(), b(5432), { time: 1000 }),
      flow(a(), b(5433), { time: 3000, verdict: "audit" }),
      flow(b(5432), a(40000), { isReply: true }),
      flow(a(), b(), { protocol: "ICMP" }),
      flow(a(), b(5432), { verdict: "unknown", rawVerdict: "TRACED" }),
    ]);
    expect(m.edges).toEqual([
      {
        src: "shop/cart",
        dst: "shop/db",
        ports: [
          { protocol: "TCP", port: 5432 },
          { protocol: "TCP", port: 5433 },
        ],
        flows: 2,
        audit: 1,
        firstSeen: "1970-01-01T00:00:01.000Z",
        lastSeen: "1970-01-01T00:00:03.000Z",
        provenance: "observed",
      },
    ]);
    expect(m.summary).toMatchObject({
      repliesSkipped: 1,
      noPort: { ICMP: 1 },
      byVerdict: { unknown: 1, audit: 1 },
    });
  });

  it("keeps edges between pods of one workload, skips a pod talking to itself", () => {
    const m = build([flow(a(), a2(8080)), flow(a(), a(8080))]);
    expect(m.edges.map((e) => [e.src, e.dst, e.flows])).toEqual([["shop/cart", "shop/cart", 1]]);
    expect(m.summary).toMatchObject({ samePodSkipped: 1 });
  });

  it("skips entity self traffic, keeps dropped flows out of edges", () => {
    const host = { ip: "172.18.0.2", identity: { entity: "host" } };
    const m = build([
      flow(host, { ip: "172.18.0.3", port: 10250, identity: { entity: "host" } }),
      flow(a(), b(5432), { verdict: "dropped", dropReason: "POLICY_DENIED" }),
    ]);
    expect(m.edges).toEqual([]);
    expect(m.dropped).toEqual([
      { src: "shop/cart", dst: "shop/db", protocol: "TCP", port: 5432, flows: 1, reasons: ["POLICY_DENIED"] },
    ]);
    expect(m.summary).toMatchObject({ selfPeerSkipped: 1 });
  });

  it("keeps HTTP templates and DNS names per querying workload", () => {
    const m = build([
      flow(a(), b(80), { http: { method: "GET", path: "/items/42" } }),
      flow(a(), b(80), { http: { method: "GET", path: "/items/7" } }),
      flow(a(), b(53), { protocol: "UDP", dns: { query: "db.shop.svc.cluster.local" } }),
      flow(b(53), a(40000), { protocol: "UDP", isReply: true, dns: { query: "x.example" } }),
    ]);
    expect(m.edges[0].http).toEqual([{ method: "GET", path: "/items/{id}" }]);
    expect(m.dns).toEqual([{ workload: "shop/cart", names: ["db.shop.svc.cluster.local", "x.example"] }]);
  });
});

describe("the map of the real Hubble captures", async () => {
  const problems = new ProblemSink();
  const map = await buildMapAsync(readFlows([corpusPath("flows", "hubble")], { problems }), {
    resolver: new IdentityResolver(),
  });

  it("is a valid map document", () => {
    expect(communicationMapSchema.parse(map)).toEqual(map);
  });

  it("has exactly this edge set", () => {
    const edges = map.edges.map(
      (e) => `${e.src} -> ${e.dst} ${e.ports.map((p) => `${p.protocol}/${p.port}`).join(",")}`,
    );
    expect(edges).toEqual([
      // The bookinfo call graph (kind cluster 400-* captures plus the GKE ones).
      "bookinfo/productpage-v1 -> bookinfo/details-v1 TCP/9080",
      "bookinfo/productpage-v1 -> bookinfo/reviews-v1 TCP/9080",
      "bookinfo/productpage-v1 -> bookinfo/reviews-v2 TCP/9080",
      "bookinfo/productpage-v1 -> bookinfo/reviews-v3 TCP/9080",
      "bookinfo/productpage-v1 -> kube-system/coredns UDP/53",
      // Surprising but real: L7 REQUEST records `GET http://productpage:9080/productpage` with
      // is_reply:false and User-Agent curl/7.52.1: the captures' load generator curls from the
      // ratings pod (GKE and kind captures alike).
      "bookinfo/ratings-v1 -> bookinfo/productpage-v1 TCP/9080",
      "bookinfo/ratings-v1 -> kube-system/coredns UDP/53",
      "bookinfo/reviews-v2 -> bookinfo/ratings-v1 TCP/9080",
      // Only seen from the L7 proxy (source 10.244.1.29 = the worker's cilium_host address, no
      // pod name, labels app=reviews,version=v3): resolved by label match, not by address.
      "bookinfo/reviews-v3 -> bookinfo/ratings-v1 TCP/9080",
      // Kubelet probes and node agents.
      "entity:host -> bookinfo/reviews-v1 TCP/15020",
      "entity:host -> jaeger/jaeger-default TCP/14269",
      "entity:host -> kube-system/kube-dns TCP/10054",
      "entity:remote-node -> entity:health TCP/4240",
      // DNS proxied through the other node: SNATed to its address, seen as remote-node.
      "entity:remote-node -> kube-system/coredns UDP/53",
      "istio-system/istio-telemetry -> istio-system/istio-galley TCP/9901",
      "istio-system/prometheus -> bookinfo/reviews-v1 TCP/15090",
      // GKE node addresses with the world identity: kept as /32 peers.
      "istio-system/prometheus -> cidr:10.128.0.3/32 TCP/8888,TCP/9990",
      "istio-system/prometheus -> cidr:10.128.0.4/32 TCP/6942,TCP/9990",
      "istio-system/prometheus -> cidr:10.128.0.6/32 TCP/9990",
      "istio-system/prometheus -> entity:host TCP/9990",
      // Destinations carrying reserved:world plus a pod name (Istio GKE L7 records): the pod wins.
      "istio-system/prometheus -> istio-system/jaeger TCP/14269",
      "istio-system/prometheus -> kube-system/clickhouse-operator TCP/8888",
      "istio-system/prometheus -> kube-system/kube-dns TCP/10054",
      "istio-system/prometheus -> kube-system/node-local-dns TCP/9253",
      "kube-system/event-exporter-gke -> cidr:35.246.31.234/32 TCP/443",
      "kube-system/node-local-dns -> kube-system/kube-dns TCP/53",
      "kube-system/otelcol-hubble-collector -> entity:host TCP/4244",
      "kube-system/otelcol-hubble-collector -> jaeger/jaeger-default TCP/14250",
    ]);
  });

  it("counts every record of the edge productpage → details and keeps its HTTP template", () => {
    const e = map.edges.find((x) => x.src === "bookinfo/productpage-v1" && x.dst === "bookinfo/details-v1")!;
    // 74 REDIRECTED (l7-redirected) + 27 overlay + 37 to-proxy + 9 REDIRECTED + 9 L7 requests (400-tcp).
    expect(e.flows).toBe(156);
    expect(e.http).toEqual([{ method: "GET", path: "/details/{id}" }]);
    expect(e.firstSeen).toMatch(/^2021-11-10T/);
  });

  it("puts the two DROPPED records in dropped, not in edges", () => {
    expect(map.dropped).toEqual([
      {
        src: "cidr:fe80::64d8:8aff:fe72:fc14/128",
        dst: "cidr:ff02::2/128",
        protocol: "ICMPv6",
        flows: 1,
        reasons: ["INVALID_SOURCE_IP"],
      },
      {
        src: "default/xwing",
        dst: "default/deathstar",
        protocol: "TCP",
        port: 80,
        flows: 1,
        reasons: ["POLICY_DENIED"],
      },
    ]);
    expect(map.edges.some((e) => e.src === "default/xwing")).toBe(false);
  });

  it("summarises verdicts, replies and resolution", () => {
    expect(map.summary).toMatchObject({
      records: 1908,
      byVerdict: { forwarded: 1906, dropped: 2 },
      byRawVerdict: { DROPPED: 2, FORWARDED: 1449, REDIRECTED: 457 },
      repliesSkipped: 631,
      noPort: { ICMP: 14 },
      unresolvedEndpoints: [],
    });
    expect(problems.items.map((p) => p.code)).toEqual(["flow-unknown-format"]); // SOURCE.md, skipped
  });

  it("describes workloads from the flows: owner, stable labels, namespace labels, service account, addresses", () => {
    const pp = map.workloads.find((w) => w.id === "bookinfo/productpage-v1")!;
    expect(pp).toMatchObject({
      kind: "pod-owner",
      ownerKind: "Deployment",
      namespace: "bookinfo",
      name: "productpage-v1",
      labels: { app: "productpage", version: "v1" },
      serviceAccount: "bookinfo-productpage",
      addresses: ["10.156.2.8", "10.244.0.177"],
    });
    expect(pp.namespaceLabels?.["kubernetes.io/metadata.name"]).toBe("bookinfo");
    // 10.244.0.148 (the node's cilium_host address, used by host, remote-node and the L7 proxy) is nobody's.
    expect(map.workloads.filter((w) => w.kind !== "entity").flatMap((w) => w.addresses ?? [])).not.toContain(
      "10.244.0.148",
    );
    // the host entity carries the node addresses it was seen at (NetworkPolicy egress to the node needs them)
    expect(map.workloads.find((w) => w.id === "entity:host")?.addresses).toContain("10.244.0.148");
    expect(map.workloads.map((w) => w.id)).toEqual([...map.workloads.map((w) => w.id)].sort());
  });

  it("records DNS names queried per workload", () => {
    expect(map.dns?.find((d) => d.workload === "bookinfo/ratings-v1")?.names).toEqual([
      "productpage.bookinfo.svc.cluster.local",
    ]);
  });
});

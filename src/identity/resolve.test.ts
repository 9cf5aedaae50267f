import { describe, expect, it } from "vitest";
import type { Flow, FlowEndpoint } from "../model/flow.js";
import type { Workload } from "../model/workload.js";
import { IdentityResolver } from "./resolve.js";

const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

function flow(src: FlowEndpoint, dst: FlowEndpoint, time = T0): Flow {
  return {
    src,
    dst,
    time,
    protocol: "TCP",
    verdict: "forwarded",
    origin: { format: "t", file: "t", line: 1 },
  };
}

const named = (podName: string, ip: string, labels: Record<string, string> = {}): FlowEndpoint => ({
  ip,
  identity: { namespace: "bookinfo", podName, labels, serviceAccount: "sa" },
});
const client: FlowEndpoint = { ip: "10.0.9.9", identity: { namespace: "other", podName: "client-0" } };

describe("IdentityResolver: the flow's own identity", () => {
  const r = new IdentityResolver();
  it.each([
    [named("reviews-v1-545db77b95-s6jb8", "10.0.0.1"), "bookinfo/reviews-v1", "flow"],
    [
      { identity: { namespace: "shop", podName: "x-abc12", workloadName: "x", workloadKind: "Job" } },
      "shop/x",
      "flow",
    ],
    [{ identity: { podName: "lonely" } }, "default/lonely", "flow"],
    [{ ip: "10.1.1.1", identity: { entity: "host" } }, "entity:host", "entity"],
    [{ ip: "10.1.1.1", identity: { entity: "kube-apiserver" } }, "entity:kube-apiserver", "entity"],
    [{ ip: "203.0.113.7", identity: { entity: "world" } }, "cidr:203.0.113.7/32", "address"],
    [{ ip: "2001:db8::1", identity: { entity: "world" } }, "cidr:2001:db8::1/128", "address"],
    [{ identity: { entity: "world" } }, "entity:world", "entity"],
    [{ ip: "198.51.100.1" }, "cidr:198.51.100.1/32", "address"],
    [{}, "entity:unknown", "unknown"],
    // Istio/GKE L7 records: reserved:world plus a pod name → the pod.
    [
      {
        ip: "10.156.2.8",
        identity: { namespace: "bookinfo", podName: "productpage-v1-6b746f74dc-ffh56", entity: "world" },
      },
      "bookinfo/productpage-v1",
      "flow",
    ],
  ] as [FlowEndpoint, string, string][])("%j → %s", (ep, id, via) => {
    expect(r.resolve(ep, T0)).toEqual({ id, via });
  });
});

describe("IdentityResolver: learning from flows", () => {
  it("resolves an address-only endpoint by an address learned from a flow that names the pod", () => {
    const r = new IdentityResolver();
    r.learn(flow(client, named("details-v1-79f774bdb9-m4j4k", "10.0.0.5")));
    expect(r.resolve({ ip: "10.0.0.5" }, T0)).toEqual({ id: "bookinfo/details-v1", via: "learned-address" });
    expect(r.workload("bookinfo/details-v1").addresses).toEqual(["10.0.0.5"]);
  });

  it("resolves a labels-only endpoint by its learned address when the labels agree", () => {
    const r = new IdentityResolver();
    r.learn(flow(named("productpage-v1-6b746f74dc-9rcxx", "10.244.0.148", { app: "productpage" }), client));
    const ep = { ip: "10.244.0.148", identity: { namespace: "bookinfo", labels: { app: "productpage" } } };
    expect(r.resolve(ep, T0)).toEqual({ id: "bookinfo/productpage-v1", via: "learned-address" });
  });

  it("does not trust a learned address that contradicts the endpoint's labels; labels decide", () => {
    const r = new IdentityResolver();
    r.learn(
      flow(
        named("productpage-v1-6b746f74dc-9rcxx", "10.244.0.177", { app: "productpage", version: "v1" }),
        client,
      ),
    );
    r.learn(
      flow(named("ratings-v1-b6994bb9-jgqxb", "10.244.0.206", { app: "ratings", version: "v1" }), client),
    );
    // The L7 proxy's SNAT address of productpage's pod, carrying ratings' identity labels.
    const ep = {
      ip: "10.244.0.177",
      identity: { namespace: "bookinfo", labels: { app: "ratings", version: "v1" } },
    };
    expect(r.resolve(ep, T0)).toEqual({ id: "bookinfo/ratings-v1", via: "labels" });
  });

  it("treats an address seen with two workloads at overlapping times as shared (no address resolution)", () => {
    const r = new IdentityResolver();
    r.learn(flow(named("a-7c9d8b6f5d-abcde", "10.0.0.7"), client, T0));
    r.learn(flow(named("b-7c9d8b6f5d-abcde", "10.0.0.7"), client, T0 + 1000));
    r.learn(flow(named("a-7c9d8b6f5d-abcde", "10.0.0.7"), client, T0 + 2000));
    expect(r.resolve({ ip: "10.0.0.7" }, T0 + 1000)).toEqual({ id: "cidr:10.0.0.7/32", via: "address" });
  });

  it("uses the learned binding valid at the flow's time when a pod IP is reused", () => {
    const r = new IdentityResolver();
    r.learn(flow(named("old-7c9d8b6f5d-abcde", "10.0.0.8"), client, T0));
    r.learn(flow(named("old-7c9d8b6f5d-abcde", "10.0.0.8"), client, T0 + HOUR));
    r.learn(flow(named("new-7c9d8b6f5d-abcde", "10.0.0.8"), client, T0 + 3 * HOUR));
    r.endLearning();
    expect(r.resolve({ ip: "10.0.0.8" }, T0 - HOUR).id).toBe("bookinfo/old");
    expect(r.resolve({ ip: "10.0.0.8" }, T0 + 2 * HOUR).id).toBe("bookinfo/old");
    expect(r.resolve({ ip: "10.0.0.8" }, T0 + 3 * HOUR).id).toBe("bookinfo/new");
    expect(r.resolve({ ip: "10.0.0.8" }, T0 + 9 * HOUR).id).toBe("bookinfo/new");
  });

  it("does not learn node addresses from host-network pods", () => {
    const r = new IdentityResolver();
    const hostPod = {
      ip: "172.18.0.2",
      identity: { namespace: "kube-system", podName: "kube-proxy-abcde", entity: "host" },
    };
    r.learn(flow(hostPod, client));
    expect(r.resolve({ ip: "172.18.0.2" }, T0).via).toBe("address");
  });

  it("matches labels-only endpoints uniquely among learned workloads, else names them from labels", () => {
    const r = new IdentityResolver();
    r.learn(
      flow(named("reviews-v1-545db77b95-aaaaa", "10.0.1.1", { app: "reviews", version: "v1" }), client),
    );
    r.learn(
      flow(named("reviews-v2-7bf8c9648f-bbbbb", "10.0.1.2", { app: "reviews", version: "v2" }), client),
    );
    const labelsOnly = (labels: Record<string, string>): FlowEndpoint => ({
      ip: "10.9.9.9",
      identity: { namespace: "bookinfo", labels },
    });
    expect(r.resolve(labelsOnly({ app: "reviews", version: "v2", extra: "x" }), T0)).toEqual({
      id: "bookinfo/reviews-v2",
      via: "labels",
    });
    // reviews-v3 was never named by a pod: the identifying label names it.
    expect(r.resolve(labelsOnly({ app: "reviews", version: "v3" }), T0)).toEqual({
      id: "bookinfo/reviews",
      via: "label-name",
    });
    expect(r.workload("bookinfo/reviews")).toMatchObject({
      labels: { app: "reviews", version: "v3" },
      source: "flows (labels only)",
    });
    // Without version the two learned workloads are both candidates: ambiguous → label name.
    expect(r.resolve(labelsOnly({ app: "reviews" }), T0).via).toBe("label-name");
  });

  it("keeps labels common to all labelled sightings of a workload", () => {
    const r = new IdentityResolver();
    r.learn(
      flow(
        named("web-7c9d8b6f5d-aaaaa", "10.0.2.1", {
          app: "web",
          injected: "yes",
          "pod-template-hash": "7c9d8b6f5d",
        }),
        client,
      ),
    );
    r.learn(flow(named("web-7c9d8b6f5d-bbbbb", "10.0.2.2", { app: "web" }), client));
    r.learn(flow(named("web-7c9d8b6f5d-ccccc", "10.0.2.3"), client));
    expect(r.workload("bookinfo/web")).toMatchObject({
      labels: { app: "web" },
      ownerKind: "Deployment",
      serviceAccount: "sa",
      addresses: ["10.0.2.1", "10.0.2.2", "10.0.2.3"],
      namespaceLabels: { "kubernetes.io/metadata.name": "bookinfo" },
    });
  });
});

describe("IdentityResolver: the inventory", () => {
  const details: Workload = {
    id: "bookinfo/details-v1",
    kind: "pod-owner",
    ownerKind: "Deployment",
    namespace: "bookinfo",
    name: "details-v1",
    labels: { app: "details", version: "v1" },
    ports: [{ name: "http", port: 9080, protocol: "TCP" }],
  };
  const batch: Workload = {
    id: "jobs/nightly",
    kind: "pod-owner",
    ownerKind: "CronJob",
    namespace: "jobs",
    name: "nightly",
    labels: { app: "nightly" },
  };
  const inventory = {
    workloads: [details, batch],
    namespaces: new Map([["bookinfo", { "kubernetes.io/metadata.name": "bookinfo", team: "books" }]]),
    bindings: [
      { ip: "10.0.0.5", workloadId: "bookinfo/details-v1", from: T0, to: T0 + HOUR, source: "pods.yaml:3" },
      { ip: "10.0.0.5", workloadId: "jobs/nightly", from: T0 + 2 * HOUR, source: "pods.yaml:9" },
    ],
  };

  it("uses address bindings valid at the flow's time", () => {
    const r = new IdentityResolver({ inventory });
    expect(r.resolve({ ip: "10.0.0.5" }, T0 + 1)).toEqual({
      id: "bookinfo/details-v1",
      via: "inventory-address",
    });
    expect(r.resolve({ ip: "10.0.0.5" }, T0 + HOUR + 1).via).toBe("address");
    expect(r.resolve({ ip: "10.0.0.5" }, T0 + 3 * HOUR)).toEqual({
      id: "jobs/nightly",
      via: "inventory-address",
    });
  });

  it("prefers the inventory's owner when a pod name's heuristic owner is not in it", () => {
    const r = new IdentityResolver({ inventory });
    const ep = { ip: "10.0.0.5", identity: { namespace: "jobs", podName: "nightly-manual-x7k2p" } };
    expect(r.resolve(ep, T0 + 3 * HOUR)).toEqual({ id: "jobs/nightly", via: "inventory-address" });
  });

  it("matches labels-only endpoints against inventory pod-template labels", () => {
    const r = new IdentityResolver({ inventory });
    const ep = {
      identity: {
        namespace: "bookinfo",
        labels: { app: "details", version: "v1", "sidecar.x/injected": "y" },
      },
    };
    expect(r.resolve(ep, T0)).toEqual({ id: "bookinfo/details-v1", via: "labels" });
  });

  it("merges flow knowledge into inventory workloads; the inventory wins for labels and ports", () => {
    const r = new IdentityResolver({ inventory });
    r.learn(
      flow(
        named("details-v1-79f774bdb9-m4j4k", "10.0.0.6", { app: "details", version: "v1", extra: "z" }),
        client,
      ),
    );
    const w = r.workload("bookinfo/details-v1");
    expect(w).toMatchObject({
      labels: details.labels,
      ports: details.ports,
      addresses: ["10.0.0.6"],
      serviceAccount: "sa",
    });
    expect(r.workload("bookinfo/details-v1").namespaceLabels).toMatchObject({ team: "books" });
  });
});

describe("IdentityResolver: provisional keys", () => {
  it("defers learning-dependent endpoints in one pass and resolves them exactly after endLearning", () => {
    const r = new IdentityResolver();
    const ep = { ip: "10.0.0.5" };
    const before = r.provisionalKey(ep, T0);
    expect(before.startsWith("ep:")).toBe(true);
    r.learn(flow(client, named("details-v1-79f774bdb9-m4j4k", "10.0.0.5")));
    expect(r.provisionalKey(ep, T0)).toBe(before);
    expect(r.provisionalKey(named("details-v1-79f774bdb9-m4j4k", "10.0.0.5"), T0)).toBe(
      "id:bookinfo/details-v1",
    );
    r.endLearning();
    expect(r.provisionalKey(ep, T0)).toBe("id:bookinfo/details-v1");
  });
});

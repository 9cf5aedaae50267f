import { describe, expect, it } from "vitest";
import type { K8sResource } from "../inventory/types.js";
import type { Protocol } from "../model/ports.js";
import { ProblemSink } from "../model/problems.js";
import { parseK8sPolicies } from "../policy/k8s/parse.js";
import type { Endpoint } from "./endpoint.js";
import { createEvaluator } from "./evaluate.js";
import { cport, ip, netpol, pod } from "./test-support.js";

function engine(resources: K8sResource[]) {
  const sink = new ProblemSink();
  const set = parseK8sPolicies(resources, sink);
  expect(sink.items).toEqual([]);
  return createEvaluator(set);
}

function allowed(resources: K8sResource[], src: Endpoint, dst: Endpoint, protocol: Protocol, port: number) {
  return engine(resources).evaluate({ src, dst, protocol, port }).allowed;
}

const web = pod("shop", "web", { app: "web" }, [cport(8080, "http")]);
const api = pod("shop", "api", { app: "api" }, [cport(9090, "grpc"), cport(53, "dns", "UDP")]);
const mon = pod("monitoring", "prom", { app: "prom" }, [], { team: "ops" });
const otherApi = pod("dev", "api", { app: "api" }, [], { team: "dev" });

describe("NetworkPolicy semantics", () => {
  it("allows everything when no policy selects either side", () => {
    const v = engine([]).evaluate({ src: web, dst: api, protocol: "TCP", port: 1 });
    expect(v.allowed).toBe(true);
    expect(v.egress.stage).toBe("default");
    expect(v.ingress.stage).toBe("default");
  });

  it("ANDs namespaceSelector and podSelector in one peer, ORs separate peers", () => {
    const and = netpol("shop", "and", {
      podSelector: { matchLabels: { app: "api" } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { team: "ops" } },
              podSelector: { matchLabels: { app: "x" } },
            },
          ],
        },
      ],
    });
    const or = netpol("shop", "or", {
      podSelector: { matchLabels: { app: "api" } },
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { team: "ops" } } },
            { podSelector: { matchLabels: { app: "x" } } },
          ],
        },
      ],
    });
    expect(allowed([and], mon, api, "TCP", 9090)).toBe(false);
    expect(allowed([or], mon, api, "TCP", 9090)).toBe(true);
  });

  it("a podSelector-only peer means the policy's own namespace", () => {
    const p = netpol("shop", "p", {
      podSelector: {},
      ingress: [{ from: [{ podSelector: { matchLabels: { app: "api" } } }] }],
    });
    expect(allowed([p], api, web, "TCP", 8080)).toBe(true);
    expect(allowed([p], otherApi, web, "TCP", 8080)).toBe(false);
  });

  it("an empty namespaceSelector means every namespace", () => {
    const p = netpol("shop", "p", {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "api" } } }] }],
    });
    expect(allowed([p], otherApi, web, "TCP", 8080)).toBe(true);
    expect(allowed([p], mon, web, "TCP", 8080)).toBe(false);
  });

  it("defaults policyTypes to Ingress plus Egress when spec.egress is present", () => {
    const p = netpol("shop", "p", { podSelector: { matchLabels: { app: "web" } }, egress: [{}] });
    // Ingress is isolated (no ingress rules); egress is open.
    expect(allowed([p], api, web, "TCP", 8080)).toBe(false);
    expect(allowed([p], web, api, "TCP", 9090)).toBe(true);
  });

  it("an egress-only policy does not isolate ingress", () => {
    const p = netpol("shop", "p", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] });
    expect(allowed([p], api, web, "TCP", 8080)).toBe(true);
    expect(allowed([p], web, api, "TCP", 9090)).toBe(false);
    const v = engine([p]).evaluate({ src: web, dst: api, protocol: "TCP", port: 9090 });
    expect(v.egress).toMatchObject({
      allowed: false,
      stage: "k8s-np",
      policies: [{ name: "p", namespace: "shop" }],
    });
  });

  it("ignores rules of a direction missing from explicit policyTypes", () => {
    const p = netpol("shop", "p", { podSelector: {}, policyTypes: ["Egress"], ingress: [{}], egress: [{}] });
    const isolate = netpol("shop", "isolate", { podSelector: {}, policyTypes: ["Ingress"] });
    expect(allowed([p], mon, web, "TCP", 8080)).toBe(true);
    // p's ingress rule would allow everything if it counted
    expect(allowed([p, isolate], mon, web, "TCP", 8080)).toBe(false);
  });

  it("distinguishes an empty rule list (deny all) from an empty peer list (all peers)", () => {
    const none = netpol("shop", "none", { podSelector: {}, ingress: [] });
    const all = netpol("shop", "all", { podSelector: {}, ingress: [{ from: [] }] });
    expect(allowed([none], mon, web, "UDP", 5)).toBe(false);
    expect(allowed([all], mon, web, "UDP", 5)).toBe(true);
    expect(allowed([all], ip("8.8.8.8"), web, "SCTP", 5)).toBe(true);
  });

  it("resolves named ports against the destination with name AND protocol", () => {
    const tcp = netpol("shop", "tcp", { podSelector: {}, ingress: [{ ports: [{ port: "dns" }] }] });
    const udp = netpol("shop", "udp", {
      podSelector: {},
      ingress: [{ ports: [{ port: "dns", protocol: "UDP" }] }],
    });
    expect(allowed([tcp], web, api, "TCP", 53)).toBe(false);
    expect(allowed([udp], web, api, "UDP", 53)).toBe(true);
    // egress: the destination is the peer
    const eg = netpol("shop", "eg", {
      podSelector: { matchLabels: { app: "api" } },
      policyTypes: ["Egress"],
      egress: [{ ports: [{ port: "http" }] }],
    });
    expect(allowed([eg], api, web, "TCP", 8080)).toBe(true);
    expect(allowed([eg], api, ip("1.2.3.4"), "TCP", 8080)).toBe(false);
  });

  it("applies ipBlock except and never matches pods with ipBlock", () => {
    const p = netpol("shop", "p", {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }],
    });
    expect(allowed([p], ip("10.2.0.1"), web, "TCP", 80)).toBe(true);
    expect(allowed([p], ip("10.1.2.3"), web, "TCP", 80)).toBe(false);
    expect(allowed([p], api, web, "TCP", 80)).toBe(false);
  });

  it("matches endPort ranges, SCTP, and defaults the protocol to TCP", () => {
    const p = netpol("shop", "p", {
      podSelector: {},
      ingress: [{ ports: [{ port: 1000, endPort: 1010 }, { protocol: "SCTP" }] }],
    });
    const ev = engine([p]);
    expect(ev.allowedConns(mon, web).toString()).toBe("SCTP 1-65535,TCP 1000-1010");
    expect(allowed([p], mon, web, "UDP", 1005)).toBe(false);
  });

  it("computes allowedConns as egress ∩ ingress with named ports resolved", () => {
    const out = netpol("shop", "out", {
      podSelector: { matchLabels: { app: "web" } },
      policyTypes: ["Egress"],
      egress: [
        {
          ports: [
            { port: 9000, endPort: 9100 },
            { port: 53, protocol: "UDP" },
          ],
        },
      ],
    });
    const inn = netpol("shop", "in", {
      podSelector: { matchLabels: { app: "api" } },
      ingress: [{ ports: [{ port: "grpc" }, { port: "dns", protocol: "UDP" }] }],
    });
    expect(engine([out, inn]).allowedConns(web, api).toString()).toBe("TCP 9090,UDP 53");
    expect(engine([out, inn]).allowedConns(api, web).toString()).toBe("All Connections");
  });

  it("names every allowing rule with its origin", () => {
    const a = netpol("shop", "a", { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }, 10);
    const b = netpol("shop", "b", { podSelector: {}, ingress: [{}, { ports: [{ port: 80 }] }] }, 20);
    const v = engine([a, b]).evaluate({ src: mon, dst: web, protocol: "TCP", port: 80 });
    expect(v.ingress.rules.map((r) => `${r.policyName}#${r.ruleIndex}@${r.line}`)).toEqual([
      "a#0@10",
      "b#0@20",
      "b#1@20",
    ]);
  });
});

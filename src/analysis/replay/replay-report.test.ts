import { describe, expect, it } from "vitest";
import { coveredWorkloads } from "../../cli/commands/generate.js";
import { mapItems, verifySummaryLine } from "../../cli/commands/verify.js";
import { createEvaluator } from "../../eval/evaluate.js";
import type { CommunicationMap } from "../../model/map.js";
import type { Workload } from "../../model/workload.js";
import { emptyK8sPolicySet, findLayer, type Policy } from "../../policy/ir/types.js";
import { synthesizePolicies } from "../../policy/synth/synthesize.js";
import { BoundedCache } from "./bounded-cache.js";
import { replay } from "./replay.js";

const wl = (ns: string, name: string): Workload => ({
  id: `${ns}/${name}`,
  kind: "pod-owner",
  namespace: ns,
  name,
  labels: { app: name },
});

const deny = (name: string): Policy => ({
  kind: "NetworkPolicy",
  name,
  namespace: "shop",
  subject: { namespaces: { kind: "names", names: ["shop"] }, pods: {} },
  directions: ["ingress"],
  rules: [],
  origin: {},
});

describe("the verdict cache", () => {
  it("keeps at most its capacity, dropping the least recently used", () => {
    const c = new BoundedCache<string, number>(2);
    c.set("a", 1);
    c.set("b", 2);
    expect(c.get("a")).toBe(1); // a is now the most recent
    c.set("c", 3);
    expect(c.size).toBe(2);
    expect(c.get("b")).toBeUndefined();
    expect(c.get("a")).toBe(1);
  });

  it("bounds replay over id-carrying paths without changing verdicts", async () => {
    const set = emptyK8sPolicySet();
    findLayer(set, "k8s-np")!.policies.push(deny("lock"));
    const items = Array.from({ length: 50 }, (_, i) => ({
      src: wl("shop", "web"),
      dst: wl("shop", "api"),
      protocol: "TCP" as const,
      port: 80,
      count: 1,
      http: { method: "GET", path: "/items/{id}", requestPath: `/items/${i}` },
    }));
    const r = await replay(items, createEvaluator(set), { verdictCacheSize: 4 });
    expect(r.summary).toMatchObject({ evaluated: 50, denied: 50, deniedDistinct: 1 });
  });
});

describe("reasons and counts", () => {
  it("says 'which does not allow' for one isolating policy, 'none of them allows' for several", async () => {
    const one = emptyK8sPolicySet();
    findLayer(one, "k8s-np")!.policies.push(deny("default-deny"));
    const item = {
      src: wl("shop", "web"),
      dst: wl("shop", "api"),
      protocol: "TCP" as const,
      port: 80,
      count: 1,
    };
    const r1 = await replay([item], createEvaluator(one));
    expect(r1.denied[0].reason).toBe(
      "ingress to shop/api is isolated by shop/default-deny, which does not allow shop/web on TCP 80",
    );
    const two = structuredClone(one);
    findLayer(two, "k8s-np")!.policies.push(deny("lock"));
    const r2 = await replay([item], createEvaluator(two));
    expect(r2.denied[0].reason).toBe(
      "ingress to shop/api is isolated by shop/default-deny, shop/lock, and none of them allows shop/web on TCP 80",
    );
  });

  it("verify --map carries each edge's flow count, and the summary says edges and flows apart", async () => {
    const map: CommunicationMap = {
      schemaVersion: 1,
      workloads: [wl("shop", "web"), wl("shop", "api")],
      edges: [
        {
          src: "shop/web",
          dst: "shop/api",
          ports: [
            { protocol: "TCP", port: 80 },
            { protocol: "TCP", port: 443 },
          ],
          flows: 196,
          provenance: "observed",
        },
      ],
    };
    const set = emptyK8sPolicySet();
    findLayer(set, "k8s-np")!.policies.push(deny("default-deny"));
    const byId = new Map(map.workloads.map((w) => [w.id, w as Workload]));
    const r = await replay(
      mapItems(map, (id) => byId.get(id)!),
      createEvaluator(set),
    );
    expect(r.denied.map((d) => [d.port, d.flows, d.edges])).toEqual([
      [80, 196, 1],
      [443, 196, 1],
    ]);
    expect(r.summary).toMatchObject({
      evaluated: 2,
      denied: 2,
      flows: { evaluated: 196, allowed: 0, denied: 196 },
    });
    expect(verifySummaryLine({ ...r, input: { kind: "map", policies: 1 } })).toBe(
      "verify: 2 edge ports (edges carrying 196 flows) replayed against 1 policies: 0 edge ports allowed, 2 would be denied (2 distinct; their edges carry 196 flows)",
    );
  });

  it("generate counts the workloads that got a policy, not those of excluded namespaces", () => {
    const map: CommunicationMap = {
      schemaVersion: 1,
      workloads: [wl("shop", "web"), wl("shop", "api"), wl("kube-system", "dns")],
      edges: [
        {
          src: "shop/web",
          dst: "shop/api",
          ports: [{ protocol: "TCP", port: 80 }],
          flows: 1,
          provenance: "observed",
        },
        {
          src: "kube-system/dns",
          dst: "shop/api",
          ports: [{ protocol: "TCP", port: 9 }],
          flows: 1,
          provenance: "observed",
        },
      ],
    };
    const synth = synthesizePolicies(map);
    expect(synth.units).toHaveLength(3);
    expect(coveredWorkloads(synth)).toBe(2);
  });
});

import { describe, expect, it } from "vitest";
import type { CommunicationMap, MapWorkload } from "../../model/map.js";
import { findLayer } from "../ir/types.js";
import { emitK8sPolicies } from "../k8s/emit.js";
import { synthesizePolicies } from "./synthesize.js";

function wl(
  ns: string,
  name: string,
  labels: Record<string, string>,
  extra: Partial<MapWorkload> = {},
): MapWorkload {
  return {
    id: `${ns}/${name}`,
    kind: "pod-owner",
    ownerKind: "Deployment",
    namespace: ns,
    name,
    labels,
    ...extra,
  };
}

const map: CommunicationMap = {
  schemaVersion: 1,
  workloads: [
    wl("shop", "web", { app: "web" }, { ports: [{ name: "http", port: 8080, protocol: "TCP" }] }),
    wl("shop", "reviews-v1", { app: "reviews", version: "v1" }),
    wl("shop", "reviews-v2", { app: "reviews", version: "v2" }),
    wl("shop", "ratings", { app: "ratings" }),
    wl("kube-system", "coredns", { "k8s-app": "kube-dns" }),
    { id: "cidr:203.0.113.7/32", kind: "external", name: "203.0.113.7/32", labels: {} },
    { id: "cidr:203.0.113.6/32", kind: "external", name: "203.0.113.6/32", labels: {} },
  ],
  edges: [
    {
      src: "cidr:203.0.113.6/32",
      dst: "shop/web",
      ports: [{ protocol: "TCP", port: 8080 }],
      flows: 2,
      provenance: "observed",
      firstSeen: "2024-01-01T00:00:00.000Z",
      lastSeen: "2024-01-02T00:00:00.000Z",
    },
    {
      src: "cidr:203.0.113.7/32",
      dst: "shop/web",
      ports: [{ protocol: "TCP", port: 8080 }],
      flows: 3,
      provenance: "observed",
      firstSeen: "2024-01-01T10:00:00.000Z",
      lastSeen: "2024-01-03T00:00:00.000Z",
    },
    {
      src: "shop/web",
      dst: "shop/reviews-v1",
      ports: [{ protocol: "TCP", port: 9080 }],
      flows: 5,
      provenance: "observed",
    },
    {
      src: "shop/web",
      dst: "shop/reviews-v2",
      ports: [{ protocol: "TCP", port: 9080 }],
      flows: 5,
      provenance: "observed",
    },
    {
      src: "shop/reviews-v2",
      dst: "shop/ratings",
      ports: [{ protocol: "TCP", port: 9080 }],
      flows: 4,
      provenance: "observed",
    },
    {
      src: "shop/web",
      dst: "kube-system/coredns",
      ports: [{ protocol: "UDP", port: 53 }],
      flows: 9,
      provenance: "observed",
    },
  ],
};

describe("synthesizePolicies", () => {
  const result = synthesizePolicies(map);
  const np = findLayer(result.set, "k8s-np")!.policies;
  const byName = new Map(np.map((p) => [p.name, p]));

  it("writes a default deny and a DNS egress per namespace, none for kube-system", () => {
    expect(np.filter((p) => p.name === "default-deny").map((p) => p.namespace)).toEqual(["shop"]);
    const dns = byName.get("allow-dns-egress")!;
    expect(dns.rules[0].ports).toEqual([
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
    expect(np.some((p) => p.namespace === "kube-system")).toBe(false);
  });

  it("adds the version label only where the peers of same-app workloads differ", () => {
    expect(byName.get("reviews-v1")!.subject.pods).toEqual({
      matchLabels: { app: "reviews", version: "v1" },
    });
    expect(byName.get("reviews-v2")!.subject.pods).toEqual({
      matchLabels: { app: "reviews", version: "v2" },
    });
    expect(byName.get("ratings")!.subject.pods).toEqual({ matchLabels: { app: "ratings" } });
  });

  it("allows exactly the observed peers, one rule per peer, by namespace name and labels", () => {
    const ratings = byName.get("ratings")!;
    expect(ratings.rules).toHaveLength(1);
    expect(ratings.rules[0].peers).toEqual([
      {
        kind: "pods",
        namespaces: { kind: "names", names: ["shop"] },
        pods: { matchLabels: { app: "reviews", version: "v2" } },
      },
    ]);
    const web = byName.get("web")!;
    // egress to reviews-v1 and -v2 (two rules); DNS is covered by allow-dns-egress
    expect(web.rules.filter((r) => r.direction === "egress")).toHaveLength(2);
  });

  it("merges outside addresses into the narrowest CIDRs and names the pod's port", () => {
    const web = byName.get("web")!;
    const ing = web.rules.filter((r) => r.direction === "ingress");
    expect(ing).toHaveLength(1);
    expect(ing[0].peers).toEqual([{ kind: "ipblock", cidr: "203.0.113.6/31", except: [] }]);
    expect(ing[0].ports).toEqual([{ protocol: "TCP", port: "http" }]);
    expect(ing[0].evidence).toMatchObject({
      flows: 5,
      firstSeen: "2024-01-01T00:00:00.000Z",
      lastSeen: "2024-01-03T00:00:00.000Z",
    });
  });

  it("emits deterministic NetworkPolicies with evidence annotations", () => {
    const a = emitK8sPolicies(result.set);
    const b = emitK8sPolicies(synthesizePolicies(map).set);
    expect(a).toEqual(b);
    const web = a.find((o) => o.file === "shop/web.yaml")!;
    const meta = web.object.metadata as { annotations: Record<string, string> };
    expect(JSON.parse(meta.annotations["microseg.dev/evidence"]).ingress[0]).toMatchObject({
      rule: 0,
      flows: 5,
    });
    const spec = web.object.spec as Record<string, unknown>;
    expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect((spec.ingress as unknown[])[0]).toEqual({
      from: [{ ipBlock: { cidr: "203.0.113.6/31" } }],
      ports: [{ protocol: "TCP", port: "http" }],
    });
  });
});

/**
 * The main job on real input: Hubble captures of clusters running bookinfo →
 * discover → generate → verify. Policies go through files, as a user's would.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverMap } from "../../src/cli/commands/discover.js";
import { generateFromMap, renderObjects } from "../../src/cli/commands/generate.js";
import { verifyPolicies } from "../../src/cli/commands/verify.js";
import { writeDirAtomic } from "../../src/io/write.js";
import type { CommunicationMap } from "../../src/model/map.js";
import { findLayer, type PolicySet } from "../../src/policy/ir/types.js";
import { emitK8sPolicies } from "../../src/policy/k8s/emit.js";
import { corpusPath } from "../helpers/corpus.js";

const quiet = () => {};
const flows = corpusPath("flows", "hubble");
let work: string;
let map: CommunicationMap;
let set: PolicySet;

async function verifySet(s: PolicySet, dir: string) {
  const files = renderObjects(emitK8sPolicies(s));
  await writeDirAtomic(join(work, dir), files);
  return (await verifyPolicies({ policies: [join(work, dir)], flows: [flows], log: quiet })).report;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "microseg-bookinfo-"));
  map = await discoverMap({ flows: [flows], log: quiet });
  set = generateFromMap(map, "k8s").synth.set;
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("bookinfo captures: discover", () => {
  const edge = (src: string, dst: string) => map.edges.find((e) => e.src === src && e.dst === dst);

  it("finds the bookinfo call graph on port 9080", () => {
    for (const dst of ["details-v1", "reviews-v1", "reviews-v2", "reviews-v3"])
      expect(edge("bookinfo/productpage-v1", `bookinfo/${dst}`)?.ports).toEqual([
        { protocol: "TCP", port: 9080 },
      ]);
    expect(edge("bookinfo/reviews-v2", "bookinfo/ratings-v1")?.ports).toEqual([
      { protocol: "TCP", port: 9080 },
    ]);
    expect(edge("bookinfo/reviews-v3", "bookinfo/ratings-v1")?.ports).toEqual([
      { protocol: "TCP", port: 9080 },
    ]);
    // reviews-v1 is built without ratings calls
    expect(edge("bookinfo/reviews-v1", "bookinfo/ratings-v1")).toBeUndefined();
  });

  it("finds DNS to the cluster DNS, and records HTTP templates and evidence", () => {
    expect(edge("bookinfo/productpage-v1", "kube-system/coredns")?.ports).toEqual([
      { protocol: "UDP", port: 53 },
    ]);
    const details = edge("bookinfo/productpage-v1", "bookinfo/details-v1")!;
    expect(details.provenance).toBe("observed");
    expect(details.flows).toBeGreaterThan(0);
    expect(details.firstSeen! <= details.lastSeen!).toBe(true);
    expect(details.http?.some((h) => h.method === "GET" && h.path === "/details/{id}")).toBe(true);
  });

  it("keeps dropped flows out of the edges", () => {
    expect(map.dropped?.map((d) => `${d.src} -> ${d.dst}`)).toContain("default/xwing -> default/deathstar");
    expect(map.edges.some((e) => e.dst === "default/deathstar")).toBe(false);
  });
});

describe("bookinfo captures: generate → verify", () => {
  it("generates one policy per workload plus default deny and DNS per namespace", () => {
    const np = findLayer(set, "k8s-np")!.policies;
    const bookinfo = np.filter((p) => p.namespace === "bookinfo").map((p) => p.name);
    expect(bookinfo).toEqual(
      expect.arrayContaining([
        "default-deny",
        "allow-dns-egress",
        "productpage-v1",
        "details-v1",
        "reviews-v1",
        "reviews-v2",
        "reviews-v3",
        "ratings-v1",
      ]),
    );
    expect(np.some((p) => p.namespace === "kube-system")).toBe(false);
  });

  it("denies none of the real forwarded flows", async () => {
    const report = await verifySet(set, "all");
    expect(report.summary.evaluated).toBeGreaterThan(1000);
    expect(report.summary.denied).toBe(0);
    expect(report.denied).toEqual([]);
  });

  it("with any one ingress rule for an in-cluster peer removed, denies exactly that edge's flows", async () => {
    const np = findLayer(set, "k8s-np")!;
    const targets: { policy: number; rule: number }[] = [];
    np.policies.forEach((p, pi) => {
      p.rules.forEach((r, ri) => {
        if (r.direction === "ingress" && r.peers.every((x) => x.kind === "pods"))
          targets.push({ policy: pi, rule: ri });
      });
    });
    expect(targets.length).toBeGreaterThanOrEqual(6);
    for (const t of targets) {
      const copy: PolicySet = structuredClone(set);
      const layer = findLayer(copy, "k8s-np")!;
      const [removed] = layer.policies[t.policy].rules.splice(t.rule, 1);
      const edges = removed.evidence!.edges!;
      const expectedFlows = map.edges
        .filter((e) => edges.includes(`${e.src} -> ${e.dst}`))
        .reduce((n, e) => n + e.flows, 0);
      const report = await verifySet(copy, `minus-${t.policy}-${t.rule}`);
      const where = `${layer.policies[t.policy].namespace}/${layer.policies[t.policy].name} ingress rule ${t.rule}`;
      expect(report.summary.denied, where).toBe(expectedFlows);
      expect([...new Set(report.denied.map((d) => `${d.src} -> ${d.dst}`))].sort(), where).toEqual(
        [...edges].sort(),
      );
      expect(
        report.denied.every((d) => d.deniedBy === "ingress"),
        where,
      ).toBe(true);
    }
  });
});

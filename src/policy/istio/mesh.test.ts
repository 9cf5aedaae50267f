import { describe, expect, it } from "vitest";
import { replay } from "../../analysis/replay/replay.js";
import { createEvaluator } from "../../eval/evaluate.js";
import type { CommunicationMap, MapWorkload } from "../../model/map.js";
import type { Workload } from "../../model/workload.js";
import { findLayer } from "../ir/types.js";
import { synthesizePolicies } from "../synth/synthesize.js";
import { namespaceMeshState, workloadMeshState } from "./mesh.js";
import { synthesizeIstio } from "./synth.js";

const NAME = "kubernetes.io/metadata.name";

describe("mesh membership from labels", () => {
  it.each([
    [{ [NAME]: "a", "istio-injection": "enabled" }, "in"],
    [{ [NAME]: "a", "istio.io/rev": "1-22" }, "in"],
    [{ [NAME]: "a", "istio-injection": "disabled" }, "out"],
    [{ [NAME]: "a", team: "x" }, "out"],
    [{ [NAME]: "a" }, "unknown"],
    [undefined, "unknown"],
  ])("namespace %j is %s", (labels, state) => {
    expect(namespaceMeshState(labels)).toBe(state);
  });

  it("a pod's sidecar.istio.io/inject label overrides its namespace", () => {
    const ns = { [NAME]: "a", "istio-injection": "enabled" };
    expect(workloadMeshState({ labels: { "sidecar.istio.io/inject": "false" }, namespaceLabels: ns })).toBe(
      "out",
    );
    expect(
      workloadMeshState({ labels: { "sidecar.istio.io/inject": "true" }, namespaceLabels: { [NAME]: "a" } }),
    ).toBe("in");
  });
});

const wl = (ns: string, name: string, nsLabels: Record<string, string>): MapWorkload => ({
  id: `${ns}/${name}`,
  kind: "pod-owner",
  namespace: ns,
  name,
  labels: { app: name },
  namespaceLabels: { [NAME]: ns, ...nsLabels },
  serviceAccount: name,
});
const edge = (src: string, dst: string, port: number) => ({
  src,
  dst,
  ports: [{ protocol: "TCP" as const, port }],
  flows: 1,
  provenance: "observed" as const,
});

const map: CommunicationMap = {
  schemaVersion: 1,
  workloads: [
    wl("shop", "web", { "istio-injection": "enabled" }),
    wl("shop", "api", { "istio-injection": "enabled" }),
    wl("mon", "prometheus", { "istio-injection": "disabled" }),
    wl("legacy", "batch", {}),
  ],
  edges: [
    edge("shop/web", "shop/api", 8080),
    edge("mon/prometheus", "shop/api", 9090),
    edge("mon/prometheus", "legacy/batch", 9100),
    edge("shop/web", "legacy/batch", 80),
  ],
};

describe("generate --target istio and mesh membership", () => {
  const k8s = synthesizePolicies(map);
  const r = synthesizeIstio(k8s.set, map);
  const all = r.set.layers.flatMap((l) => l.policies);

  it("writes no Istio policy for a namespace outside the mesh, and warns", () => {
    expect(all.filter((p) => p.namespace === "mon")).toEqual([]);
    expect(r.warnings).toContain(
      "namespace mon is not in the mesh (its namespace is labelled istio-injection=disabled): no Istio policy written for it (its pods have no sidecar to enforce them, and STRICT mTLS would reject their plain-text traffic)",
    );
  });

  it("admits no principal for a client outside the mesh, and warns for its rule", () => {
    const api = findLayer(r.set, "istio-allow")!.policies.find((p) => p.name === "api")!;
    expect(api.rules.flatMap((x) => x.peers)).toEqual([
      { kind: "principals", patterns: ["cluster.local/ns/shop/sa/web"] },
    ]);
    expect(r.warnings).toContain(
      "shop/api: client mon/prometheus is outside the mesh (its namespace is labelled istio-injection=disabled): it presents no mTLS identity, so no principal can admit it and STRICT mTLS rejects its plain-text requests",
    );
  });

  it("assumes a namespace without labels is in the mesh, with one note", () => {
    expect(all.some((p) => p.namespace === "legacy" && p.kind === "PeerAuthentication")).toBe(true);
    expect(r.notes.filter((n) => n.includes("assumed in the Istio mesh"))).toEqual([
      "the data has no namespace labels for legacy: assumed in the Istio mesh (label them istio-injection=enabled or istio.io/rev, or give their Namespace objects to `microseg discover --inventory`)",
    ]);
  });

  it("verify: a client outside the mesh matches no principal, even one a policy names", async () => {
    const set = structuredClone(r.set);
    // without PeerAuthentication (STRICT alone would reject plain text): the principal decides
    findLayer(set, "istio-peer-authn")!.policies = [];
    const api = findLayer(set, "istio-allow")!.policies.find((p) => p.name === "api")!;
    api.rules[0].peers = [{ kind: "principals", patterns: ["cluster.local/ns/mon/sa/prometheus"] }];
    const prom = map.workloads[2] as Workload;
    const apiW = map.workloads[1] as Workload;
    const report = await replay(
      [{ src: prom, dst: apiW, protocol: "TCP", port: 8080, count: 1 }],
      createEvaluator(set),
    );
    expect(report.summary.denied).toBe(1);
    // the same principal from a pod in the mesh is admitted
    const inMesh = { ...prom, namespaceLabels: { [NAME]: "mon", "istio-injection": "enabled" } };
    const ok = await replay(
      [{ src: inMesh, dst: apiW, protocol: "TCP", port: 8080, count: 1 }],
      createEvaluator(set),
    );
    expect(ok.summary.denied).toBe(0);
  });
});

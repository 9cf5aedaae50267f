import { describe, expect, it } from "vitest";
import { learnL7 } from "../../graph/l7.js";
import type { CommunicationMap } from "../../model/map.js";
import { emitCiliumPolicies } from "../cilium/emit.js";
import { synthesizeCilium } from "../cilium/synth.js";
import { findLayer } from "../ir/types.js";
import { emitK8sPolicies } from "../k8s/emit.js";
import { synthesizePolicies } from "./synthesize.js";

const map: CommunicationMap = {
  schemaVersion: 1,
  workloads: [
    {
      id: "mon/prometheus",
      kind: "pod-owner",
      namespace: "mon",
      name: "prometheus",
      labels: { app: "prom" },
    },
    { id: "mon/jaeger", kind: "pod-owner", namespace: "mon", name: "jaeger", labels: {} },
    { id: "ops/operator", kind: "pod-owner", namespace: "ops", name: "operator", labels: {} },
  ],
  edges: [
    {
      src: "mon/prometheus",
      dst: "mon/jaeger",
      ports: [{ protocol: "TCP", port: 14269 }],
      flows: 3,
      provenance: "observed",
    },
    {
      src: "mon/prometheus",
      dst: "ops/operator",
      ports: [{ protocol: "TCP", port: 8888 }],
      flows: 2,
      provenance: "observed",
    },
  ],
};

describe("workloads the data has no labels for", () => {
  const r = synthesizePolicies(map, { excludeNamespaces: ["ops"] });

  it("keeps the namespace-wide selectors (observed traffic keeps flowing)", () => {
    const np = findLayer(r.set, "k8s-np")!.policies;
    expect(np.find((p) => p.name === "jaeger")?.subject.pods).toEqual({});
    const egress = np.find((p) => p.name === "prometheus")!.rules.filter((x) => x.direction === "egress");
    expect(egress.map((x) => x.peers[0])).toEqual([
      { kind: "pods", namespaces: { kind: "names", names: ["mon"] }, pods: {} },
      { kind: "pods", namespaces: { kind: "names", names: ["ops"] }, pods: {} },
    ]);
  });

  it("warns once per widened policy and per widened peer, naming discover --inventory, and counts them", () => {
    expect(r.warnings).toEqual([
      "mon/jaeger: this policy selects every pod of namespace mon, because the data has no labels for mon/jaeger; give its manifests to `microseg discover --inventory <manifests>` to narrow it",
      "mon/prometheus -> mon/jaeger: this peer is every pod of namespace mon, because the data has no labels for mon/jaeger; give its manifests to `microseg discover --inventory <manifests>` to narrow it",
      "mon/prometheus -> ops/operator: this peer is every pod of namespace ops, because the data has no labels for ops/operator; give its manifests to `microseg discover --inventory <manifests>` to narrow it",
    ]);
    expect(r.notes.some((n) => n.includes("no labels"))).toBe(false);
    expect(r.widened).toEqual(["mon/jaeger", "ops/operator"]);
  });

  it("comments each widened selector and rule in the YAML (NetworkPolicy and Cilium)", () => {
    const k8s = emitK8sPolicies(r.set);
    const jaeger = k8s.find((o) => o.file === "mon/jaeger.yaml")!;
    expect(jaeger.comments).toContainEqual({
      path: ["spec"],
      text: " this policy selects every pod of namespace mon, because the data has no labels for mon/jaeger",
    });
    const prom = k8s.find((o) => o.file === "mon/prometheus.yaml")!;
    expect(prom.comments.find((c) => c.path.join(".") === "spec.egress.1")?.text).toContain(
      "this peer is every pod of namespace ops, because the data has no labels for ops/operator",
    );
    const cilium = emitCiliumPolicies(synthesizeCilium(r.set, r.units, learnL7(map)).set);
    const cj = cilium.find((o) => o.file === "mon/cilium-jaeger.yaml")!;
    expect(cj.comments.find((c) => c.path.join(".") === "spec")?.text).toContain(
      "every pod of namespace mon",
    );
  });
});

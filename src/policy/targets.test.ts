import { describe, expect, it } from "vitest";
import { resourceOf } from "../eval/test-support.js";
import { ProblemSink } from "../model/problems.js";
import { parseAllPolicies, policyTargetsOf } from "./parse-all.js";
import { TARGET_NAMES } from "./target-names.js";
import { TARGETS, targetNames } from "./targets.js";

/** One valid policy of each kind the registry should route (hand-written samples). */
const SAMPLES = [
  resourceOf({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "np", namespace: "ns1" },
    spec: { podSelector: {}, ingress: [{}] },
  }),
  resourceOf({
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "AdminNetworkPolicy",
    metadata: { name: "anp" },
    spec: {
      priority: 1,
      subject: { namespaces: {} },
      ingress: [{ action: "Allow", from: [{ namespaces: {} }] }],
    },
  }),
  resourceOf({
    apiVersion: "cilium.io/v2",
    kind: "CiliumNetworkPolicy",
    metadata: { name: "cnp", namespace: "ns1" },
    spec: { endpointSelector: {}, ingress: [{}] },
  }),
  resourceOf({
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name: "ap", namespace: "ns1" },
    spec: {},
  }),
];

describe("the target registry (contract every target passes)", () => {
  it("the CLI's list of target names (loaded without the targets) is the registry's", () => {
    expect([...TARGET_NAMES]).toEqual(targetNames());
  });

  for (const target of TARGETS)
    describe(target.name, () => {
      it("reads kinds no other target reads", () => {
        const others = TARGETS.filter((t) => t !== target).flatMap((t) => t.kinds);
        expect(target.kinds.length).toBeGreaterThan(0);
        expect(target.kinds.filter((k) => others.includes(k))).toEqual([]);
      });

      it("parses the samples of its kinds into policies, and ignores every other kind", () => {
        const sink = new ProblemSink();
        const mine = SAMPLES.filter((r) => target.kinds.includes(r.kind));
        const count = (rs: typeof SAMPLES) =>
          target.parse(rs, sink, {}).layers.reduce((n, l) => n + l.policies.length, 0);
        expect(count(mine)).toBe(mine.length);
        expect(count(SAMPLES.filter((r) => !target.kinds.includes(r.kind)))).toBe(0);
        expect(sink.items).toEqual([]);
      });
    });

  it("parse-all routes by kind: targets in registry order, Cilium's layer in the NetworkPolicy layer's place", () => {
    const sink = new ProblemSink();
    const set = parseAllPolicies(SAMPLES, sink);
    expect(sink.items).toEqual([]);
    expect(policyTargetsOf(set)).toEqual(["k8s", "cilium", "istio"]);
    expect(set.layers.map((l) => `${l.stage}:${l.policies.map((p) => p.name).join(",")}`)).toEqual([
      "k8s-anp:anp",
      "cilium:cnp,np",
      "k8s-banp:",
      "istio-peer-authn:",
      "istio-deny:",
      "istio-allow:ap",
      "istio-audit:",
    ]);
  });

  it("without Cilium policies the NetworkPolicy layer stays; with no policy at all the target is k8s", () => {
    const sink = new ProblemSink();
    const set = parseAllPolicies([SAMPLES[0], SAMPLES[3]], sink);
    expect(policyTargetsOf(set)).toEqual(["k8s", "istio"]);
    expect(set.layers.map((l) => l.stage).slice(0, 3)).toEqual(["k8s-anp", "k8s-np", "k8s-banp"]);
    const none = parseAllPolicies([], sink);
    expect(none.target).toBe("k8s");
    expect(none.layers.map((l) => l.stage)).toEqual(["k8s-anp", "k8s-np", "k8s-banp"]);
  });
});

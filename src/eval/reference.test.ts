import { describe, expect, it } from "vitest";
import type { NetworkPolicy } from "../policy/k8s/types.js";
import { type RefCluster, type RefPod, referenceAllows } from "./reference.js";

const a: RefPod = { namespace: "ns1", name: "a", labels: { app: "a" }, ports: [] };
const outside = { ip: "8.8.8.8" };

function policy(spec: NetworkPolicy["spec"]): RefCluster {
  return {
    namespaces: {},
    policies: [
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "p", namespace: "ns1" },
        spec,
      },
    ],
  };
}

describe("reference evaluator: policyTypes defaulting", () => {
  // fixed expectations from the API's defaulting (Egress only for a non-empty egress list)
  const table: [string, NetworkPolicy["spec"], boolean][] = [
    ["egress: [] without policyTypes leaves egress open", { podSelector: {}, egress: [] }, true],
    ["no egress field leaves egress open", { podSelector: {}, ingress: [] }, true],
    ["egress: [{to: []}] isolates and allows all", { podSelector: {}, egress: [{ to: [] }] }, true],
    [
      "egress to another address only isolates",
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }] },
      false,
    ],
    [
      "policyTypes [Egress] with egress: [] denies",
      { podSelector: {}, policyTypes: ["Egress"], egress: [] },
      false,
    ],
  ];
  for (const [name, spec, allowed] of table)
    it(name, () => {
      expect(referenceAllows(policy(spec), { pod: a }, outside, "TCP", 443)).toBe(allowed);
    });
});

/**
 * network-config-analyzer's Istio connectivity maps (55 expected outputs, txt and yaml): our
 * evaluation of the same topology and policies must give the same TCP connections between
 * workloads. Cases whose inputs also use Sidecar, Gateway, VirtualService or ServiceEntry (traffic
 * config we do not evaluate) are run and counted separately.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { corpusPath } from "../helpers/corpus.js";
import {
  diffPairs,
  expectedFromPairs,
  expectedFromTxt,
  expectedFromYaml,
  istioQueries,
  loadQuery,
  ourPairs,
} from "./nca-istio-cases.js";

const TRAFFIC_KINDS = ["Sidecar", "Gateway", "VirtualService", "ServiceEntry"];

/** Cases that differ for a documented reason (docs/semantics.md, "NCA Istio cases"). */
const EXCEPTIONS: Record<string, string> = {};

/**
 * NCA's Istio root namespace is `istio-config` (its allow-nothing-3 case puts a mesh-wide
 * allow-nothing there); Istio's default is `istio-system` (meshConfig.rootNamespace). The cases
 * with a policy in `istio-config` run with that root, as NCA configures it.
 */
const ROOT_NAMESPACE: Record<string, string> = { "istio-allow-nothing-3": "istio-config" };

const tally = { authz: { pass: 0, fail: 0 }, traffic: { pass: 0, fail: 0 } };

describe("NCA Istio connectivity maps", () => {
  const queries = istioQueries();
  it("has the 55 copied Istio connectivity maps", () => {
    expect(queries.length).toBe(55);
  });
  for (const q of queries) {
    const name = `${q.query} (${q.outputFormat ?? "txt"}) ${q.expectedOutput.split("/").pop()}`;
    it(name, async () => {
      const loaded = await loadQuery(q);
      const inv = loaded.inv;
      const ours = ourPairs(loaded, { istioRootNamespace: ROOT_NAMESPACE[q.query] });
      const text = readFileSync(corpusPath("network-config-analyzer", q.expectedOutput), "utf8");
      const format = q.outputFormat ?? "txt";
      const expected =
        format === "yaml"
          ? expectedFromYaml(text, inv)
          : format === "txt_no_fw_rules"
            ? expectedFromPairs(text, inv)
            : expectedFromTxt(text, inv);
      const traffic = ours.kinds.some((k) => TRAFFIC_KINDS.includes(k));
      const diff = diffPairs(expected, ours.pairs);
      const group = traffic ? tally.traffic : tally.authz;
      if (diff.length === 0) group.pass++;
      else group.fail++;
      if (traffic || EXCEPTIONS[name]) return;
      expect(ours.errors).toEqual([]);
      expect(inv.workloads.length).toBeGreaterThan(0);
      expect(diff.slice(0, 20)).toEqual([]);
    });
  }
  afterAll(() => {
    console.log(
      `NCA Istio: authorization-only cases ${tally.authz.pass}/${tally.authz.pass + tally.authz.fail} pass; ` +
        `with Sidecar/Gateway/VirtualService/ServiceEntry ${tally.traffic.pass}/${tally.traffic.pass + tally.traffic.fail} pass (not required)`,
    );
  });
});

/**
 * Connectivity against netpol-analyzer's expected outputs (../shared/corpus/netpol-analyzer) for the
 * plain connlist cases using NetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy
 * (Ingress/Route, multi-network and the focus/exposure/explain options are issue 3's runner).
 */
import { describe, expect, it } from "vitest";
import { corpusPath } from "../../../test/helpers/corpus.js";
import { loadK8sInventory } from "../../inventory/k8s/load.js";
import { readTextFile } from "../../io/files.js";
import { ProblemSink } from "../../model/problems.js";
import { parseK8sPolicies } from "../../policy/k8s/parse.js";
import { renderConnlistJson, renderConnlistTxt } from "../../render/connlist.js";
import { analyzeConnectivity } from "./connectivity.js";

interface ConnlistCase {
  test_dir: string;
  format: string;
  expected_output: string;
  expected_copied: boolean;
  exposure: boolean;
  focus_workloads: string[];
  focus_conn: string;
  multiple_networks: boolean;
}

const NOT_YET = /UserDefinedNetwork|MultiNetworkPolicy|VirtualMachine|"Ingress"|"Route"|NetworkAttachment/;

async function connlist(dir: string, format: string): Promise<string> {
  const inv = await loadK8sInventory([corpusPath("netpol-analyzer", "tests", dir)], { syntaxErrors: "skip" });
  const sink = new ProblemSink();
  const policies = parseK8sPolicies(inv.resources, sink);
  expect(sink.errors()).toEqual([]);
  const pairs = analyzeConnectivity({ workloads: inv.workloads, namespaces: inv.namespaces, policies });
  return format === "json" ? renderConnlistJson(pairs) : renderConnlistTxt(pairs);
}

/** The corpus compares after removing every newline. */
function flat(s: string): string {
  return s.replace(/[\r\n]/g, "");
}

describe("connectivity vs netpol-analyzer (NetworkPolicy, ANP, BANP cases)", async () => {
  const manifest = JSON.parse(await readTextFile(corpusPath("netpol-analyzer", "cases.json")));
  const features: Record<string, unknown> = manifest.dir_features;
  const cases = (manifest.connlist as ConnlistCase[]).filter(
    (c) =>
      (c.format === "txt" || c.format === "json") &&
      c.expected_copied &&
      !c.exposure &&
      c.focus_workloads.length === 0 &&
      !c.focus_conn &&
      !c.multiple_networks &&
      !NOT_YET.test(JSON.stringify(features[c.test_dir] ?? {})),
  );

  it("selects a meaningful number of cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(120);
  });

  for (const c of cases)
    it(`${c.test_dir} (${c.format})`, async () => {
      const want = await readTextFile(corpusPath("netpol-analyzer", c.expected_output));
      const got = await connlist(c.test_dir, c.format);
      expect(c.format === "json" ? JSON.parse(got) : flat(got)).toEqual(
        c.format === "json" ? JSON.parse(want) : flat(want),
      );
    });
});

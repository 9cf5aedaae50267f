/**
 * CDE isolation on Online Boutique with paymentservice as the CDE and checkoutservice as its
 * connector (test/fixtures/config/online-boutique-cde.yaml): the maintainers' policies and ours
 * isolate it; without the connector, or with a policy that opens it, the breaking paths are listed
 * with the rules behind each hop and the command exits 1. The evidence names every input with its
 * SHA-256.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { CdeEvidence } from "../../src/analysis/cde/evidence.js";
import { discoverMap } from "../../src/cli/commands/discover.js";
import { generateFromMap, renderObjects } from "../../src/cli/commands/generate.js";
import { writeDirAtomic } from "../../src/io/write.js";
import { problemLines, run, scratchDirs } from "../cli/run.js";
import { corpusPath, repoRoot } from "../helpers/corpus.js";

const scratch = scratchDirs("cde");
const manifests = corpusPath("apps", "online-boutique", "manifests");
const maintainers = corpusPath("apps", "online-boutique", "policies", "network-policies");
const config = join(repoRoot(), "test", "fixtures", "config", "online-boutique-cde.yaml");
let dir: string;
let ours: string;

beforeAll(async () => {
  dir = scratch();
  const map = await discoverMap({ inventory: [manifests], log: () => {} });
  ours = join(dir, "ours");
  await writeDirAtomic(ours, renderObjects(generateFromMap(map, "k8s").objects));
});

async function cde(policies: string[], cfg = config) {
  const out = join(scratch(), "evidence");
  const r = await run([
    "cde",
    ...policies.flatMap((p) => ["--policies", p]),
    "--inventory",
    manifests,
    "--config",
    cfg,
    "--out",
    out,
  ]);
  const json =
    r.code < 2
      ? (JSON.parse(readFileSync(join(out, "cde-evidence.json"), "utf8")) as CdeEvidence)
      : undefined;
  const md = r.code < 2 ? readFileSync(join(out, "cde-evidence.md"), "utf8") : "";
  return { ...r, json, md };
}

function writeConfig(text: string): string {
  const p = join(scratch(), "microseg.yaml");
  writeFileSync(p, text);
  return p;
}

describe("microseg cde on Online Boutique", () => {
  it("the maintainers' policies: inbound, only checkoutservice reaches paymentservice (TCP 50051, by the paymentservice policy); outbound is unrestricted (egress [{}]): FAIL", async () => {
    const r = await cde([maintainers]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("CDE isolation: FAIL (1 CDE workload, connectors: default/checkoutservice)");
    expect(r.stdout).toContain("outbound: every outside address on every port (PCI DSS 1.3.2)");
    const e = r.json!;
    expect(e.result).toBe("not-isolated");
    expect(e.scope.members).toEqual(["default/paymentservice"]);
    expect(e.scope.connectors).toEqual(["default/checkoutservice"]);
    const pay = e.workloads[0];
    expect(pay.isolated).toBe(false);
    expect(pay.violations).toEqual([]); // nothing breaks in: the inbound proof holds
    // PCI DSS 1.3.2: paymentservice's egress [{}] lets it connect anywhere outside, on every port,
    // and to frontend (whose ingress admits everyone), an out-of-scope workload
    expect(pay.outbound.unrestricted).toBe(true);
    expect(pay.outbound.outside.map((h) => [h.dst, h.conns])).toEqual([
      ["outside 0.0.0.0-255.255.255.255", "All Connections"],
    ]);
    expect(pay.outbound.outside[0].egress.rules).toEqual([
      expect.stringMatching(/^NetworkPolicy default\/paymentservice egress rule #0 /),
    ]);
    expect(pay.outbound.outOfScope).toEqual(["default/frontend"]);
    expect(pay.outbound.workloads.map((h) => [h.dst, h.conns])).toEqual([
      ["default/frontend", "All Connections"],
    ]);
    expect(pay.connectors.map((h) => [h.src, h.conns])).toEqual([["default/checkoutservice", "TCP 50051"]]);
    expect(pay.connectors[0].ingress.rules).toEqual([
      expect.stringMatching(
        /^NetworkPolicy default\/paymentservice ingress rule #0 \(.*network-policy-paymentservice\.yaml:\d+\)$/,
      ),
    ]);
    // every input file is listed with its real digest: 11 manifests + 13 policies, and the config
    expect(e.inputs).toHaveLength(24);
    for (const i of e.inputs)
      expect(i.sha256).toBe(createHash("sha256").update(readFileSync(i.path)).digest("hex"));
    expect(e.config?.sha256).toBe(createHash("sha256").update(readFileSync(config)).digest("hex"));
    expect(e.policiesEvaluated).toHaveLength(13);
    expect(Number.isNaN(Date.parse(e.generatedAt))).toBe(false);
    expect(r.md).toContain("**FAIL: the CDE is not isolated.**");
    expect(r.md).toContain(
      "### default/paymentservice: NOT isolated (unrestricted outbound, outbound to 1 out-of-scope workload)",
    );
    expect(r.md).toContain(
      "- **FAIL:** it may connect to every outside address on every port: nothing is specifically denied.",
    );
    expect(r.md).toMatch(/\| .*network-policy-paymentservice\.yaml \| \d+ \| [0-9a-f]{64} \|/);
  });

  it("our policies (generated from the static map) isolate it, inbound and outbound: PASS", async () => {
    const r = await cde([ours]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.result).toBe("isolated");
    // paymentservice calls nothing in the map: its generated egress allows only DNS to kube-dns
    // (not in these manifests), so it may connect to nothing outside the CDE
    expect(r.json?.workloads[0].outbound).toEqual({
      outside: [],
      workloads: [],
      unrestricted: false,
      outOfScope: [],
    });
    expect(r.md).toContain("- It may connect to nothing outside the CDE.");
    expect(r.json?.workloads[0].connectors.map((h) => [h.src, h.conns])).toEqual([
      ["default/checkoutservice", "TCP 50051"],
    ]);
  });

  it("without the connector declared, every path is listed: checkoutservice directly, the rest and the outside through frontend (ingress [{}])", async () => {
    const cfg = writeConfig("cde:\n  members: [{names: [default/paymentservice]}]\n");
    const r = await cde([maintainers], cfg);
    expect(r.code).toBe(1);
    const v = r.json!.workloads[0].violations;
    expect(v.map((x) => x.path.join(" > "))).toContain("default/checkoutservice > default/paymentservice");
    expect(v.map((x) => x.path.join(" > "))).toContain(
      "outside > default/frontend > default/checkoutservice > default/paymentservice",
    );
    expect(v).toHaveLength(12); // 11 other workloads + the outside
    const viaFrontend = v.find((x) => x.source === "default/loadgenerator")!;
    expect(viaFrontend.hops.map((h) => `${h.src}>${h.dst} ${h.conns}`)).toEqual([
      "default/loadgenerator>default/frontend All Connections",
      "default/frontend>default/checkoutservice TCP 5050",
      "default/checkoutservice>default/paymentservice TCP 50051",
    ]);
    expect(viaFrontend.hops[0].ingress.rules[0]).toMatch(/^NetworkPolicy default\/frontend ingress rule #0/);
    expect(r.md).toContain("**FAIL: the CDE is not isolated.**");
  });

  it("restricted outbound to an outside range (TCP 443 to a payment gateway's /24) is evidence, not a failure", async () => {
    const extra = join(scratch(), "gateway");
    await writeDirAtomic(extra, [
      {
        path: "payments-gateway.yaml",
        content: [
          "apiVersion: networking.k8s.io/v1",
          "kind: NetworkPolicy",
          "metadata: {name: payments-gateway, namespace: default}",
          "spec:",
          "  podSelector: {matchLabels: {app: paymentservice}}",
          "  policyTypes: [Egress]",
          "  egress:",
          "    - to: [{ipBlock: {cidr: 203.0.113.0/24}}]",
          "      ports: [{protocol: TCP, port: 443}]",
          "",
        ].join("\n"),
      },
    ]);
    const r = await cde([ours, extra]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json!.workloads[0].outbound;
    expect(out.unrestricted).toBe(false);
    expect(out.outside.map((h) => [h.dst, h.conns])).toEqual([
      ["outside 203.0.113.0-203.0.113.255", "TCP 443"],
    ]);
    expect(out.outside[0].egress.rules).toEqual([
      expect.stringMatching(/^NetworkPolicy default\/payments-gateway egress rule #0 /),
    ]);
    expect(r.stdout).toContain("outbound (restricted): outside 203.0.113.0-203.0.113.255 (TCP 443)");
  });

  it("a policy that opens paymentservice breaks isolation; the report names that policy's rule", async () => {
    const extra = join(scratch(), "open");
    await writeDirAtomic(extra, [
      {
        path: "open-payments.yaml",
        content: [
          "apiVersion: networking.k8s.io/v1",
          "kind: NetworkPolicy",
          "metadata: {name: open-payments, namespace: default}",
          "spec:",
          "  podSelector: {matchLabels: {app: paymentservice}}",
          "  policyTypes: [Ingress]",
          "  ingress:",
          "    - from: [{podSelector: {matchLabels: {app: adservice}}}]",
          "",
        ].join("\n"),
      },
    ]);
    const r = await cde([maintainers, extra]);
    expect(r.code).toBe(1);
    const direct = r.json!.workloads[0].violations.find((x) => x.source === "default/adservice")!;
    expect(direct.path).toEqual(["default/adservice", "default/paymentservice"]);
    expect(direct.hops[0].ingress.rules[0]).toMatch(
      /^NetworkPolicy default\/open-payments ingress rule #0 \(.*open-payments\.yaml:1\)$/,
    );
  });

  it("bad input is exit 2 and nothing is written: no cde section, members selecting nothing", async () => {
    const none = await cde([maintainers], writeConfig("version: 1\n"));
    expect(none.code).toBe(2);
    expect(problemLines(none.stderr).join("\n")).toMatch(/no cde section/);
    const empty = await cde([maintainers], writeConfig("cde:\n  members: [{names: [nope]}]\n"));
    expect(empty.code).toBe(2);
    expect(problemLines(empty.stderr).join("\n")).toMatch(/selects no workload/);
  });
});

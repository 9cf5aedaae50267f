import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpusPath, repoRoot } from "../../../test/helpers/corpus.js";
import { parseFile, parseText, tally } from "../../../test/helpers/flow-parse.js";
import { flowDirection } from "../../graph/direction.js";
import { detectFormat } from "../registry.js";
import { gcpVpcFormat } from "./parse.js";

const SAMPLE = corpusPath("flows", "gcp-vpc", "elastic-beats-vpc-flow-log-entries-first8.jsonl");
const GKE = `${repoRoot()}/test/fixtures/flows/gcp-vpc/gke-details.json`;

// SOURCE.md says "reporters SRC 4 / DEST 4"; the file itself has 5 SRC and 3 DEST entries (checked below).
describe("GCP VPC flow logs: the real sample (8 entries)", () => {
  it("is detected as gcp-vpc", () => {
    expect(detectFormat(readFileSync(SAMPLE, "utf8").split("\n").slice(0, 10)).format?.name).toBe("gcp-vpc");
  });

  it("counts SRC reports and DEST reports from outside; DEST reports of VM-to-VM flows are duplicates", () => {
    const text = readFileSync(SAMPLE, "utf8");
    expect(text.match(/"reporter":"SRC"/g)).toHaveLength(5);
    expect(text.match(/"reporter":"DEST"/g)).toHaveLength(3);
    const r = parseFile(gcpVpcFormat, SAMPLE);
    expect(r.malformed).toHaveLength(0);
    expect(r.flows).toHaveLength(6);
    expect(r.ignored.map((s) => [s.line, s.reason])).toEqual([
      [2, "DEST report of a VM-to-VM flow (counted once, from its SRC report)"],
      [7, "DEST report of a VM-to-VM flow (counted once, from its SRC report)"],
    ]);
    expect(r.flows[0]).toMatchObject({
      src: { ip: "10.87.40.76", port: 5601, identity: { hints: { "gcp.vm-name": "kibana" } } },
      dst: { ip: "203.0.113.12", port: 33478 },
      protocol: "TCP",
      verdict: "forwarded",
      bytes: 1776,
      packets: 7,
      time: Date.UTC(2019, 5, 14, 3, 45, 37, 186),
    });
    // VM names are hints, never identities the resolver turns into workloads
    expect(r.flows[0].src.identity).toEqual({
      hints: { "gcp.vm-name": "kibana", "gcp.project": "my-sample-project", "gcp.zone": "us-east1-b" },
    });
  });

  it("the port rule makes server → client records replies: kibana:5601 and elasticsearch:9200/22 answers", () => {
    const r = parseFile(gcpVpcFormat, SAMPLE);
    expect(r.flows.map((f) => `${f.src.port}->${f.dst.port} ${flowDirection(f)}`)).toEqual([
      "5601->33478 reply",
      "9200->33576 reply",
      "22->59679 reply",
      "5601->50646 reply",
      "50646->5601 request",
      "33880->9200 request",
    ]);
  });
});

describe("GCP VPC flow logs: GKE details and firewall entries (sample written here, a JSON array)", () => {
  it("reads the array as a document, with each entry's line", () => {
    const lines = readFileSync(GKE, "utf8").split("\n");
    expect(gcpVpcFormat.isDocument?.(lines.slice(0, 10))).toBe(true);
    expect(detectFormat(lines.slice(0, 10)).format?.name).toBe("gcp-vpc");
    const r = parseFile(gcpVpcFormat, GKE);
    expect(r.malformed).toHaveLength(0);
    expect(r.flows.map((f) => f.origin.line)).toEqual(
      lines.flatMap((l, i) => (l === "  {" ? [i + 1] : [])).filter((_, i) => i !== 1),
    );
    expect(r.ignored).toHaveLength(1);
  });

  it("GKE pods resolve like pod names: namespace, pod, workload, kind, Service; VM and cluster as hints", () => {
    const [req, reply, external, denied] = parseFile(gcpVpcFormat, GKE).flows;
    expect(req.src.identity).toEqual({
      namespace: "shop",
      podName: "frontend-7d9c6bd8f5-x2k9p",
      workloadName: "frontend",
      workloadKind: "Deployment",
      service: { name: "frontend", namespace: "shop" },
      hints: {
        "gcp.vm-name": "gke-shop-prod-pool-1-a1b2c3d4-k9xz",
        "gcp.project": "shop-project",
        "gcp.zone": "europe-west1-b",
        "gcp.gke-cluster": "shop-prod",
      },
    });
    expect(req.dst).toMatchObject({ ip: "10.8.2.14", port: 7070, identity: { workloadName: "cartservice" } });
    expect(flowDirection(req)).toBe("request");
    expect(flowDirection(reply)).toBe("reply");
    expect(external.src.identity).toMatchObject({ workloadName: "redis-cart", workloadKind: "StatefulSet" });
    expect(external.dst.identity).toBeUndefined();
    expect(denied).toMatchObject({
      verdict: "dropped",
      rawVerdict: "DENIED",
      dropReason: "DENIED by network:shop-vpc/firewall:deny-all-ingress",
      policies: ["network:shop-vpc/firewall:deny-all-ingress"],
      dst: { port: 22 },
    });
  });

  it("the same entries as JSON lines give the same flows", () => {
    const entries = JSON.parse(readFileSync(GKE, "utf8")) as unknown[];
    const asLines = parseText(gcpVpcFormat, entries.map((e) => JSON.stringify(e)).join("\n"));
    const asDoc = parseFile(gcpVpcFormat, GKE);
    const key = (f: { src: { ip?: string }; dst: { ip?: string; port?: number }; verdict: string }) =>
      `${f.src.ip} ${f.dst.ip}:${f.dst.port} ${f.verdict}`;
    expect(asLines.flows.map(key)).toEqual(asDoc.flows.map(key));
    expect(tally(asLines.flows, (f) => f.verdict)).toEqual({ forwarded: 3, dropped: 1 });
  });

  it("entries without a connection are malformed with their line", () => {
    const r = parseText(gcpVpcFormat, '[\n  {"jsonPayload": {"reporter": "SRC"}},\n  {"nope": 1}\n]');
    expect(r.malformed.map((m) => m.line)).toEqual([2, 3]);
  });
});

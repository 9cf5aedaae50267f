import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpusPath } from "../../../test/helpers/corpus.js";
import type { Flow } from "../../model/flow.js";
import { type FlowParseResult, isFlowSkip } from "../types.js";
import { hubbleFormat, parseHubbleLine, parseRfc3339, pathOfUrl } from "./parse.js";

function flowOf(r: FlowParseResult): Flow {
  if (r === null || isFlowSkip(r)) throw new Error(`expected a flow, got ${JSON.stringify(r)}`);
  return r;
}

function parse(obj: unknown): FlowParseResult {
  return parseHubbleLine(JSON.stringify(obj), "t.jsonl", 7);
}

const productpage = {
  ID: 881,
  identity: 3418,
  namespace: "bookinfo",
  labels: [
    "k8s:app=productpage",
    "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=bookinfo",
    "k8s:io.cilium.k8s.policy.cluster=kind-kind",
    "k8s:io.cilium.k8s.policy.serviceaccount=bookinfo-productpage",
    "k8s:io.kubernetes.pod.namespace=bookinfo",
    "k8s:version=v1",
  ],
  pod_name: "productpage-v1-6b746f74dc-9rcxx",
};

describe("parseHubbleLine: records", () => {
  it("reads the exporter/jsonpb envelope with L4 ports, flags, reply and direction", () => {
    const f = flowOf(
      parse({
        flow: {
          time: "2021-11-10T10:40:56.465597700Z",
          verdict: "FORWARDED",
          IP: { source: "10.244.0.177", destination: "10.244.0.110", ipVersion: "IPv4" },
          l4: { TCP: { source_port: 35128, destination_port: 9080, flags: { SYN: true } } },
          source: productpage,
          destination: { identity: 11615, namespace: "bookinfo", pod_name: "reviews-v2-7bf8c9648f-r7bs2" },
          traffic_direction: "EGRESS",
          is_reply: false,
        },
        node_name: "kind-control-plane",
        time: "2021-11-10T10:40:56.465597700Z",
      }),
    );
    expect(f.time).toBe(Date.UTC(2021, 10, 10, 10, 40, 56, 465));
    expect(f).toMatchObject({
      protocol: "TCP",
      verdict: "forwarded",
      rawVerdict: "FORWARDED",
      isReply: false,
      direction: "egress",
      tcpFlags: ["SYN"],
      src: { ip: "10.244.0.177", port: 35128 },
      dst: { ip: "10.244.0.110", port: 9080 },
      origin: { format: "hubble", file: "t.jsonl", line: 7 },
    });
    expect(f.src.identity).toEqual({
      namespace: "bookinfo",
      podName: "productpage-v1-6b746f74dc-9rcxx",
      labels: { app: "productpage", version: "v1" },
      namespaceLabels: { "kubernetes.io/metadata.name": "bookinfo" },
      serviceAccount: "bookinfo-productpage",
    });
  });

  it("accepts a bare Flow object per line and lowerCamel field names", () => {
    const f = flowOf(
      parse({
        verdict: "DROPPED",
        IP: { source: "10.0.0.1", destination: "10.0.0.2" },
        l4: { UDP: { sourcePort: 5353, destinationPort: 53 } },
        source: { namespace: "a", podName: "x-0", labels: ["k8s:app=x"] },
        destination: { identity: 2, labels: ["reserved:world"] },
        isReply: false,
        dropReasonDesc: "POLICY_DENIED",
      }),
    );
    expect(f).toMatchObject({
      verdict: "dropped",
      protocol: "UDP",
      dropReason: "POLICY_DENIED",
      isReply: false,
    });
    expect(f.src.identity).toMatchObject({ namespace: "a", podName: "x-0", labels: { app: "x" } });
    expect(f.dst).toEqual({ ip: "10.0.0.2", port: 53, identity: { entity: "world" } });
  });

  it("maps every verdict per DESIGN, numeric enums included", () => {
    const v = (verdict: unknown) =>
      flowOf(parse({ flow: { verdict, IP: {}, source: {}, destination: {} } })).verdict;
    expect(["FORWARDED", "REDIRECTED", "DROPPED", "AUDIT", "TRACED", "TRANSLATED", "ERROR"].map(v)).toEqual([
      "forwarded",
      "forwarded",
      "dropped",
      "audit",
      "unknown",
      "unknown",
      "unknown",
    ]);
    expect([1, 2, 4, 5, 6].map(v)).toEqual(["forwarded", "dropped", "audit", "forwarded", "unknown"]);
  });

  it("reads reply flags: is_reply wins, legacy reply:true, otherwise unknown", () => {
    const r = (extra: object) =>
      flowOf(parse({ flow: { verdict: "FORWARDED", source: {}, destination: {}, ...extra } })).isReply;
    expect(r({ is_reply: true })).toBe(true);
    expect(r({ is_reply: false, reply: true })).toBe(false);
    expect(r({ reply: true })).toBe(true);
    expect(r({})).toBeUndefined();
  });

  it("reads HTTP (path without query, status) and DNS (no trailing dot, rcode, ips)", () => {
    const http = flowOf(
      parse({
        flow: {
          verdict: "FORWARDED",
          l7: {
            type: "RESPONSE",
            http: { code: 200, method: "GET", url: "http://details:9080/details/0?x=1#f" },
          },
        },
      }),
    ).http;
    expect(http).toEqual({ method: "GET", path: "/details/0", status: 200, host: "details:9080" });
    const dns = flowOf(
      parse({
        flow: {
          verdict: "FORWARDED",
          l7: { dns: { query: "productpage.bookinfo.svc.cluster.local.", ips: ["10.245.218.54"], rcode: 3 } },
        },
      }),
    ).dns;
    expect(dns).toEqual({
      query: "productpage.bookinfo.svc.cluster.local",
      ips: ["10.245.218.54"],
      rcode: 3,
    });
  });

  it("turns reserved labels and identity numbers into entities, kube-apiserver before host", () => {
    const ent = (ep: object) =>
      flowOf(parse({ flow: { verdict: "FORWARDED", source: ep } })).src.identity?.entity;
    expect(ent({ identity: 1, labels: ["reserved:host"] })).toBe("host");
    expect(ent({ labels: ["reserved:host", "reserved:kube-apiserver"] })).toBe("kube-apiserver");
    expect(ent({ identity: 6 })).toBe("remote-node");
    expect(ent({ identity: 9, labels: ["reserved:world-ipv4"] })).toBe("world");
    expect(ent({ identity: 5 })).toBe("init");
    expect(ent({ identity: 3418, labels: ["k8s:app=x"] })).toBeUndefined();
  });

  it("takes the workload from workloads[0] (new schema) and the namespace from the label", () => {
    const id = flowOf(
      parse({
        flow: {
          verdict: "AUDIT",
          source: {
            labels: ["k8s:io.kubernetes.pod.namespace=shop", "k8s:app=cart"],
            pod_name: "cart-abc-12345",
            workloads: [{ name: "cart", kind: "Deployment" }],
          },
        },
      }),
    ).src.identity;
    expect(id).toMatchObject({ namespace: "shop", workloadName: "cart", workloadKind: "Deployment" });
  });

  it("skips node_status and lost_events as ignored, non-JSON and flowless objects as malformed", () => {
    expect(
      parse({ node_status: { state: "NODE_CONNECTED" }, node_name: "n", time: "2021-01-01T00:00:00Z" }),
    ).toEqual({
      skip: "ignored",
      reason: "node_status record",
    });
    expect(parse({ lost_events: { num_events_lost: "3" } })).toMatchObject({ skip: "ignored" });
    expect(parseHubbleLine("not json {", "f", 1)).toMatchObject({ skip: "malformed" });
    expect(parseHubbleLine("[1,2]", "f", 1)).toMatchObject({ skip: "malformed" });
    expect(parse({ hello: "world" })).toMatchObject({ skip: "malformed" });
    expect(parseHubbleLine("   ", "f", 1)).toBeNull();
  });
});

describe("helpers", () => {
  it("parses RFC 3339 with nanoseconds and offsets", () => {
    expect(parseRfc3339("2021-06-16T16:52:13.136834446Z")).toBe(Date.UTC(2021, 5, 16, 16, 52, 13, 136));
    expect(parseRfc3339("2021-06-16T18:52:13+02:00")).toBe(Date.UTC(2021, 5, 16, 16, 52, 13));
    expect(parseRfc3339("yesterday")).toBeUndefined();
  });
  it("cuts URLs to paths", () => {
    expect(pathOfUrl("http://10.128.0.5:9990/metrics")).toBe("/metrics");
    expect(pathOfUrl("/a/b?c=d")).toBe("/a/b");
    expect(pathOfUrl("http://host")).toBe("/");
  });
});

/** SOURCE.md's table: records and verdict counts per file. */
const SOURCE_TABLE: Record<string, Record<string, number>> = {
  "hubble-otel-basic-sample-10-flows.jsonl": { FORWARDED: 10 },
  "hubble-otel-basic-sample-348-http-flows.jsonl": { FORWARDED: 348 },
  "hubble-otel-basic-sample-330-dns-flows.jsonl": { FORWARDED: 330 },
  "hubble-otel-basic-sample-400-tcp-flows.jsonl": { FORWARDED: 373, REDIRECTED: 27 },
  "hubble-otel-basic-sample-400-l7-redirected-flows.jsonl": { REDIRECTED: 400 },
  "hubble-otel-basic-sample-400-udp-flows.jsonl": { FORWARDED: 370, REDIRECTED: 30 },
  "hubble-otel-basic-sample-400-icmpv4-flows.jsonl": { FORWARDED: 18 },
  "cilium-docs-exporter-dropped.jsonl": { DROPPED: 2 },
};

describe("real captures (corpus/flows/hubble)", () => {
  for (const [file, verdicts] of Object.entries(SOURCE_TABLE)) {
    it(`${file}: records and verdicts match SOURCE.md`, () => {
      const lines = readFileSync(corpusPath("flows", "hubble", file), "utf8").split("\n");
      expect(hubbleFormat.detect(lines.slice(0, 10))).toBe(1);
      const parser = hubbleFormat.createParser(file);
      const counts: Record<string, number> = {};
      let records = 0;
      lines.forEach((l, i) => {
        const r = parser.parse(l, i + 1);
        if (r === null) return;
        const f = flowOf(r);
        records++;
        counts[f.rawVerdict ?? "?"] = (counts[f.rawVerdict ?? "?"] ?? 0) + 1;
        expect(f.time).toBeTypeOf("number");
      });
      expect(counts).toEqual(verdicts);
      expect(records).toBe(Object.values(verdicts).reduce((a, b) => a + b, 0));
    });
  }

  it("the 400-tcp capture has 65 L7 HTTP records, the 400-udp capture 148 DNS records", () => {
    const count = (file: string, pick: (f: Flow) => unknown) => {
      const parser = hubbleFormat.createParser(file);
      return readFileSync(corpusPath("flows", "hubble", file), "utf8")
        .split("\n")
        .map((l, i) => parser.parse(l, i + 1))
        .filter((r) => r !== null && !isFlowSkip(r) && pick(r)).length;
    };
    expect(count("hubble-otel-basic-sample-400-tcp-flows.jsonl", (f) => f.http)).toBe(65);
    expect(count("hubble-otel-basic-sample-400-udp-flows.jsonl", (f) => f.dns)).toBe(148);
  });

  it("the dropped exporter records carry their drop reasons", () => {
    const parser = hubbleFormat.createParser("d");
    const flows = readFileSync(corpusPath("flows", "hubble", "cilium-docs-exporter-dropped.jsonl"), "utf8")
      .split("\n")
      .map((l, i) => parser.parse(l, i + 1))
      .filter((r): r is Flow => r !== null && !isFlowSkip(r));
    expect(flows.map((f) => [f.protocol, f.dst.port, f.dropReason])).toEqual([
      ["ICMPv6", undefined, "INVALID_SOURCE_IP"],
      ["TCP", 80, "POLICY_DENIED"],
    ]);
    expect(flows[1].src.identity).toEqual({ namespace: "default", podName: "xwing" });
  });
});

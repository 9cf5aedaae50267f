import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpusPath, repoRoot } from "../../../test/helpers/corpus.js";
import { parseFile, tally } from "../../../test/helpers/flow-parse.js";
import { flowDirection } from "../../graph/direction.js";
import { detectFormat } from "../registry.js";
import { istioEnvoyFormat, parseAccessLine, serviceOfFqdn, splitAccessLine } from "./parse.js";

const istio = (f: string) => corpusPath("flows", "istio-envoy", f);
const fixture = (f: string) => `${repoRoot()}/test/fixtures/flows/istio-envoy/${f}`;

describe("Istio/Envoy access logs: real samples (SOURCE.md)", () => {
  it("every sample (and the written RBAC one) is detected as istio-envoy", () => {
    for (const f of [
      istio("elastic-integrations-istio-access-json.log"),
      istio("elastic-integrations-istio-access-text-bookinfo.log"),
      istio("elastic-integrations-istio-access-text-failed.log"),
      istio("istio-docs-access-log-sleep-httpbin.log"),
      fixture("rbac-denied.log"),
    ]) {
      expect(detectFormat(readFileSync(f, "utf8").split("\n").slice(0, 10)).format?.name, f).toBe(
        "istio-envoy",
      );
    }
  });

  it("istio docs: the same request from the client sidecar (outbound) and the server sidecar (inbound)", () => {
    const [out, inb] = parseFile(istioEnvoyFormat, istio("istio-docs-access-log-sleep-httpbin.log")).flows;
    expect(out).toMatchObject({
      direction: "egress",
      src: { ip: "10.44.1.23", port: 46520 },
      dst: {
        ip: "10.44.1.27",
        port: 80,
        identity: {
          service: { name: "httpbin", namespace: "foo" },
          names: ["httpbin.foo.svc.cluster.local"],
        },
      },
      http: { method: "GET", path: "/status/418", status: 418, host: "httpbin:8000" },
      verdict: "forwarded",
      rawVerdict: "418",
      isReply: false,
      time: Date.UTC(2020, 10, 25, 21, 26, 18, 409),
    });
    expect(inb).toMatchObject({
      direction: "ingress",
      src: { ip: "10.44.1.23", port: 37652 },
      dst: { ip: "10.44.1.27", port: 80, identity: { service: { name: "httpbin", namespace: "foo" } } },
    });
    expect(flowDirection(inb)).toBe("request");
  });

  it("bookinfo TEXT: 8 records, all forwarded 200, IPv6 addresses in brackets", () => {
    const r = parseFile(istioEnvoyFormat, istio("elastic-integrations-istio-access-text-bookinfo.log"));
    expect(r.malformed).toHaveLength(0);
    expect(tally(r.flows, (f) => `${f.verdict} ${f.http?.status}`)).toEqual({ "forwarded 200": 8 });
    expect(tally(r.flows, (f) => f.direction)).toEqual({ ingress: 6, egress: 2 });
    expect(r.flows[7].src).toEqual({ ip: "2a02:cf40::4e36", port: 5000 });
    expect(r.flows[3].dst).toMatchObject({ ip: "10.124.1.5", port: 9080 });
    expect(r.flows[0].dst.identity?.service).toEqual({ name: "details", namespace: "default" });
  });

  it("failed TEXT: 503 UH, 503 UF, 404 NR, 400 DPE, 0 DC, 418 — forwarded with codes and flags, no RBAC", () => {
    const r = parseFile(istioEnvoyFormat, istio("elastic-integrations-istio-access-text-failed.log"));
    expect(r.flows.map((f) => f.rawVerdict)).toEqual([
      "503 UH",
      "418",
      "404 NR",
      "404 NR",
      "400 DPE",
      "503 UH",
      "503 UF",
      "0 DC",
    ]);
    expect(new Set(r.flows.map((f) => f.verdict))).toEqual(new Set(["forwarded"]));
    // no upstream host chosen (UH): the service address is the destination
    expect(r.flows[0].dst).toMatchObject({ ip: "10.99.37.119", port: 8000 });
    // the malformed request (DPE) has no HTTP method
    expect(r.flows[4].http).toBeUndefined();
  });

  it("JSON: 3 records with nulls (the codec error has no HTTP request: its 400 stays in rawVerdict)", () => {
    const r = parseFile(istioEnvoyFormat, istio("elastic-integrations-istio-access-json.log"));
    expect(r.flows.map((f) => [f.src.ip, f.dst.ip, f.dst.port, f.http?.status, f.direction])).toEqual([
      ["10.124.0.13", "10.124.1.5", 9080, 200, "ingress"],
      ["2a02:cf40::4e36", "10.124.1.5", 9080, 200, "ingress"],
      ["10.128.0.60", "10.124.2.10", 8080, undefined, undefined],
    ]);
    expect(r.flows[2].rawVerdict).toBe("400 DPE");
  });
});

describe("Istio/Envoy access logs: RBAC denials (sample written here)", () => {
  it("403 rbac_access_denied and TCP termination denials are dropped with reason and policy", () => {
    const r = parseFile(istioEnvoyFormat, fixture("rbac-denied.log"));
    expect(r.malformed).toHaveLength(0);
    expect(r.flows.map((f) => [f.verdict, f.dropReason, f.policies?.[0], f.dst.port])).toEqual([
      [
        "dropped",
        "rbac_access_denied_matched_policy[ns[bookinfo]-policy[deny-sleep]-rule[0]]",
        "ns[bookinfo]-policy[deny-sleep]-rule[0]",
        9080,
      ],
      ["dropped", "rbac_access_denied_matched_policy[none]", undefined, 8080],
      ["forwarded", undefined, undefined, 8080],
      [
        "dropped",
        "rbac_access_denied_matched_policy[ns[db]-policy[mysql-clients]-rule[0]]",
        "ns[db]-policy[mysql-clients]-rule[0]",
        3306,
      ],
      ["dropped", "BlackHoleCluster: outbound traffic policy REGISTRY_ONLY", undefined, 443],
      ["dropped", "rbac_access_denied_matched_policy[none]", undefined, 8080],
    ]);
    expect(r.flows[1].http).toEqual({
      method: "GET",
      path: "/api/catalog",
      status: 403,
      host: "catalog.shop:8080",
    });
    expect(r.flows[3].dst.identity?.service).toEqual({ name: "mysql", namespace: "db" });
  });
});

describe("Istio/Envoy access logs: pieces", () => {
  it("splits bracketed, quoted and bare fields", () => {
    expect(splitAccessLine('[t] "GET / HTTP/1.1" 200 - "a b" x')).toEqual([
      "t",
      "GET / HTTP/1.1",
      "200",
      "-",
      "a b",
      "x",
    ]);
  });
  it("reads Service names only from cluster-local fqdns", () => {
    expect(serviceOfFqdn("reviews.default.svc.cluster.local")).toEqual({
      name: "reviews",
      namespace: "default",
    });
    expect(serviceOfFqdn("httpbin.org")).toBeUndefined();
  });
  it("reads Envoy's default format (13 fields) and reports other field counts", () => {
    const envoy =
      '[2024-01-01T00:00:00.000Z] "GET /x HTTP/1.1" 200 - 0 5 1 1 "-" "curl" "id" "svc:80" "10.0.0.9:80"';
    expect(parseAccessLine(envoy, "f", 1)).toMatchObject({
      dst: { ip: "10.0.0.9", port: 80 },
      http: { status: 200 },
    });
    expect(parseAccessLine('[2024-01-01T00:00:00.000Z] "GET /x HTTP/1.1" 200', "f", 2)).toEqual({
      skip: "malformed",
      reason: "expected Istio's default TEXT format (22 fields) or Envoy's (13), found 3 fields",
    });
  });
});

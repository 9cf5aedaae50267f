/**
 * End to end: `microseg discover --flows <real sample>` for the flow formats other than Hubble
 * (Hubble has its own e2e tests), through runCli, checking the map a person would read.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import type { CommunicationMap } from "../../src/model/map.js";
import { corpusPath, repoRoot } from "../helpers/corpus.js";

async function discover(args: string[]): Promise<{ code: number; map: CommunicationMap; log: string }> {
  let out = "";
  let err = "";
  const code = await runCli(["discover", "-o", "json", ...args], {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    isTty: false,
  });
  return {
    code,
    map: code === 0 ? (JSON.parse(out) as CommunicationMap) : ({} as CommunicationMap),
    log: err,
  };
}

const edgeKeys = (m: CommunicationMap) =>
  m.edges.map(
    (e) => `${e.src} -> ${e.dst} ${e.ports.map((p) => `${p.protocol}/${p.port}`).join(",")} x${e.flows}`,
  );

describe("discover on real samples of each format", () => {
  it("AWS default v2: accepted flows become edges between address peers, REJECTs go to dropped", async () => {
    const file = corpusPath("flows", "aws-vpc", "awsdocs-default-v2.log");
    const { code, map, log } = await discover(["--flows", file]);
    expect(code).toBe(0);
    expect(log).toContain(`flows: ${file}: read as aws-vpc (detected, score 1.00)`);
    expect(edgeKeys(map)).toEqual([
      "cidr:172.31.16.139/32 -> cidr:172.31.16.21/32 TCP/22 x1",
      "cidr:2001:db8:1234:a100:8d6e:3477:df66:f105/128 -> cidr:2001:db8:1234:a102:3304:8879:34cf:4071/128 TCP/22 x1",
    ]);
    expect(map.dropped?.map((d) => [d.src, d.dst, d.protocol, d.port, d.reasons])).toEqual([
      [
        "cidr:172.31.16.139/32",
        "cidr:203.0.113.12/32",
        "ICMP",
        undefined,
        ["REJECT: security group or network ACL"],
      ],
      ["cidr:172.31.9.69/32", "cidr:172.31.9.12/32", "TCP", 3389, ["REJECT: security group or network ACL"]],
    ]);
  });

  it("AWS opensearch capture: replies (443 → unprivileged port, service → 32768+) make no edges", async () => {
    const { map } = await discover([
      "--flows",
      corpusPath("flows", "aws-vpc", "opensearch-catalog-raw-v2.log"),
    ]);
    expect(map.summary?.records).toBe(371);
    // 78 records go from a lower port to one of 32768+, 72 from a well-known port to 1024–32767
    expect(map.summary?.repliesSkipped).toBe(150);
    expect(map.edges.some((e) => e.src === "cidr:44.226.104.101/32")).toBe(false);
  });

  it("AWS v7 without a header: --vpc-fields names the order; without it every line is reported", async () => {
    const file = corpusPath("flows", "aws-vpc", "elastic-integrations-v7-ecs-fields.log");
    const bad = await discover(["--flows", file]);
    expect(bad.log).toContain(
      `${file}:1: warning[flow-malformed]: a record without a header line has 39 fields`,
    );
    expect(bad.map.edges).toEqual([]);
    const fields =
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id";
    const good = await discover(["--flows", file, "--vpc-fields", fields]);
    expect(good.map.edges.length + (good.map.dropped?.length ?? 0)).toBe(4);
  });

  it("Istio text access logs: sidecar requests become edges on the service port", async () => {
    const { map } = await discover([
      "--flows",
      corpusPath("flows", "istio-envoy", "istio-docs-access-log-sleep-httpbin.log"),
    ]);
    expect(edgeKeys(map)).toEqual(["cidr:10.44.1.23/32 -> cidr:10.44.1.27/32 TCP/80 x2"]);
    expect(map.edges[0].http).toEqual([{ method: "GET", path: "/status/{id}" }]);
  });

  it("GCP: GKE details resolve to workloads; the firewall denial is dropped", async () => {
    const { map } = await discover(["--flows", `${repoRoot()}/test/fixtures/flows/gcp-vpc/gke-details.json`]);
    expect(edgeKeys(map)).toEqual([
      "shop/frontend -> shop/cartservice TCP/7070 x1",
      "shop/redis-cart -> cidr:203.0.113.40/32 TCP/443 x1",
    ]);
    expect(map.dropped?.map((d) => `${d.src} -> ${d.dst} ${d.port}`)).toEqual([
      "cidr:198.51.100.77/32 -> shop/frontend 22",
    ]);
  });

  it("Azure NSG v2: allowed outbound connections are edges, inbound denials are dropped", async () => {
    const { map } = await discover([
      "--flows",
      corpusPath("flows", "azure-nsg", "msdocs-nsg-flowlog-v2-PT1H.json"),
    ]);
    expect(map.edges.every((e) => e.src === "cidr:10.5.16.4/32" && e.ports[0].port === 443)).toBe(true);
    expect(map.edges).toHaveLength(4);
    expect(map.dropped).toHaveLength(7);
  });

  it("Zeek conn.log: originator → responder edges", async () => {
    const { map } = await discover(["--flows", corpusPath("flows", "zeek-conn", "zeek-cut-logs-conn.log")]);
    expect(edgeKeys(map)).toEqual([
      "cidr:141.142.220.235/32 -> cidr:199.233.217.249/32 TCP/21,TCP/56666,TCP/56667 x3",
      "cidr:199.233.217.249/32 -> cidr:141.142.220.235/32 TCP/33582,TCP/37835 x2",
    ]);
  });

  it("Calico: one edge per reported flow, the ingress denial in dropped", async () => {
    const { map } = await discover(["--flows", `${repoRoot()}/test/fixtures/flows/calico/flows.log`]);
    expect(edgeKeys(map)).toContain("hipstershop/loadgenerator -> hipstershop/frontend TCP/8080 x1");
    expect(edgeKeys(map)).toContain("hipstershop/frontend -> hipstershop/cartservice TCP/7070 x1");
    expect(map.dropped?.map((d) => `${d.src} -> ${d.dst} ${d.port}`)).toContain(
      "default/multitool -> hipstershop/checkoutservice 5050",
    );
  });

  it("--format overrides a wrong guess, and naming the wrong format reports every line", async () => {
    const file = corpusPath("flows", "zeek-conn", "zeek-cut-logs-conn.log");
    const forced = await discover(["--flows", file, "--format", "zeek-conn"]);
    expect(forced.log).toContain(`${file}: read as zeek-conn (--format zeek-conn)`);
    const wrong = await discover(["--flows", file, "--format", "aws-vpc"]);
    expect(wrong.map.edges).toEqual([]);
    expect(wrong.log).toContain("warning[flow-malformed]");
  });
});

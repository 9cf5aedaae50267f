import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { corpusPath } from "../../../test/helpers/corpus.js";
import { parseFile, parseText, tally } from "../../../test/helpers/flow-parse.js";
import { flowDirection } from "../../graph/direction.js";
import { readFlowBatches, readFlows } from "../../io/flow-files.js";
import type { Flow } from "../../model/flow.js";
import { MicrosegError, ProblemSink } from "../../model/problems.js";
import { detectFormat } from "../registry.js";
import { parseFieldList, VPC_DEFAULT_FIELDS } from "./fields.js";
import { awsVpcFormat } from "./parse.js";

const vpc = (f: string) => corpusPath("flows", "aws-vpc", f);
const tmp = mkdtempSync(join(tmpdir(), "microseg-vpc-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** SOURCE.md: the field order of the headerless v7 ECS file (39 fields) and of the v5 all-fields file (29). */
const V7_FIELDS =
  "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id";
const V5_FIELDS = V7_FIELDS.split(" ").slice(0, 29).join(" ");

describe("AWS VPC flow logs: real samples (counts from SOURCE.md)", () => {
  it("opensearch raw v2 capture: 371 ACCEPT OK flows, 404 NODATA ignored, 0 REJECT, 6 ENIs, 110 addresses", () => {
    const r = parseFile(awsVpcFormat, vpc("opensearch-catalog-raw-v2.log"));
    expect(r.flows).toHaveLength(371);
    expect(r.ignored).toHaveLength(404);
    expect(r.malformed).toHaveLength(0);
    expect(tally(r.flows, (f) => f.rawVerdict)).toEqual({ ACCEPT: 371 });
    expect(new Set(r.ignored.map((s) => s.reason))).toEqual(new Set(["NODATA record"]));
    const ips = new Set(r.flows.flatMap((f) => [f.src.ip, f.dst.ip]));
    expect(ips.size).toBe(110);
    const enis = new Set(
      readFileSync(vpc("opensearch-catalog-raw-v2.log"), "utf8")
        .trim()
        .split("\n")
        .map((l) => l.split(" ")[2]),
    );
    expect(enis.size).toBe(6);
  });

  it("docs default v2: ACCEPT, REJECT, NODATA, SKIPDATA, ICMP, IPv6 records", () => {
    const r = parseFile(awsVpcFormat, vpc("awsdocs-default-v2.log"));
    expect(r.ignored.map((s) => [s.line, s.reason])).toEqual([
      [3, "NODATA record"],
      [4, "SKIPDATA record"],
    ]);
    expect(r.flows.map((f) => [f.protocol, f.src.ip, f.src.port, f.dst.ip, f.dst.port, f.verdict])).toEqual([
      ["TCP", "172.31.16.139", 20641, "172.31.16.21", 22, "forwarded"],
      ["TCP", "172.31.9.69", 49761, "172.31.9.12", 3389, "dropped"],
      ["ICMP", "203.0.113.12", undefined, "172.31.16.139", undefined, "forwarded"],
      ["ICMP", "172.31.16.139", undefined, "203.0.113.12", undefined, "dropped"],
      [
        "TCP",
        "2001:db8:1234:a100:8d6e:3477:df66:f105",
        34892,
        "2001:db8:1234:a102:3304:8879:34cf:4071",
        22,
        "forwarded",
      ],
    ]);
    expect(r.flows[0]).toMatchObject({ time: 1418530010000, bytes: 4249, packets: 20, rawVerdict: "ACCEPT" });
    expect(r.flows[1].dropReason).toBe("REJECT: security group or network ACL");
  });

  it("custom v3 with tcp-flags (header line): SYN requests and SYN-ACK replies, the doubled space tolerated", () => {
    const r = parseFile(awsVpcFormat, vpc("awsdocs-custom-v3-tcp-flags.log"));
    expect(r.flows).toHaveLength(8);
    expect(r.malformed).toHaveLength(0);
    expect(r.flows.map((f) => [f.src.port, f.dst.port, f.tcpFlags?.join("+"), flowDirection(f)])).toEqual([
      [43416, 5001, "SYN", "request"],
      [5001, 43416, "ACK+SYN", "reply"],
      [43418, 5001, "SYN", "request"],
      [5001, 43418, "ACK+SYN", "reply"],
      [5001, 43418, "FIN", "reply"],
      [43418, 5001, "FIN", "request"],
      [43638, 5001, "FIN+SYN", "request"],
      [5001, 43638, "ACK+FIN+SYN", "reply"],
    ]);
  });

  it("custom v3 NAT gateway: pkt-srcaddr/pkt-dstaddr win; no action column → verdict unknown", () => {
    const r = parseFile(awsVpcFormat, vpc("awsdocs-custom-v3-nat-gateway.log"));
    expect(r.flows).toHaveLength(6);
    expect(r.flows[0]).toMatchObject({
      src: { ip: "10.0.1.5" },
      dst: { ip: "203.0.113.5" },
      verdict: "unknown",
    });
    expect(r.flows[3]).toMatchObject({ src: { ip: "203.0.113.5" }, dst: { ip: "10.0.1.5" } });
  });

  it("custom v3 transit gateway: 4 records in the header's order", () => {
    const r = parseFile(awsVpcFormat, vpc("awsdocs-custom-v3-transit-gateway.log"));
    expect(r.flows.map((f) => [f.src.ip, f.dst.ip, f.dst.port, f.tcpFlags?.join("+")])).toEqual([
      ["10.20.33.164", "10.40.2.236", 80, "FIN+SYN"],
      ["10.40.2.236", "10.20.33.164", 39812, "ACK+FIN+SYN"],
      ["10.20.33.164", "10.40.2.236", 80, "FIN+SYN"],
      ["10.40.2.236", "10.20.33.164", 39812, "ACK+FIN+SYN"],
    ]);
  });

  it("custom v5: flow-direction puts the instance/ENI names on the ENI's side, AWS service names on theirs", () => {
    const [ingress, egress] = parseFile(awsVpcFormat, vpc("awsdocs-custom-v5-aws-service.log")).flows;
    expect(ingress.direction).toBe("ingress");
    expect(ingress.src.identity).toEqual({ hints: { "aws.service": "S3" } });
    expect(ingress.dst.identity).toEqual({
      hints: { "aws.instance-id": "i-0c50d5961bcb2d47b", "aws.interface-id": "eni-1235b8ca123456789" },
    });
    expect(flowDirection(ingress)).toBe("reply");
    expect(egress).toMatchObject({
      direction: "egress",
      dst: { identity: { hints: { "aws.service": "S3" } } },
    });
    expect(flowDirection(egress)).toBe("request");
  });

  it("v7 ECS file without a header: each line says the field count needs --vpc-fields", () => {
    const r = parseFile(awsVpcFormat, vpc("elastic-integrations-v7-ecs-fields.log"));
    expect(r.flows).toHaveLength(0);
    expect(r.malformed).toHaveLength(10);
    expect(r.malformed[0].reason).toBe(
      "a record without a header line has 39 fields, not the 14 of the default v2 format: name the field order with --vpc-fields",
    );
  });

  it("v7 ECS file with --vpc-fields: OK records are flows with ECS names, NODATA/SKIPDATA ignored", () => {
    const r = parseFile(awsVpcFormat, vpc("elastic-integrations-v7-ecs-fields.log"), {
      vpcFields: V7_FIELDS,
    });
    expect(tally(r.flows, (f) => f.rawVerdict)).toEqual({ ACCEPT: 2, REJECT: 2 });
    expect(tally(r.ignored, (s) => s.reason)).toEqual({ "NODATA record": 4, "SKIPDATA record": 2 });
    const first = r.flows[0];
    expect(first).toMatchObject({
      src: { ip: "1.128.0.0", port: 64072 },
      dst: { ip: "2a02:cf40::", port: 22 },
    });
    expect(first.dst.identity?.hints).toEqual({
      "aws.ecs-cluster-name": "frontend-cluster",
      "aws.ecs-service-name": "payments-service",
      "aws.ecs-task-id": "6adbd0d6-211",
    });
  });

  it("a --vpc-fields order that does not fit says so with the counts", () => {
    const r = parseFile(awsVpcFormat, vpc("elastic-integrations-v5-all-fields.log"), {
      vpcFields: V7_FIELDS,
    });
    expect(r.malformed.map((m) => [m.line, m.reason])).toEqual([
      [1, "expected 39 fields (--vpc-fields), found 29"],
    ]);
    const ok = parseFile(awsVpcFormat, vpc("elastic-integrations-v5-all-fields.log"), {
      vpcFields: V5_FIELDS,
    });
    expect(ok.flows[0]).toMatchObject({
      verdict: "dropped",
      protocol: "UDP",
      src: { ip: "89.160.20.156", identity: { hints: { "aws.service": "AMAZON" } } },
      dst: { ip: "10.200.0.80", port: 33004 },
    });
  });

  it("v8 reject-reason BPA becomes the drop reason (the sample's NODATA record is ignored)", () => {
    const text = readFileSync(vpc("elastic-integrations-v8-reject-reason.log"), "utf8");
    const fields = { vpcFields: `${V7_FIELDS} reject-reason` };
    expect(parseText(awsVpcFormat, text, "v8", fields).ignored).toHaveLength(1);
    const asOk = text.replace(" REJECT NODATA ", " REJECT OK ");
    expect(parseText(awsVpcFormat, asOk, "v8", fields).flows[0].dropReason).toBe(
      "REJECT: VPC Block Public Access (BPA)",
    );
  });
});

describe("AWS VPC flow logs: layouts and malformed lines", () => {
  it("reads header lines and --vpc-fields in any spelling (spaces, commas, underscores, LogFormat placeholders)", () => {
    expect(parseFieldList("version account-id interface-id")).toEqual([
      "version",
      "account-id",
      "interface-id",
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a flow log LogFormat string
    expect(parseFieldList("${srcaddr} ${dstaddr},pkt_srcaddr")).toEqual([
      "srcaddr",
      "dstaddr",
      "pkt-srcaddr",
    ]);
    expect(parseFieldList("2 123456789010 eni-1")).toBeUndefined();
    expect(parseFieldList("hello world")).toBeUndefined();
  });

  it("a bad --vpc-fields value is a usage error", () => {
    expect(() => awsVpcFormat.createParser("f", { vpcFields: "1 2 3" })).toThrow(MicrosegError);
  });

  it("reports wrong field counts, actions and statuses; garbage is malformed, never a crash", () => {
    const text = [
      VPC_DEFAULT_FIELDS.join(" "),
      "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 1 ACCEPT",
      "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 1 MAYBE OK",
      "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 1 ACCEPT LATER",
      "2 1 eni-1 - - - - - - - 1 1 ACCEPT OK",
      "2 1 eni-1 10.0.0.1 10.0.0.2 1 https 6 1 1 1 1 ACCEPT OK",
      "2 1 eni-1 10.0.0.1 10.0.0.2 1 443 6 1 1k 1 1 ACCEPT OK",
      "2 1 eni-1 10.0.0.1 10.0.0.2 - - - - - 1 1 ACCEPT OK",
    ].join("\n");
    const r = parseText(awsVpcFormat, text, "f");
    expect(r.malformed.map((m) => [m.line, m.reason])).toEqual([
      [2, "expected 14 fields (the header on line 1), found 13"],
      [3, 'action must be ACCEPT or REJECT, found "MAYBE"'],
      [4, 'log-status must be OK, NODATA or SKIPDATA, found "LATER"'],
      [5, "a record with log-status OK needs srcaddr and dstaddr"],
      [6, 'dstport must be a number or "-", found "https"'],
      [7, 'bytes must be a number or "-", found "1k"'],
    ]);
    // "-" is an absent value, not a broken one
    expect(r.flows.map((f) => [f.origin?.line, f.protocol, f.dst.port])).toEqual([[8, "unknown", undefined]]);
  });

  it("the port rule keeps replies from well-known ports to unprivileged ones out of the edges", () => {
    const r = parseText(
      awsVpcFormat,
      [
        "2 1 eni-1 44.226.104.101 10.255.0.62 443 4385 6 18 7051 1 2 ACCEPT OK",
        "2 1 eni-1 10.255.0.62 44.226.104.101 4385 443 6 18 7051 1 2 ACCEPT OK",
        "2 1 eni-1 10.0.0.9 10.0.0.5 5432 41000 6 18 7051 1 2 ACCEPT OK",
      ].join("\n"),
    );
    expect(r.flows.map(flowDirection)).toEqual(["reply", "request", "reply"]);
  });
});

describe("AWS VPC flow logs: detection, gzip and Parquet through readFlows", () => {
  const read = async (files: string[], opts: { format?: string; vpcFields?: string } = {}) => {
    const problems = new ProblemSink();
    const chosen: string[] = [];
    const flows: Flow[] = [];
    for await (const f of readFlows(files, {
      problems,
      ...(opts.format ? { format: opts.format } : {}),
      ...(opts.vpcFields ? { parserOptions: { vpcFields: opts.vpcFields } } : {}),
      onFormat: (_file, format, reason) => chosen.push(`${format}: ${reason}`),
    }))
      flows.push(f);
    return { flows, problems, chosen };
  };

  it("auto-detects every sample as aws-vpc", () => {
    for (const f of [
      "opensearch-catalog-raw-v2.log",
      "awsdocs-default-v2.log",
      "awsdocs-custom-v3-tcp-flags.log",
      "awsdocs-custom-v3-nat-gateway.log",
      "awsdocs-custom-v3-transit-gateway.log",
      "awsdocs-custom-v5-aws-service.log",
      "elastic-integrations-v5-all-fields.log",
      "elastic-integrations-v7-ecs-fields.log",
      "elastic-integrations-v8-reject-reason.log",
    ]) {
      const lines = readFileSync(vpc(f), "utf8").split("\n").slice(0, 10);
      expect(detectFormat(lines).format?.name, f).toBe("aws-vpc");
    }
  });

  it("reads a gzipped copy of the real capture and says why it chose the format", async () => {
    const gz = join(tmp, "347283850106_vpcflowlogs_us-west-2_fl-1_20230321T0000Z_abc.log.gz");
    writeFileSync(gz, gzipSync(readFileSync(vpc("opensearch-catalog-raw-v2.log"))));
    const { flows, chosen, problems } = await read([gz]);
    expect(flows).toHaveLength(371);
    expect(chosen).toHaveLength(1);
    expect(chosen[0]).toMatch(/^aws-vpc: detected aws-vpc \(aws-vpc 1\.00, \w[\w-]* 0\.00/);
    expect(problems.items.map((p) => [p.code, p.message])).toEqual([
      [
        "flow-ignored",
        "404 records without a flow skipped (status records of the source: node status, lost events, NODATA …)",
      ],
    ]);
  });

  it("readFlowBatches gives the same flows in order, in batches", async () => {
    const file = vpc("opensearch-catalog-raw-v2.log");
    const batches: Flow[][] = [];
    for await (const b of readFlowBatches([file], { problems: new ProblemSink() })) batches.push(b);
    const { flows } = await read([file]);
    expect(batches.every((b) => b.length > 0)).toBe(true);
    expect(batches.flat().map((f) => f.origin.line)).toEqual(flows.map((f) => f.origin.line));
  });

  it("passes --vpc-fields through readFlows", async () => {
    const { flows } = await read([vpc("elastic-integrations-v7-ecs-fields.log")], { vpcFields: V7_FIELDS });
    expect(flows).toHaveLength(4);
  });

  it("reads the Parquet delivery format (underscore columns), converted from the real capture by DuckDB", async () => {
    const parquet = join(tmp, "vpc.parquet");
    const types: Record<string, string> = {
      version: "INTEGER",
      srcport: "INTEGER",
      dstport: "INTEGER",
      protocol: "INTEGER",
      packets: "BIGINT",
      bytes: "BIGINT",
      start: "BIGINT",
      end: "BIGINT",
    };
    const columns = VPC_DEFAULT_FIELDS.map((f) => `'${f.replaceAll("-", "_")}': '${types[f] ?? "VARCHAR"}'`);
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await conn.run(
      `COPY (SELECT * FROM read_csv('${vpc("opensearch-catalog-raw-v2.log")}', delim=' ', header=false, nullstr='-', columns={${columns.join(", ")}})) TO '${parquet}' (FORMAT parquet)`,
    );
    conn.closeSync();
    db.closeSync();
    expect(readFileSync(parquet).subarray(0, 4).toString()).toBe("PAR1");
    const { flows, chosen, problems } = await read([parquet]);
    expect(flows).toHaveLength(371);
    expect(chosen).toEqual(["aws-vpc: binary file (aws-vpc claims its first bytes)"]);
    expect(problems.items.map((p) => p.code)).toEqual(["flow-ignored"]);
    const text = parseFile(awsVpcFormat, vpc("opensearch-catalog-raw-v2.log")).flows;
    const key = (f: Flow) =>
      [f.src.ip, f.src.port, f.dst.ip, f.dst.port, f.protocol, f.bytes, f.time].join(" ");
    expect(flows.map(key)).toEqual(text.map(key));
    expect(flows[0].origin.line).toBeGreaterThan(1);
  });
});

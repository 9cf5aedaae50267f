import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { corpusPath } from "../../../test/helpers/corpus.js";
import { parseFile, tally } from "../../../test/helpers/flow-parse.js";
import { flowDirection } from "../../graph/direction.js";
import { readFlows } from "../../io/flow-files.js";
import type { Flow } from "../../model/flow.js";
import { ProblemSink } from "../../model/problems.js";
import { detectFormat } from "../registry.js";
import { azureFlowLogsFormat, parseAzureDocument } from "./parse.js";

const az = (f: string) => corpusPath("flows", "azure-nsg", f);

describe("Azure flow logs: real samples (SOURCE.md)", () => {
  it("every sample is detected as azure-flow-logs", () => {
    for (const f of [
      "msdocs-nsg-flowlog-v2-PT1H.json",
      "elastic-integrations-nsg-testdata.log",
      "msdocs-vnet-flowlog-v4-PT1H.json",
      "elastic-integrations-vnet-test.log",
    ]) {
      const d = detectFormat(readFileSync(az(f), "utf8").split("\n").slice(0, 10));
      expect(d.format?.name, f).toBe("azure-flow-logs");
    }
  });

  it("NSG v2 PT1H.json: 2 records, 11 tuples (7 denied, 4 allowed; states B/C/E), Unix seconds", () => {
    const r = parseFile(azureFlowLogsFormat, az("msdocs-nsg-flowlog-v2-PT1H.json"));
    expect(r.malformed).toHaveLength(0);
    expect(r.flows).toHaveLength(11);
    expect(tally(r.flows, (f) => f.verdict)).toEqual({ dropped: 7, forwarded: 4 });
    expect(tally(r.flows, (f) => f.rawVerdict)).toEqual({ "D B": 7, "A B": 1, "A E": 2, "A C": 1 });
    const first = r.flows[0];
    expect(first).toMatchObject({
      time: 1542110402000,
      src: { ip: "192.0.2.190", port: 28746 },
      dst: { ip: "10.5.16.4", port: 443, identity: { hints: { "azure.mac": "000D3AF87856" } } },
      protocol: "UDP",
      direction: "ingress",
      dropReason: "denied by rule DefaultRule_DenyAllInBound",
      policies: ["FABRIAKMVM1-NSG/DefaultRule_DenyAllInBound"],
      isReply: false,
    });
    // each tuple keeps the line it is on in the pretty-printed blob
    const lines = readFileSync(az("msdocs-nsg-flowlog-v2-PT1H.json"), "utf8").split("\n");
    for (const f of r.flows)
      expect(lines[f.origin.line - 1]).toContain(`${(f.time ?? 0) / 1000},${f.src.ip}`);
    const closed = r.flows.find((f) => f.rawVerdict === "A C");
    expect(closed).toMatchObject({ bytes: 16978 + 14008, packets: 54, direction: "egress" });
    expect(flowDirection(closed!)).toBe("request");
  });

  it("NSG testdata on one line: the same 11 tuples with the original addresses", () => {
    const r = parseFile(azureFlowLogsFormat, az("elastic-integrations-nsg-testdata.log"));
    expect(r.flows).toHaveLength(11);
    expect(tally(r.flows, (f) => f.verdict)).toEqual({ dropped: 7, forwarded: 4 });
    expect(new Set(r.flows.map((f) => f.origin.line))).toEqual(new Set([1]));
    expect(r.flows[0].src.ip).toBe("94.102.49.190");
  });

  it("VNet v4 PT1H.json: 19 tuples, 10 outbound B/E allowed and 9 inbound D denied; ms and IANA numbers", () => {
    const r = parseFile(azureFlowLogsFormat, az("msdocs-vnet-flowlog-v4-PT1H.json"));
    expect(r.flows).toHaveLength(19);
    expect(tally(r.flows, (f) => `${f.direction} ${f.rawVerdict} ${f.verdict}`)).toEqual({
      "egress B forwarded": 5,
      "egress E forwarded": 5,
      "ingress D dropped": 9,
    });
    expect(r.flows[0]).toMatchObject({ time: 1663146003599, protocol: "TCP", dst: { port: 443 } });
    expect(r.flows[1]).toMatchObject({ bytes: 767 + 1580, packets: 5 });
    const denied = r.flows.find((f) => f.verdict === "dropped");
    expect(denied).toMatchObject({
      dropReason: "denied by rule BlockHighRiskTCPPortsFromInternet",
      policies: ["01020304-abcd-ef00-1234-102030405060/BlockHighRiskTCPPortsFromInternet"],
      dst: { port: 22 },
    });
  });

  it("a bare VNet record (not wrapped in records): 2 tuples", () => {
    const r = parseFile(azureFlowLogsFormat, az("elastic-integrations-vnet-test.log"));
    expect(r.flows.map((f) => [f.src.ip, f.dst.ip, f.rawVerdict])).toEqual([
      ["1.128.0.0", "175.16.199.0", "B"],
      ["216.160.83.56", "81.2.69.142", "E"],
    ]);
  });
});

describe("Azure flow logs through readFlows (document mode)", () => {
  it("reads a pretty-printed blob from stdin with every tuple's line", async () => {
    const text = readFileSync(az("msdocs-vnet-flowlog-v4-PT1H.json"));
    const chosen: string[] = [];
    const flows: Flow[] = [];
    const stdin = Readable.from([text]);
    for await (const f of readFlows(["-"], {
      problems: new ProblemSink(),
      stdin,
      onFormat: (_file, format) => chosen.push(format),
    }))
      flows.push(f);
    expect(chosen).toEqual(["azure-flow-logs"]);
    expect(flows).toHaveLength(19);
    const lines = text.toString("utf8").split("\n");
    for (const f of flows) expect(lines[f.origin.line - 1]).toContain(`"${f.time},${f.src.ip},`);
  });

  it("reads a gzipped blob (PT1H.json.gz) the same way", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "microseg-azure-"));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));
    const gz = join(tmp, "PT1H.json.gz");
    writeFileSync(gz, gzipSync(readFileSync(az("msdocs-nsg-flowlog-v2-PT1H.json"))));
    const flows: Flow[] = [];
    for await (const f of readFlows([gz], { problems: new ProblemSink() })) flows.push(f);
    expect(flows.map((f) => f.verdict).filter((v) => v === "dropped")).toHaveLength(7);
    expect(flows).toHaveLength(11);
    expect(flows[0].origin).toEqual({ format: "azure-flow-logs", file: gz, line: 18 });
  });
});

describe("Azure flow logs: broken input", () => {
  it("short tuples and documents that are not flow logs are malformed with their line", () => {
    const text = [
      '{"records":[{"time":"t","properties":{"Version":2,"flows":[{"rule":"r","flows":[{"mac":"m","flowTuples":[',
      '"1542110402,1.2.3.4"',
      "]}]}]}}]}",
      '{"hello":"world"}',
    ].join("\n");
    const r = [...parseAzureDocument(text, "f")];
    expect(r.map((x) => [x.line, x.result && "skip" in x.result ? x.result.reason : "flow"])).toEqual([
      [2, 'a flow tuple has at least 8 fields, found 2: "1542110402,1.2.3.4"'],
      [4, 'expected an Azure flow-log document ({"records":[…]}) or record'],
    ]);
  });

  it("the line parser takes one-tuple lines and says why it cannot take more", () => {
    const p = azureFlowLogsFormat.createParser("f");
    const line = readFileSync(az("elastic-integrations-nsg-testdata.log"), "utf8").trim();
    expect(p.parse(line, 1)).toMatchObject({
      skip: "malformed",
      reason: expect.stringContaining("11 flow tuples"),
    });
  });
});

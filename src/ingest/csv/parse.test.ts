import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../test/helpers/corpus.js";
import { parseFile, parseText } from "../../../test/helpers/flow-parse.js";
import { flowDirection } from "../../graph/direction.js";
import { detectFormat } from "../registry.js";
import { csvFormat, csvVerdict, splitCsvLine } from "./parse.js";

const SAMPLE = `${repoRoot()}/test/fixtures/flows/csv/flows.csv`;

describe("plain CSV flows", () => {
  it("is detected from the header line", () => {
    expect(detectFormat(readFileSync(SAMPLE, "utf8").split("\n").slice(0, 10)).format?.name).toBe("csv");
    expect(csvFormat.detect(["a,b,c", "1,2,3"])).toBe(0);
  });

  it("reads the documented columns: times in three spellings, verdict words, workloads, labels, HTTP", () => {
    const r = parseFile(csvFormat, SAMPLE);
    expect(r.malformed).toHaveLength(0);
    expect(r.flows.map((f) => [f.time, f.protocol, f.verdict, f.dst.port])).toEqual([
      [Date.UTC(2024, 4, 2, 8, 0, 0), "TCP", "forwarded", 8080],
      [Date.UTC(2024, 4, 2, 8, 0, 1, 250), "TCP", "forwarded", 7070],
      [1714636802000, "TCP", "dropped", 22],
      [1714636803000, "TCP", "forwarded", 51900],
      [Date.UTC(2024, 4, 2, 8, 0, 4), "TCP", "forwarded", 443],
      [Date.UTC(2024, 4, 2, 8, 0, 5), "UDP", "forwarded", 53],
    ]);
    expect(r.flows[0].src.identity).toEqual({
      namespace: "shop",
      workloadName: "loadgenerator",
      labels: { app: "loadgenerator" },
    });
    expect(r.flows[0].http).toEqual({ method: "GET", path: "/cart", status: 200 });
    expect(r.flows[4].src.identity?.labels).toEqual({ app: "checkoutservice", tier: "backend" });
    expect(r.flows[2].dst.identity).toBeUndefined();
    expect(flowDirection(r.flows[3])).toBe("reply");
  });

  it("splits quoted fields", () => {
    expect(splitCsvLine('a,"b,c","d ""e""",')).toEqual(["a", "b,c", 'd "e"', ""]);
  });

  it("maps verdict words", () => {
    expect(["ACCEPT", "deny", "Dropped", "audit", "weird"].map(csvVerdict)).toEqual([
      "forwarded",
      "dropped",
      "dropped",
      "audit",
      "unknown",
    ]);
  });

  it("a missing header, a short row and a bad time are malformed with their line", () => {
    expect(parseText(csvFormat, "1,2,3").malformed[0].reason).toContain("header");
    const r = parseText(
      csvFormat,
      ["src_ip,dst_ip,time", "10.0.0.1,10.0.0.2", "10.0.0.1,10.0.0.2,yesterday"].join("\n"),
    );
    expect(r.malformed.map((m) => [m.line, m.reason])).toEqual([
      [2, "expected 3 columns (header), found 2"],
      [3, 'time must be RFC 3339 or epoch seconds/ms, found "yesterday"'],
    ]);
  });
});

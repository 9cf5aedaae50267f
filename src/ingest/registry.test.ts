import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpusPath, repoRoot } from "../../test/helpers/corpus.js";
import { MicrosegError } from "../model/problems.js";
import { detectFormat, FLOW_FORMATS, getFormat, MIN_DETECT_CONFIDENCE } from "./registry.js";
import { isFlowSkip } from "./types.js";

describe("flow format registry", () => {
  it("getFormat finds hubble and names the known formats when it fails", () => {
    expect(getFormat("hubble").name).toBe("hubble");
    try {
      getFormat("netflow");
      expect.fail("no error");
    } catch (e) {
      expect(e).toBeInstanceOf(MicrosegError);
      expect((e as MicrosegError).problems[0].code).toBe("flow-unknown-format");
      expect((e as MicrosegError).message).toContain("known formats: auto, hubble");
    }
  });

  it("detectFormat chooses hubble for Hubble lines and says why", () => {
    const d = detectFormat(['{"flow":{"verdict":"FORWARDED"},"node_name":"n"}', '{"node_status":{}}']);
    expect(d.format?.name).toBe("hubble");
    expect(d.reason).toContain("hubble 1.00");
  });

  it("detectFormat chooses nothing for text it does not know", () => {
    const d = detectFormat([
      "Date first seen Duration Proto Src IP Addr:Port Dst IP Addr:Port Packets Bytes",
    ]);
    expect(d.format).toBeUndefined();
    expect(d.reason).toContain("no format recognises");
  });
});

/** The contract every FlowFormat passes (CONVENTIONS: one shared suite for every implementation). */
describe.each(FLOW_FORMATS.map((f) => [f.name, f] as const))("FlowFormat contract: %s", (_name, format) => {
  it("has a kebab-case name, a unique one, and a description", () => {
    expect(format.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(FLOW_FORMATS.filter((f) => f.name === format.name)).toHaveLength(1);
    expect(format.description.length).toBeGreaterThan(10);
  });
  it("detect returns 0..1 and 0 for no lines", () => {
    expect(format.detect([])).toBe(0);
    for (const lines of [["garbage"], ["{}"], ["a,b,c", "1,2,3"]]) {
      const c = format.detect(lines);
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(1);
    }
  });
  it("parsers never throw on bad input and skip blank lines", () => {
    const p = format.createParser("x");
    expect(p.parse("", 1)).toBeNull();
    for (const bad of ["\u0000\u0001", "{", "}{", "null", '"str"', "1 2 3"]) {
      const r = p.parse(bad, 2);
      expect(r === null || isFlowSkip(r)).toBe(true);
    }
  });
});

/** Each corpus folder (real samples) and fixture folder (samples written here) with its format. */
const SAMPLE_DIRS: [string, string][] = [
  [corpusPath("flows", "hubble"), "hubble"],
  [corpusPath("flows", "aws-vpc"), "aws-vpc"],
  [corpusPath("flows", "gcp-vpc"), "gcp-vpc"],
  [corpusPath("flows", "azure-nsg"), "azure-flow-logs"],
  [corpusPath("flows", "istio-envoy"), "istio-envoy"],
  [corpusPath("flows", "zeek-conn"), "zeek-conn"],
  [join(repoRoot(), "test/fixtures/flows/gcp-vpc"), "gcp-vpc"],
  [join(repoRoot(), "test/fixtures/flows/istio-envoy"), "istio-envoy"],
  [join(repoRoot(), "test/fixtures/flows/calico"), "calico"],
  [join(repoRoot(), "test/fixtures/flows/csv"), "csv"],
  [join(repoRoot(), "test/fixtures/flows/hubble"), "hubble"],
];

describe("--format auto on every sample", () => {
  const cases = SAMPLE_DIRS.flatMap(([dir, format]) =>
    readdirSync(dir)
      .filter((f) => !f.endsWith(".md"))
      .map((f) => [`${format}: ${f}`, join(dir, f), format] as const),
  );

  it("covers every format in the registry", () => {
    expect(new Set(cases.map(([, , f]) => f))).toEqual(new Set(FLOW_FORMATS.map((f) => f.name)));
  });

  it.each(cases)("%s is detected as its own format, and no other format is confident", (_n, file, format) => {
    const d = detectFormat(readFileSync(file, "utf8").split("\n").slice(0, 10));
    expect(d.format?.name).toBe(format);
    expect(d.reason).toMatch(new RegExp(`^detected ${format} \\(${format} `));
    const others = d.scores.filter((x) => x.name !== format);
    expect(Math.max(...others.map((x) => x.confidence))).toBeLessThan(MIN_DETECT_CONFIDENCE);
  });
});

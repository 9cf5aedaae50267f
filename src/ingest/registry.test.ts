import { describe, expect, it } from "vitest";
import { MicrosegError } from "../model/problems.js";
import { detectFormat, FLOW_FORMATS, getFormat } from "./registry.js";
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

import { describe, expect, it } from "vitest";
import { MicrosegError } from "../model/problems.js";
import { parseConfig } from "./load.js";

function errors(text: string): string[] {
  try {
    parseConfig(text, "m.yaml");
  } catch (e) {
    if (e instanceof MicrosegError) return e.problems.map((p) => `${p.location?.line ?? "?"}: ${p.message}`);
    throw e;
  }
  return [];
}

describe("microseg.yaml", () => {
  it("reads zones, matrix, bastions, data classes, the CDE and flow sources", () => {
    const c = parseConfig(
      [
        "version: 1",
        "zones:",
        "  - name: web",
        "    match: [{namespace: [a, b], labels: {tier: web}}]",
        "zoneMatrix:",
        "  - {from: outside, to: [web]}",
        "  - {from: bastion, to: ['*']}",
        "bastions: [{names: [ops/jump]}]",
        "dataClasses: [{match: [{names: [db]}], classes: [pci]}]",
        "cde: {members: [{names: [pay]}]}",
        "flowSources: [{kind: hubble, path: flows/}]",
      ].join("\n"),
      "m.yaml",
    );
    expect(c.zones?.[0].match[0]).toEqual({ namespace: ["a", "b"], labels: { tier: "web" } });
    expect(c.cde).toEqual({ members: [{ names: ["pay"] }], connectors: [] });
    expect(c.flowSources).toEqual([{ kind: "hubble", path: "flows/" }]);
  });

  it("reports errors with the line of the offending key", () => {
    expect(errors("zones:\n  - name: web\n    matc: []\n")).toEqual([
      "2: zones.0.match: Invalid input: expected array, received undefined",
      '3: zones.0: Unrecognized key: "matc"',
    ]);
    expect(errors("cde:\n  members:\n    - {}\n")).toEqual([
      "3: cde.members.0: a selector needs at least one of namespace, labels, names",
    ]);
    expect(errors("version: 1\n\nbogus: 1\n")).toEqual(['3: (top level): Unrecognized key: "bogus"']);
  });

  it("rejects zone names the matrix uses but nobody defines, and zones defined twice", () => {
    const e = errors(
      [
        "zones:",
        "  - {name: pay, match: [{names: [p]}]}",
        "  - {name: pay, match: [{names: [q]}]}",
        "zoneMatrix:",
        "  - from: pubic",
        "    to: [pay, dta]",
      ].join("\n"),
    );
    expect(e).toHaveLength(3);
    expect(e[0]).toBe("3: zones.1.name: zone pay is defined twice");
    expect(e[1]).toMatch(/^5: zoneMatrix\.0\.from: unknown zone "pubic"/);
    expect(e[2]).toMatch(/^6: zoneMatrix\.0\.to\.1: unknown zone "dta"/);
  });
});

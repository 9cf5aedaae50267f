/**
 * One message style: problems print as `microseg: [FILE[:LINE]: ]severity[code]: message` (generate's
 * warnings and notes, ingest's skipped files included), counts are pluralised, and format detection
 * says one short thing per file (every score only with --verbose).
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { mapSummaryLine } from "../../src/cli/commands/discover.js";
import type { CommunicationMap } from "../../src/model/map.js";
import { corpusPath } from "../helpers/corpus.js";
import { problemLines, run, scratchDirs } from "./run.js";

const scratch = scratchDirs("message-style");
const HUBBLE = corpusPath("flows", "hubble"); // eight captures and SOURCE.md
const TCP = join(HUBBLE, "hubble-otel-basic-sample-400-tcp-flows.jsonl");
const PROBLEM = /^microseg: (\S[^:]*(:\d+)?: )?(error|warning|info)\[[a-z-]+\]: \S/;

/** Every `microseg:` line is a problem line in the one format. */
function expectProblemStyle(stderr: string): void {
  for (const l of problemLines(stderr)) expect(l).toMatch(PROBLEM);
  expect(stderr).not.toMatch(/^(warning|note): /m);
  expect(stderr).not.toContain("microseg: warning:");
}

let hubbleMap: string;
beforeAll(async () => {
  hubbleMap = join(scratch(), "map.json");
  expect((await run(["discover", "--flows", HUBBLE, "--out", hubbleMap, "-o", "json"])).code).toBe(0);
});

describe("format detection: one short line per file", () => {
  it("names the format and its score, not all eight scores; SOURCE.md: the best score only", async () => {
    const r = await run(["discover", "--flows", HUBBLE]);
    expect(r.stderr).toContain(`flows: ${TCP}: read as hubble (detected, score 1.00)\n`);
    expect(r.stderr).not.toContain("aws-vpc 0.00");
    expect(problemLines(r.stderr)).toContain(
      `microseg: ${HUBBLE}/SOURCE.md: warning[flow-unknown-format]: cannot detect the flow format: no format recognises the first 12 lines (best: hubble 0.00); file skipped`,
    );
    expectProblemStyle(r.stderr);
  });

  it("--verbose (before or after the command) shows every format's score", async () => {
    for (const args of [
      ["--verbose", "discover", "--flows", TCP],
      ["discover", "--flows", TCP, "--verbose"],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /read as hubble \(detected hubble \(hubble 1\.00, aws-vpc 0\.00, .*csv 0\.00\)\)/,
      );
    }
  });

  it("--format: says so", async () => {
    const r = await run(["discover", "--flows", TCP, "--format", "hubble"]);
    expect(r.stderr).toContain(`flows: ${TCP}: read as hubble (--format hubble)\n`);
  });
});

describe("generate and ingest speak in problem lines", () => {
  it("generate: the widened workloads are warning[policy-generation] lines, not 'warning: …'", async () => {
    const r = await run(["generate", "--map", hubbleMap, "--out", join(scratch(), "policies")]);
    expect(r.code).toBe(0);
    const generation = problemLines(r.stderr).filter((l) => l.includes("[policy-generation]"));
    expect(
      generation.some((l) =>
        l.startsWith(
          "microseg: warning[policy-generation]: istio-system/jaeger: this policy selects every pod of namespace istio-system",
        ),
      ),
    ).toBe(true);
    expect(r.stderr).toMatch(/^generated \d+ k8s policies for \d+ workloads into /m);
    expectProblemStyle(r.stderr);
  });

  it("ingest: a file of no known format is FILE: warning[flow-unknown-format], with the best score only", async () => {
    const r = await run(["ingest", "--flows", HUBBLE, "--store", "memory:"]);
    expect(r.code).toBe(0);
    const lines = problemLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^microseg: ${HUBBLE}/SOURCE\\.md: warning\\[flow-unknown-format\\]: cannot detect the flow format .*\\(best: hubble 0\\.00\\).*; file skipped$`,
      ),
    );
    expect(r.stderr).toContain(`ingest: ${TCP}: read as hubble (detected, score 1.00)\n`);
    expectProblemStyle(r.stderr);
  });
});

describe("counts are pluralised", () => {
  const map = (workloads: number, edges: number, summary: Record<string, number>): CommunicationMap =>
    ({
      workloads: Array.from({ length: workloads }, (_, i) => ({ id: `ns/w${i}` })),
      edges: Array.from({ length: edges }, () => ({})),
      summary,
    }) as unknown as CommunicationMap;

  it("one of each is singular, other counts plural", () => {
    expect(mapSummaryLine(map(1, 1, { records: 1, repliesSkipped: 1, malformed: 1 }))).toBe(
      "1 workload, 1 edge, 1 flow record, 1 reply skipped, 1 malformed line skipped",
    );
    expect(mapSummaryLine(map(2, 0, { records: 3, repliesSkipped: 0, malformed: 2 }))).toBe(
      "2 workloads, 0 edges, 3 flow records, 0 replies skipped, 2 malformed lines skipped",
    );
  });

  it("a flow file with one malformed line says '1 malformed line skipped' in the summary", async () => {
    const r = await run(["discover", "--flows", join(HUBBLE, "hubble-otel-basic-sample-10-flows.jsonl")]);
    expect(r.stderr).toMatch(/^discover: \d+ workloads, \d+ edges, 10 flow records, /m);
  });
});

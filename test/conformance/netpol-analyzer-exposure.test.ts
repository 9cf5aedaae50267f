/**
 * Conformance with netpol-analyzer (np-guard) exposure analysis (`--exposure`, txt and json, with
 * every focus variant) on every case of ../shared/corpus/netpol-analyzer whose expected file was
 * copied, plus the CLI `list` cases run with `--exposure`; each through the real CLI (`runCli`) with
 * the case's `cli` flags. Text is compared after removing every `\n` and `\r`, JSON as parsed
 * values. Prints `conformance[exposure-txt]: N passed, M failed` (and exposure-json). Every case
 * must pass; a disagreement goes into EXCEPTIONS with its reason and into docs/semantics.md.
 */
import { describe, expect, it } from "vitest";
import {
  type ConnlistCase,
  cliListGroup,
  connlistGroup,
  expectedText,
  flat,
  GroupTally,
  loadNetpolManifest,
  microsegArgs,
  runMicroseg,
} from "./netpol-analyzer-cases.js";

/** Cases we disagree with, as `<group>:<expected file>`, with the reason (none so far). */
const EXCEPTIONS: Record<string, string> = {};

const manifest = loadNetpolManifest();
const tally = new GroupTally();
tally.printAfterAll();

interface ExposureCase {
  group: string;
  dir: string;
  cli: string;
  expected: string;
}

const fromConnlist = manifest.connlist
  .filter((c: ConnlistCase) => c.exposure && c.expected_copied && (c.format === "txt" || c.format === "json"))
  .map((c) => ({ group: connlistGroup(c), dir: c.test_dir, cli: c.cli, expected: c.expected_output }));
const fromCli = manifest.cli_list
  .filter((c) => c.expected_copied && cliListGroup(c).startsWith("exposure-"))
  .map((c) => ({ group: cliListGroup(c), dir: c.test_dir, cli: c.cli, expected: c.expected_output }));
const cases: ExposureCase[] = [...fromConnlist, ...fromCli];

async function check(c: ExposureCase): Promise<void> {
  const run = await runMicroseg(microsegArgs(c.cli));
  const want = expectedText(c.expected);
  const json = c.group.endsWith("json");
  const same = () =>
    json ? JSON.stringify(JSON.parse(run.stdout)) === JSON.stringify(JSON.parse(want)) : false;
  const ok = run.code === 0 && (flat(run.stdout) === flat(want) || same());
  const key = `${c.group}:${c.expected}`;
  if (EXCEPTIONS[key]) {
    tally.except(c.group, c.expected);
    expect(ok, `${key} is listed as an exception but now passes: remove it`).toBe(false);
    return;
  }
  tally.record(c.group, c.expected, ok);
  if (ok) return;
  expect(run.stderr).not.toMatch(/internal error/);
  if (json && run.code === 0) expect(JSON.parse(run.stdout)).toEqual(JSON.parse(want));
  else expect(`exit ${run.code}\n${run.stdout}${run.code ? run.stderr : ""}`).toBe(`exit 0\n${want}`);
}

describe("netpol-analyzer exposure analysis (txt, json; every focus variant)", () => {
  it("has the expected number of cases", () => {
    expect(fromConnlist.length).toBe(168);
    expect(fromCli.length).toBe(1);
  });
  for (const c of cases) it.concurrent(`[${c.group}] ${c.cli}`, () => check(c));
});

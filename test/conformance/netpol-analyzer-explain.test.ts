/**
 * Conformance with netpol-analyzer (np-guard) explanations (`--explain`, `--explain-only allow|deny`,
 * with `--exposure` and every focus variant) on every explain case of
 * ../shared/corpus/netpol-analyzer (all expected files were copied), each through the real CLI
 * (`runCli`) with the case's `cli` flags, compared after removing every `\n` and `\r`. Prints
 * `conformance[explain-txt]: N passed, M failed`; multi-network runs are counted in
 * `explain-multinet-txt` (the second step, held at a floor). Core cases must all pass; a disagreement
 * goes into EXCEPTIONS with its reason and into docs/semantics.md.
 */
import { describe, expect, it } from "vitest";
import {
  type ExplainCase,
  expectedText,
  flat,
  GroupTally,
  loadNetpolManifest,
  microsegArgs,
  runMicroseg,
} from "./netpol-analyzer-cases.js";

/**
 * Cases we disagree with, as expected file names, with the reason (docs/semantics.md, "Explanations").
 * An exception that starts to pass fails the suite, so the list cannot go stale.
 */
const EXCEPTIONS: Record<string, string> = {
  "test_outputs/connlist/exposure_test_with_anp_4_entire_cluster_example_explain_exposure_output.txt":
    "the expected text omits the deciding policy of the denied side (NetworkPolicy deny-all-app-a selects " +
    "workload-a with no rules); verdicts agree, microseg names the policy",
};

const manifest = loadNetpolManifest();
const tally = new GroupTally();
tally.printAfterAll();

const groupOf = (c: ExplainCase) => (c.multiple_networks ? "explain-multinet-txt" : "explain-txt");
const cases = manifest.explain.filter((c) => c.expected_copied);

async function check(c: ExplainCase): Promise<void> {
  const group = groupOf(c);
  const run = await runMicroseg(microsegArgs(c.cli));
  const want = expectedText(c.expected_output);
  const ok = run.code === 0 && flat(run.stdout) === flat(want);
  if (EXCEPTIONS[c.expected_output]) {
    tally.except(group, c.expected_output);
    expect(ok, `${c.expected_output} is listed as an exception but now passes: remove it`).toBe(false);
    return;
  }
  tally.record(group, c.expected_output, ok);
  if (ok || group !== "explain-txt") return;
  expect(run.stderr).not.toMatch(/internal error/);
  expect(`exit ${run.code}\n${run.stdout}${run.code ? run.stderr : ""}`).toBe(`exit 0\n${want}`);
}

describe("netpol-analyzer explanations (every focus variant, with and without exposure)", () => {
  it("has the expected number of cases", () => {
    expect(cases.length).toBe(78);
  });
  for (const c of cases) it.concurrent(`[${groupOf(c)}] ${c.cli}`, () => check(c));
});

/** Multi-network explanations (UDN/CUDN primary networks, NAD secondary networks): held at this floor. */
const MULTINET_FLOOR = 18;

describe("explanation conformance figures", () => {
  it("core explanations pass in full and multi-network ones hold their floor", () => {
    expect(tally.get("explain-txt").failedNames).toEqual([]);
    expect(tally.get("explain-multinet-txt").passed).toBeGreaterThanOrEqual(MULTINET_FLOOR);
  });
});

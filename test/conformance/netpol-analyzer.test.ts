/**
 * Conformance with netpol-analyzer (np-guard) on every case of ../shared/corpus/netpol-analyzer whose
 * expected file was copied, run through the real CLI (`runCli`) with the case's `cli` flags
 * (`--dirpath` → `--dir`): connlist txt/json with every focus variant, the CLI `list` cases, the
 * single-connection checks (`connectivity --src … --dst … --conn proto-port`) and the fatal-error
 * dirs (exit 2 with a `microseg:` message saying what is wrong, never a crash). Exposure and explain
 * cases are run by their own suites (netpol-analyzer-exposure/explain tests). Multi-network runs
 * (`--multiple-networks`) are counted in their own `-multinet` groups.
 *
 * Prints `conformance[<group>]: N passed, M failed` per group. Core groups must pass in full; a case
 * we disagree with goes into EXCEPTIONS with its reason and into docs/semantics.md.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpusPath } from "../helpers/corpus.js";
import {
  type CliListCase,
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
import { fatalPatterns } from "./netpol-analyzer-fatal.js";

/**
 * Cases we disagree with, as `<group>:<test dir>`, with the reason (docs/semantics.md, "Malformed
 * manifests"). An exception that starts to pass fails the suite, so the list cannot go stale.
 */
const EXCEPTIONS: Record<string, string> = {
  "cli-list:document_with_syntax_error":
    "a YAML syntax error is fatal in microseg (DESIGN, Bad input: a malformed resource file is fatal, exit 2); " +
    "netpol-analyzer skips the broken document and lists the rest",
  "eval-pairs:onlineboutique_with_pods_severe_error":
    "same: pods.yaml has a YAML syntax error, fatal in microseg, skipped by netpol-analyzer",
  "connlist-multinet-json:nad_test_3":
    "the flat JSON holds ns2/pod3 => ns1/pod2 twice (pod network: All Connections; NAD l2-network: TCP 80); " +
    "netpol-analyzer orders entries with Go's sort.Slice on (src, dst) only, which is not stable, so the order " +
    "of the two is unspecified; microseg keeps network order (pod network first). Same entries, other order " +
    "(docs/semantics.md, Multiple networks)",
};

/** Records a case, or checks that a listed exception still disagrees; true when the case must match. */
function recordCase(group: string, dir: string, name: string, ok: boolean): boolean {
  if (EXCEPTIONS[`${group}:${dir}`]) {
    tally.except(group, name);
    expect(ok, `${group}:${dir} is listed as an exception but now passes: remove it`).toBe(false);
    return false;
  }
  tally.record(group, name, ok);
  return !group.includes("multinet");
}

/** Groups that must pass in full. */
const CORE = ["connlist-txt", "connlist-json", "cli-list", "eval-pairs", "fatal"];
/** Multi-network groups: the second step, held at no fewer passes than this ratchet. */
const MULTINET_FLOOR: Record<string, number> = {
  // every case passes (primary UDN/CUDN, secondary NADs with MultiNetworkPolicy, KubeVirt VMs);
  // the one json case listed in EXCEPTIONS differs only in the order of two entries
  "connlist-multinet-txt": 40,
  "connlist-multinet-json": 33,
  "eval-pairs-multinet": 3,
  "fatal-multinet": 8,
};
/** Dirs whose analysis needs user-defined networks (eval checks there are multi-network ones). */
const MULTINET_DIR = /^(udn|cudn|nad)_/;

const manifest = loadNetpolManifest();
const tally = new GroupTally();
tally.printAfterAll();

async function compareListing(group: string, dir: string, cli: string, expectedFile: string, json: boolean) {
  const run = await runMicroseg(microsegArgs(cli));
  const want = expectedText(expectedFile);
  const ok = run.code === 0 && flat(run.stdout) === flat(want);
  if (recordCase(group, dir, `${dir}: ${cli}`, ok) && !ok) {
    expect(run.stderr).not.toMatch(/internal error/);
    if (json && run.code === 0) expect(JSON.parse(run.stdout)).toEqual(JSON.parse(want));
    else expect(`exit ${run.code}\n${run.stdout}${run.code ? run.stderr : ""}`).toBe(`exit 0\n${want}`);
  }
}

const listed = (c: ConnlistCase) => (c.format === "txt" || c.format === "json") && c.expected_copied;
const connlist = manifest.connlist.filter((c) => listed(c) && !c.exposure);

describe("netpol-analyzer connlist (txt, json; every focus variant)", () => {
  it("has the expected number of cases", () => {
    expect(connlist.length).toBe(239);
  });
  for (const c of connlist) {
    const group = connlistGroup(c);
    it.concurrent(`[${group}] ${c.cli}`, async () => {
      await compareListing(group, c.test_dir, c.cli, c.expected_output, c.format === "json");
    });
  }
});

const cliCases = manifest.cli_list.filter(
  (c: CliListCase) =>
    c.expected_copied && (c.format === "txt" || c.format === "json") && cliListGroup(c) === "cli-list",
);

describe("netpol-analyzer CLI list cases", () => {
  it("has the expected number of cases", () => {
    expect(cliCases.length).toBe(11);
  });
  for (const c of cliCases)
    it(`[cli-list] ${c.cli}`, async () => {
      await compareListing("cli-list", c.test_dir, c.cli, c.expected_output, c.format === "json");
    });
});

describe("netpol-analyzer single-connection checks", () => {
  for (const c of manifest.eval_pairs) {
    const group = MULTINET_DIR.test(c.test_dir) ? "eval-pairs-multinet" : "eval-pairs";
    const args = [
      "connectivity",
      "--dir",
      corpusPath("netpol-analyzer", "tests", c.test_dir),
      "--src",
      `${c.src_ns}/${c.src}`,
      "--dst",
      `${c.dst_ns}/${c.dst}`,
      "--conn",
      `${c.protocol}-${c.port}`,
      ...(group === "eval-pairs-multinet" ? ["--multiple-networks"] : []),
    ];
    it(`[${group}] ${c.test_dir}: ${args.slice(3).join(" ")} → ${c.expected_allowed}`, async () => {
      const run = await runMicroseg(args);
      const verdict = / (allowed|denied)\n$/.exec(run.stdout)?.[1];
      const ok = run.code === 0 && verdict === (c.expected_allowed ? "allowed" : "denied");
      if (recordCase(group, c.test_dir, `${c.test_dir} ${args.slice(3).join(" ")}`, ok))
        expect({ code: run.code, verdict, err: run.stderr }).toMatchObject({
          code: 0,
          verdict: c.expected_allowed ? "allowed" : "denied",
        });
    });
  }
});

describe("netpol-analyzer fatal-error dirs (exit 2, a clear message, no crash)", () => {
  for (const c of manifest.bad_path_fatal) {
    const group = c.multiple_networks ? "fatal-multinet" : "fatal";
    // Some dirs are missing on purpose (`bad_yamls/subdir3`: "does not exist").
    const args = ["connectivity", "--dir", join(corpusPath("netpol-analyzer", "tests"), c.test_dir)];
    if (c.multiple_networks) args.push("--multiple-networks");
    it(`[${group}] ${c.test_dir}: ${c.expected_error_go_expr}`, async () => {
      const run = await runMicroseg(args);
      const messages = run.stderr
        .split("\n")
        .filter((l) => / error\[/.test(l) || /^microseg: (?!.*warning\[)/.test(l))
        .join("\n");
      const patterns = fatalPatterns(c.expected_error_go_expr);
      const ok =
        run.code === 2 &&
        run.stdout === "" &&
        !/internal error|\n\s+at /.test(run.stderr) &&
        patterns.length > 0 &&
        patterns.every((p) => p.test(messages));
      if (recordCase(group, c.test_dir, c.test_dir, ok)) {
        expect(run.code, run.stderr).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
        expect(patterns.length, `no pattern for ${c.expected_error_go_expr}`).toBeGreaterThan(0);
        for (const p of patterns) expect(messages).toMatch(p);
      }
    });
  }
});

describe("conformance figures", () => {
  it("core groups pass in full and multi-network groups hold their floor", () => {
    for (const g of CORE) {
      const t = tally.get(g);
      expect({ group: g, failed: t.failedNames }).toEqual({ group: g, failed: [] });
      expect(t.passed, g).toBeGreaterThan(0);
    }
    for (const [g, floor] of Object.entries(MULTINET_FLOOR))
      expect(tally.get(g).passed, g).toBeGreaterThanOrEqual(floor);
  });
});

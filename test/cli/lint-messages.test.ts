/**
 * Lint messages a reader can follow: the redundant-rule sentence, no-flow-monitoring located at the
 * configuration (or nowhere, not line 1 of some manifest), and SARIF locations relative to the
 * current directory whenever the file is under it, symbolic links included.
 */
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LintFinding } from "../../src/analysis/lint/types.js";
import { sarifPath } from "../../src/cli/commands/lint.js";
import { corpusPath, repoRoot } from "../helpers/corpus.js";
import { run, scratchDirs } from "./run.js";

const scratch = scratchDirs("lint-messages");
const STAR_WARS = corpusPath("apps", "cilium-star-wars");
const CONFIG = join(repoRoot(), "test", "fixtures", "config", "online-boutique-cde.yaml");

async function lintJson(args: string[]): Promise<LintFinding[]> {
  const r = await run(["lint", ...args, "-o", "json"]);
  expect(r.code).toBeLessThan(2);
  return (JSON.parse(r.stdout) as { findings: LintFinding[] }).findings;
}

describe("lint messages", () => {
  it("redundant-rule reads as a sentence naming both rules and where the covering one is", async () => {
    const f = (await lintJson([STAR_WARS])).find((x) => x.ruleId === "redundant-rule");
    expect(f?.message).toBe(
      `ingress rule #0 of CiliumNetworkPolicy default/rule1 is redundant: ingress rule #0 of CiliumNetworkPolicy default/rule1 (${STAR_WARS}/policies/cilium/sw_l3_l4_policy.yaml:12) already covers every connection it matches`,
    );
  });

  it("no-flow-monitoring without --config has no location (not line 1 of a manifest); the table shows '-'", async () => {
    const f = (await lintJson([STAR_WARS])).find((x) => x.ruleId === "no-flow-monitoring");
    expect(f?.location).toEqual({});
    const table = await run(["lint", STAR_WARS]);
    expect(table.stdout).toMatch(/^warning\s+no-flow-monitoring\s+-\s+no configuration with flowSources/m);
  });

  it("no-flow-monitoring with a --config that lists no flowSources is located at that file", async () => {
    const f = (await lintJson([STAR_WARS, "--config", CONFIG])).find(
      (x) => x.ruleId === "no-flow-monitoring",
    );
    expect(f?.location).toEqual({ file: CONFIG });
    expect(f?.message).toBe(
      "the configuration lists no flowSources: nobody watches the traffic these policies deny",
    );
  });
});

describe("SARIF paths", () => {
  const dir = realpathSync(scratch());
  mkdirSync(join(dir, "real", "k8s"), { recursive: true });
  writeFileSync(join(dir, "real", "k8s", "np.yaml"), "kind: NetworkPolicy\n");
  symlinkSync(join(dir, "real"), join(dir, "link"));

  it("a file under the current directory is relative to it", () => {
    expect(sarifPath(join(dir, "real", "k8s", "np.yaml"), [join(dir, "real")])).toBe("k8s/np.yaml");
  });

  it("an absolute input through a symlinked directory still counts as under the current directory", () => {
    // the shell's $PWD is the link, the system's cwd the real directory
    expect(sarifPath(join(dir, "link", "k8s", "np.yaml"), [join(dir, "real")])).toBe("k8s/np.yaml");
    expect(sarifPath(join(dir, "real", "k8s", "np.yaml"), [join(dir, "link"), join(dir, "real")])).toBe(
      "k8s/np.yaml",
    );
  });

  it("a file outside stays absolute (a file: URI), never ../ against SRCROOT", () => {
    expect(sarifPath(join(dir, "real", "k8s", "np.yaml"), [join(dir, "elsewhere")])).toBe(
      join(dir, "real", "k8s", "np.yaml"),
    );
  });

  it("through the CLI: findings under the working directory are SRCROOT-relative", async () => {
    // vitest runs in the repository root: the test fixture config lies under it
    const r = await run(["lint", STAR_WARS, "--config", CONFIG, "-o", "sarif"]);
    const results = JSON.parse(r.stdout).runs[0].results as {
      ruleId: string;
      locations?: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[];
    }[];
    const mon = results.find((x) => x.ruleId === "no-flow-monitoring");
    expect(mon?.locations?.[0].physicalLocation.artifactLocation).toEqual({
      uri: "test/fixtures/config/online-boutique-cde.yaml",
      uriBaseId: "SRCROOT",
    });
  });
});

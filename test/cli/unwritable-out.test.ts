/**
 * Every command that writes an output: an --out the system refuses (here under /proc, where no
 * file can be created: ENOENT on the temporary file) is bad input — exit 2, one located
 * `output-unwritable` message naming the path the user gave (not the temporary file), no stack
 * trace, nothing on stdout.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { corpusPath, repoRoot } from "../helpers/corpus.js";
import { problemLines, run, scratchDirs } from "./run.js";

const scratch = scratchDirs("unwritable-out");
const OB = corpusPath("apps", "online-boutique");
const MANIFESTS = join(OB, "manifests");
const POLICIES = join(OB, "policies", "network-policies");
const HUBBLE = corpusPath("flows", "hubble");
const CDE_CONFIG = join(repoRoot(), "test", "fixtures", "config", "online-boutique-cde.yaml");

let map: string;
beforeAll(async () => {
  map = join(scratch(), "map.json");
  const r = await run(["discover", "--inventory", MANIFESTS, "-o", "json", "--out", map]);
  expect(r.code).toBe(0);
});

const cases: [string, (out: string) => string[]][] = [
  ["discover (flows)", (out) => ["discover", "--flows", HUBBLE, "--out", out]],
  ["discover (inventory)", (out) => ["discover", "--inventory", MANIFESTS, "--out", out]],
  ["generate (directory)", (out) => ["generate", "--map", map, "--out", out]],
  ["verify", (out) => ["verify", "--policies", POLICIES, "--map", map, "--out", out]],
  ["connectivity", (out) => ["connectivity", "--dir", OB, "--out", out]],
  ["lint", (out) => ["lint", POLICIES, MANIFESTS, "--out", out]],
  ["blast-radius", (out) => ["blast-radius", "--policies", POLICIES, "--inventory", MANIFESTS, "--out", out]],
  ["zones", (out) => ["zones", "--map", map, "--out", out]],
  ["init", (out) => ["init", "--map", map, "--out", out]],
  [
    "cde (directory)",
    (out) => ["--config", CDE_CONFIG, "cde", "--policies", POLICIES, "--inventory", MANIFESTS, "--out", out],
  ],
];

describe("an --out the system refuses is a located exit-2 error for every command", () => {
  for (const [what, args] of cases) {
    it(what, async () => {
      const out = "/proc/microseg-cannot-write-here/out";
      const r = await run(args(out));
      expect(r.stderr).not.toContain("internal error");
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack frames
      expect(r.code).toBe(2);
      const lines = problemLines(r.stderr).filter((l) => l.includes(": error["));
      expect(lines).toEqual([expect.stringMatching(/^microseg: \/proc\/microseg-cannot-write-here\/out: /)]);
      expect(lines[0]).toContain(
        "error[output-unwritable]: cannot write /proc/microseg-cannot-write-here/out:",
      );
      expect(lines[0]).not.toContain(".tmp-"); // the reason, not the temporary file's name
    });
  }

  it("a file directly under /proc (the reported case): ENOENT named", async () => {
    const r = await run(["discover", "--inventory", MANIFESTS, "--out", "/proc/map.json"]);
    expect(r.code).toBe(2);
    expect(problemLines(r.stderr)).toEqual([
      "microseg: /proc/map.json: error[output-unwritable]: cannot write /proc/map.json: no such file or directory (ENOENT)",
    ]);
  });
});

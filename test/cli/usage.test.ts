/**
 * The command-line contract (DESIGN "Command line"): wrong flags and commands are usage errors
 * (exit 2, a usage hint on stderr, nothing on stdout); --help on every command exits 0 and names
 * the contract's flags; --version prints package.json's version.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpusPath, repoRoot } from "../helpers/corpus.js";
import { run } from "./run.js";

const FLOWS = corpusPath("flows", "hubble", "hubble-otel-basic-sample-10-flows.jsonl");
const HINT = "--help";

describe("usage errors exit 2 with a usage message on stderr and nothing on stdout", () => {
  const cases: [string, string[], string][] = [
    ["unknown flag", ["discover", "--flows", FLOWS, "--bogus"], "unknown option '--bogus'"],
    ["unknown command", ["frobnicate"], "unknown command 'frobnicate'"],
    ["bad -o value", ["discover", "--flows", FLOWS, "-o", "xml"], "'xml' is invalid"],
    ["bad -o value for verify", ["verify", "--policies", FLOWS, "--map", FLOWS, "-o", "mermaid"], "mermaid"],
    ["missing --map", ["generate", "--target", "k8s"], "required option '--map <file>' not specified"],
    ["missing --policies", ["verify", "--flows", FLOWS], "required option '--policies <path>'"],
    ["flag without its value", ["generate", "--map"], "option '--map <file>' argument missing"],
    ["unexpected argument", ["discover", "--flows", FLOWS, "extra.jsonl"], "too many arguments"],
    // no command at all: commander prints help on stderr; a script must not read that as success
    ["no command", [], "Usage: microseg"],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain(HINT);
    });
  }

  it("a command that needs inputs and gets none says which flags to give", async () => {
    const discover = await run(["discover"]);
    expect(discover.code).toBe(2);
    expect(discover.stderr).toContain("--flows");
    expect(discover.stderr).toContain("--inventory");
    const connectivity = await run(["connectivity"]);
    expect(connectivity.code).toBe(2);
    expect(connectivity.stderr).toContain("--dir");
    const both = await run(["verify", "--policies", FLOWS, "--flows", FLOWS, "--map", FLOWS]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("error[usage]");
  });
});

describe("--help", () => {
  // the contract's flags per command (issue 2, "Commands"): --help must mention every one
  const flags: Record<string, string[]> = {
    discover: ["--flows", "--inventory", "-o, --output", "table", "json", "mermaid", "--out", "--strict"],
    generate: ["--map", "--target", "--out", "k8s"],
    verify: ["--policies", "--inventory", "--flows", "--map", "-o, --output", "--out", "--strict"],
    connectivity: ["--dir", "--policies", "--inventory", "-o, --output", "txt", "--out"],
    demo: ["--data", "--out"],
  };
  for (const [command, expected] of Object.entries(flags)) {
    it(`${command} --help exits 0 and mentions its flags`, async () => {
      const r = await run([command, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain(`Usage: microseg ${command}`);
      for (const f of expected) expect(r.stdout).toContain(f);
    });
  }

  it("microseg --help and `microseg help` list every command, exit 0", async () => {
    for (const args of [["--help"], ["help"]]) {
      const r = await run(args);
      expect(r.code).toBe(0);
      for (const c of Object.keys(flags)) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, "m"));
    }
  });

  it("`microseg help verify` shows verify's help", async () => {
    const r = await run(["help", "verify"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: microseg verify");
    expect(r.stdout).toContain("--policies");
  });
});

describe("--version", () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { version: string };
  for (const flag of ["--version", "-V"]) {
    it(`${flag} prints package.json's version (${pkg.version}) and exits 0`, async () => {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
      expect(r.stderr).toBe("");
    });
  }
});

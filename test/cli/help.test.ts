/**
 * Help a new user can act on: every command shows Examples that run that command, discover names
 * the flow formats it reads, --format lists the registry's names, --config says which commands
 * read it, descriptions carry no hard line breaks (they wrap at the terminal's width), and the
 * human output format is accepted under each of its names (table, txt, text).
 */
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.js";
import { flowFormatNames } from "../../src/ingest/registry.js";
import { corpusPath } from "../helpers/corpus.js";
import { run } from "./run.js";

const program = buildProgram({ stdout: () => {}, stderr: () => {}, isTty: false }, () => {});
const commands = program.commands.map((c) => c.name()).filter((n) => n !== "help");

describe("every command's --help", () => {
  for (const name of commands) {
    it(`${name}: an Examples section whose lines run microseg ${name} (or what follows it)`, async () => {
      const r = await run([name, "--help"]);
      expect(r.code).toBe(0);
      const after = r.stdout.split("\nExamples:\n")[1];
      expect(after).toBeDefined();
      const lines = after.trimEnd().split("\n");
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l).toMatch(/^ {2}microseg [a-z-]+( |$)/);
      expect(lines.some((l) => l.startsWith(`  microseg ${name}`))).toBe(true);
    });
  }

  it("descriptions have no hard line breaks (commander wraps them)", () => {
    for (const c of [program, ...program.commands]) expect(c.description()).not.toContain("\n");
  });

  it("discover names every flow format of the registry, and no longer says 'Hubble JSON now'", async () => {
    const r = await run(["discover", "--help"]);
    const text = r.stdout.replace(/\s+/g, " ");
    expect(text).not.toContain("Hubble JSON now");
    expect(text).toContain(`With flows (${flowFormatNames().join(", ")}; detected per file)`);
  });

  for (const name of ["discover", "verify", "ingest"]) {
    it(`${name} --format lists auto and the registry's names`, async () => {
      const text = (await run([name, "--help"])).stdout.replace(/\s+/g, " ");
      expect(text).toContain(
        `--format <name> flow format: auto (detect it per file from the first lines) or one of ${flowFormatNames().join(", ")}`,
      );
    });
  }

  it("--config is shown in each command's help (global options) with the commands that read it", async () => {
    for (const name of ["generate", "zones", "lint", "cde", "blast-radius"]) {
      const text = (await run([name, "--help"])).stdout.replace(/\s+/g, " ");
      expect(text).toContain("Global Options:");
      expect(text).toContain(
        "read by generate, zones, lint, cde and blast-radius; microseg init writes a starter one",
      );
    }
  });
});

describe("the human output format under each of its names", () => {
  const DIR = corpusPath("apps", "online-boutique");
  const FLOWS = corpusPath("flows", "hubble", "hubble-otel-basic-sample-10-flows.jsonl");

  it("connectivity: -o table and -o text print what -o txt prints", async () => {
    const txt = await run(["connectivity", "--dir", DIR, "-o", "txt"]);
    expect(txt.code).toBe(0);
    expect(txt.stdout).toContain("default/frontend[Deployment]");
    for (const alias of ["table", "text", "TXT"])
      expect((await run(["connectivity", "--dir", DIR, "-o", alias])).stdout).toBe(txt.stdout);
  });

  it("discover: -o txt and -o text print the table", async () => {
    const table = await run(["discover", "--flows", FLOWS]);
    expect(table.stdout.split("\n")[0]).toMatch(/^SRC\s+DST\s+PORTS/);
    for (const alias of ["txt", "text"])
      expect((await run(["discover", "--flows", FLOWS, "-o", alias])).stdout).toBe(table.stdout);
  });

  it("a name that is no synonym is still refused, listing the choices", async () => {
    const r = await run(["zones", "--map", FLOWS, "-o", "mermaid"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "argument 'mermaid' is invalid. Allowed choices are table (or txt, text), json.",
    );
  });
});

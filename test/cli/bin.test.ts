/**
 * The real executable (`node dist/cli/bin.js`, as installed by `bin: microseg`), spawned with no
 * stdin: exit codes and which stream each output goes to. `npm test` builds dist first; when
 * dist/cli/bin.js is missing (vitest run alone) it is built here.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { corpusPath, repoRoot } from "../helpers/corpus.js";
import { leftovers, scratchDirs } from "./run.js";

const scratch = scratchDirs("bin");
const ROOT = repoRoot();
const BIN = join(ROOT, "dist", "cli", "bin.js");

interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built executable with stdin closed; resolves when it exits. */
function microseg(args: string[], cwd = ROOT): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

beforeAll(() => {
  if (!existsSync(BIN)) execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "ignore" });
});

describe("the built executable", () => {
  it("--version: package.json's version on stdout, exit 0", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = await microseg(["--version"]);
    expect(r).toEqual({ code: 0, signal: null, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("an unknown flag: exit 2, the message on stderr, stdout empty", async () => {
    const r = await microseg(["discover", "--nope"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("unknown option '--nope'");
  });

  it("no command: usage on stderr, exit 2", async () => {
    const r = await microseg([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: microseg");
  });

  it("a malformed flow line: the table on stdout, file:line on stderr, exit 0", async () => {
    const src = corpusPath("flows", "hubble", "hubble-otel-basic-sample-348-http-flows.jsonl");
    const lines = readFileSync(src, "utf8").trimEnd().split("\n");
    lines.splice(6, 0, "not json at all");
    const file = join(scratch(), "flows.jsonl");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const r = await microseg(["discover", "--flows", file]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^SRC\s+DST\s+PORTS/);
    expect(r.stdout).toMatch(/bookinfo\/productpage-v1\s+bookinfo\/reviews-v1\s+TCP\/9080/);
    expect(r.stdout).not.toContain(file);
    expect(r.stderr).toContain(`${file}:7: warning[flow-malformed]`);
    const strict = await microseg(["discover", "--flows", file, "--strict"]);
    expect(strict.code).toBe(2);
    expect(strict.stdout).toBe("");
    expect(strict.stderr).toContain(`${file}:7: error[flow-malformed]`);
  });

  it("--flows - with stdin closed reads nothing and exits 0 (does not hang)", async () => {
    const r = await microseg(["discover", "--flows", "-", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).edges).toEqual([]);
  });

  it("generate --target nope: exit 2, known targets on stderr, --out not created", async () => {
    const dir = scratch();
    const map = join(dir, "map.json");
    const inv = corpusPath("apps", "online-boutique", "manifests");
    expect((await microseg(["discover", "--inventory", inv, "--out", map])).code).toBe(0);
    const parent = scratch();
    const out = join(parent, "policies");
    const r = await microseg(["generate", "--map", map, "--target", "nope", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("known targets: k8s");
    expect(leftovers(parent, out)).toEqual({ exists: false, entries: [] });
  });

  it("verify: exit 1 when an edge would be denied, 0 when none; report JSON on stdout", async () => {
    const dir = scratch();
    const inv = corpusPath("apps", "online-boutique", "manifests");
    const policies = corpusPath("apps", "online-boutique", "policies", "network-policies");
    const map = join(dir, "map.json");
    expect((await microseg(["discover", "--inventory", inv, "--out", map])).code).toBe(0);
    const args = ["verify", "--policies", policies, "--inventory", inv, "-o", "json", "--map"];
    const ok = await microseg([...args, map]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).summary.denied).toBe(0);
    const data = JSON.parse(readFileSync(map, "utf8"));
    data.edges.push({
      src: "default/loadgenerator",
      dst: "default/paymentservice",
      ports: [{ protocol: "TCP", port: 50051 }],
      flows: 1,
      provenance: "observed",
    });
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(data));
    const denied = await microseg([...args, bad]);
    expect(denied.code).toBe(1);
    const report = JSON.parse(denied.stdout);
    expect(report.denied.map((d: { src: string; dst: string }) => `${d.src} -> ${d.dst}`)).toEqual([
      "default/loadgenerator -> default/paymentservice",
    ]);
    expect(denied.stderr).toContain("1 would be denied");
  });

  it("a missing input: exit 2 naming the path, no stack trace", async () => {
    const missing = join(scratch(), "missing.yaml");
    const r = await microseg(["connectivity", "--dir", missing]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`microseg: ${missing}: error[file-unreadable]: ${missing}: does not exist`);
  });
});

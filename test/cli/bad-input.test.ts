/**
 * DESIGN "Bad input": a malformed resource file, an unknown target or a bad map is fatal with one
 * message naming its location, exit 2, and nothing written (not even a temp file); a malformed
 * flow record is reported with file:line and skipped (fatal with --strict).
 * Inputs are the shared corpus's real files, copied to scratch directories and damaged there.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { targetNames } from "../../src/policy/targets.js";
import { corpusPath } from "../helpers/corpus.js";
import { leftovers, problemLines, run, scratchDirs } from "./run.js";

const scratch = scratchDirs("bad-input");
const OB = corpusPath("apps", "online-boutique");
const OB_MANIFESTS = join(OB, "manifests");
const OB_POLICIES = join(OB, "policies", "network-policies");
const TCP_FLOWS = corpusPath("flows", "hubble", "hubble-otel-basic-sample-400-tcp-flows.jsonl");

/** A fresh, empty parent directory and the --out path inside it (which must never appear). */
function freshOut(name: string): { parent: string; out: string } {
  const parent = scratch();
  return { parent, out: join(parent, name) };
}

/** Asserts a fatal run: exit 2, nothing on stdout, exactly one microseg message, nothing written. */
function expectFatal(
  r: { code: number; stdout: string; stderr: string },
  o: { parent: string; out: string },
): string {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).not.toContain("internal error");
  const lines = problemLines(r.stderr);
  expect(lines).toHaveLength(1);
  expect(leftovers(o.parent, o.out)).toEqual({ exists: false, entries: [] });
  return lines[0];
}

/** Copies a corpus directory into a fresh scratch directory. */
function copyDir(src: string): string {
  const dir = join(scratch(), basename(src));
  cpSync(src, dir, { recursive: true });
  return dir;
}

/** The 1-based number of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`test setup: "${needle}" not found`);
  return i + 1;
}

let obMap: string; // the static map of Online Boutique, written by discover
beforeAll(async () => {
  obMap = join(scratch(), "ob-map.json");
  const r = await run(["discover", "--inventory", OB_MANIFESTS, "-o", "json", "--out", obMap]);
  expect(r.code).toBe(0);
});

describe("a malformed manifest or policy file is fatal: file:line, exit 2, nothing written", () => {
  /** frontend.yaml cut off in the middle of a quoted env value; returns the damaged file and line. */
  function truncatedFrontend(dir: string): { file: string; line: number } {
    const file = join(dir, "frontend.yaml");
    const text = readFileSync(file, "utf8");
    const line = lineOf(text, 'value: "productcatalogservice:3550"');
    const cut = text.indexOf('value: "productcatalogservice:3550"') + 'value: "product'.length;
    writeFileSync(file, text.slice(0, cut));
    return { file, line };
  }

  /** network-policy-redis.yaml with a tab-indented line inserted as line 30. */
  function tabbedRedisPolicy(dir: string): { file: string; line: number } {
    const file = join(dir, "network-policy-redis.yaml");
    const lines = readFileSync(file, "utf8").split("\n");
    lines.splice(29, 0, "\t  app: x");
    writeFileSync(file, lines.join("\n"));
    return { file, line: 30 };
  }

  it("discover --inventory: truncated YAML names the file and the line where it breaks off", async () => {
    const manifests = copyDir(OB_MANIFESTS);
    const bad = truncatedFrontend(manifests);
    const o = freshOut("map.json");
    const r = await run(["discover", "--inventory", manifests, "--out", o.out]);
    const msg = expectFatal(r, o);
    expect(msg).toContain(`${bad.file}:${bad.line}:`);
    expect(msg).toContain("yaml-syntax");
  });

  it("verify --policies: a tab-indented line names that policy file and line", async () => {
    const policies = copyDir(OB_POLICIES);
    const bad = tabbedRedisPolicy(policies);
    const o = freshOut("report.json");
    const r = await run([
      "verify",
      "--policies",
      policies,
      "--inventory",
      OB_MANIFESTS,
      "--map",
      obMap,
      "--out",
      o.out,
    ]);
    const msg = expectFatal(r, o);
    expect(msg).toContain(`${bad.file}:${bad.line}:`);
    expect(msg).toContain("yaml-syntax");
  });

  it("verify --inventory: truncated manifests are fatal too (not just skipped workloads)", async () => {
    const manifests = copyDir(OB_MANIFESTS);
    const bad = truncatedFrontend(manifests);
    const o = freshOut("report.json");
    const r = await run([
      "verify",
      "--policies",
      OB_POLICIES,
      "--inventory",
      manifests,
      "--map",
      obMap,
      "--out",
      o.out,
    ]);
    expect(expectFatal(r, o)).toContain(`${bad.file}:${bad.line}:`);
  });

  it("connectivity --dir: a broken file deep in the tree is found and named", async () => {
    const dir = scratch();
    cpSync(OB_MANIFESTS, join(dir, "apps"), { recursive: true });
    cpSync(OB_POLICIES, join(dir, "policies", "nested"), { recursive: true });
    const bad = tabbedRedisPolicy(join(dir, "policies", "nested"));
    const o = freshOut("connlist.txt");
    const r = await run(["connectivity", "--dir", dir, "--out", o.out]);
    const msg = expectFatal(r, o);
    expect(msg).toContain(`${bad.file}:${bad.line}:`);
    // the same tree without the damage works, so the failure above is the damage's
    writeFileSync(bad.file, readFileSync(join(OB_POLICIES, "network-policy-redis.yaml")));
    const ok = await run(["connectivity", "--dir", dir, "--out", o.out]);
    expect(ok.code).toBe(0);
    expect(readFileSync(o.out, "utf8")).toContain("default/cartservice[Deployment] => default/redis-cart");
  });

  // BUG (inventory): a manifest truncated at a line boundary is valid YAML, but the Deployment in it
  // has `spec.selector: matchLabel` (a string) and no pod template. It is accepted as a workload
  // with no labels, whose generated rules then cover every pod of its namespace.
  it("a Deployment truncated before its pod template is fatal (resource-invalid), not a label-less workload", async () => {
    const dir = scratch();
    const text = readFileSync(join(OB_MANIFESTS, "frontend.yaml"), "utf8");
    const file = join(dir, "frontend.yaml");
    const cut = text.indexOf("    matchLabels:") + "    matchLabel".length;
    writeFileSync(file, text.slice(0, cut));
    const o = freshOut("map.json");
    const r = await run(["discover", "--inventory", file, "-o", "json", "--out", o.out]);
    const msg = expectFatal(r, o);
    expect(msg).toMatch(new RegExp(`^microseg: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+`));
    expect(msg).toContain("resource-invalid");
  });
});

describe("generate: unknown target and bad maps are fatal", () => {
  it("--target nope lists the known targets and creates no --out directory", async () => {
    const o = freshOut("policies");
    const r = await run(["generate", "--map", obMap, "--target", "nope", "--out", o.out]);
    const msg = expectFatal(r, o);
    expect(msg).toContain('"nope"');
    expect(targetNames().length).toBeGreaterThan(0);
    for (const t of targetNames()) expect(msg).toContain(t);
    // the same command with a known target writes the directory
    const ok = await run(["generate", "--map", obMap, "--target", "k8s", "--out", o.out]);
    expect(ok.code).toBe(0);
    expect(existsSync(join(o.out, "default", "default-deny.yaml"))).toBe(true);
  });

  // a real map, damaged on a known line; JSON syntax errors must name that line
  // BUG (src/io/map-file.ts): only V8 messages that carry "at position N" get a line; "Unexpected
  // token" and "Unexpected end of JSON input" are reported with the file alone.
  const damages: [string, (lines: string[]) => { lines: string[]; line: number }][] = [
    [
      "a trailing comma",
      (lines) => {
        const i = lines.findIndex((l) => l.includes('"schemaVersion"'));
        const out = [...lines];
        out.splice(i + 1, 0, "  ,");
        return { lines: out, line: i + 2 };
      },
    ],
    [
      "a bare word instead of a value",
      (lines) => {
        const i = lines.findIndex((l) => l.includes('"provenance"'));
        const out = [...lines];
        out[i] = out[i].replace('"inferred"', "inferred");
        return { lines: out, line: i + 1 };
      },
    ],
    [
      "a file cut off (truncated download)",
      (lines) => {
        const out = lines.slice(0, 40);
        return { lines: out, line: out.length };
      },
    ],
  ];
  for (const [what, damage] of damages) {
    it(`a map that is not JSON (${what}) is fatal with file:line`, async () => {
      const dir = scratch();
      const bad = damage(readFileSync(obMap, "utf8").split("\n"));
      const file = join(dir, "map.json");
      writeFileSync(file, bad.lines.join("\n"));
      const o = freshOut("policies");
      const r = await run(["generate", "--map", file, "--out", o.out]);
      const msg = expectFatal(r, o);
      expect(msg).toContain("map-invalid");
      expect(msg).toContain(`${file}:${bad.line}`);
    });
  }

  it("a map that is JSON but of the wrong shape names the file and each wrong field's path", async () => {
    const dir = scratch();
    const file = join(dir, "map.json");
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 1,
        workloads: [{ id: 7, kind: "pod-owner", name: "a", labels: {} }],
        edges: "none",
      }),
    );
    const o = freshOut("policies");
    const r = await run(["generate", "--map", file, "--out", o.out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = problemLines(r.stderr);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/map-invalid/);
    for (const l of lines) expect(l).toContain(file);
    expect(lines.some((l) => l.includes("workloads.0.id"))).toBe(true);
    expect(lines.some((l) => l.includes("(edges)"))).toBe(true);
    expect(lines.some((l) => l.includes("workloads.0.kind"))).toBe(false); // kind was right
    expect(leftovers(o.parent, o.out)).toEqual({ exists: false, entries: [] });
  });

  it("a map with a newer schemaVersion is refused with its location", async () => {
    const dir = scratch();
    const file = join(dir, "map.json");
    const map = JSON.parse(readFileSync(obMap, "utf8")) as { schemaVersion: number };
    map.schemaVersion += 1;
    writeFileSync(file, JSON.stringify(map));
    const o = freshOut("policies");
    const msg = expectFatal(await run(["generate", "--map", file, "--out", o.out]), o);
    expect(msg).toContain(`${file} (schemaVersion)`);
  });

  // BUG (generate/emit): namespaces and names from the map become file paths unchecked; a map
  // naming namespace "../../esc" makes writeDirAtomic throw a plain Error → "internal error", exit 70
  // with a stack trace, instead of map-invalid (exit 2). Nothing is written outside (that part holds).
  it("a map whose namespace is a path (../..) is bad input (exit 2), not an internal error", async () => {
    const dir = scratch();
    const file = join(dir, "map.json");
    const ns = "../../esc";
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 1,
        workloads: [
          { id: `${ns}/web`, kind: "pod-owner", namespace: ns, name: "web", labels: { app: "web" } },
          { id: `${ns}/db`, kind: "pod-owner", namespace: ns, name: "db", labels: { app: "db" } },
        ],
        edges: [
          {
            src: `${ns}/web`,
            dst: `${ns}/db`,
            ports: [{ protocol: "TCP", port: 5432 }],
            flows: 1,
            provenance: "observed",
          },
        ],
      }),
    );
    const o = freshOut("policies");
    const r = await run(["generate", "--map", file, "--out", o.out]);
    expect(existsSync(join(o.parent, "..", "esc"))).toBe(false);
    expect(existsSync(join(o.parent, "..", "..", "esc"))).toBe(false);
    expectFatal(r, o);
  });
});

describe("a non-JSON line among Hubble lines", () => {
  const GARBAGE_LINE = 100;
  let dir: string;
  let clean: string;
  let dirty: string;
  beforeAll(() => {
    dir = scratch();
    const lines = readFileSync(TCP_FLOWS, "utf8").trimEnd().split("\n");
    clean = join(dir, "clean.jsonl");
    dirty = join(dir, "dirty.jsonl");
    writeFileSync(clean, `${lines.join("\n")}\n`);
    lines.splice(GARBAGE_LINE - 1, 0, '{"flow": {"time": "2021-10-04T14:28:38Z", truncated');
    writeFileSync(dirty, `${lines.join("\n")}\n`);
  });

  it("is reported with file:line and skipped: the map equals the clean copy's, exit 0", async () => {
    const o = freshOut("map.json");
    const r = await run(["discover", "--flows", dirty, "-o", "json", "--out", o.out]);
    expect(r.code).toBe(0);
    const warnings = problemLines(r.stderr);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${dirty}:${GARBAGE_LINE}:`);
    expect(warnings[0]).toContain("flow-malformed");
    const cleanOut = join(scratch(), "clean-map.json");
    expect((await run(["discover", "--flows", clean, "--out", cleanOut])).code).toBe(0);
    const got = JSON.parse(readFileSync(o.out, "utf8"));
    const want = JSON.parse(readFileSync(cleanOut, "utf8"));
    expect(want.edges.length).toBeGreaterThan(5);
    expect(got.edges).toEqual(want.edges);
    expect(got.workloads).toEqual(want.workloads);
    expect(got.summary.malformed).toBe(1);
    expect(want.summary.malformed).toBe(0);
    expect(got.summary.records).toBe(want.summary.records);
  });

  it("is fatal with --strict: file:line, exit 2, --out not written", async () => {
    const o = freshOut("map.json");
    const r = await run(["discover", "--flows", dirty, "--strict", "--out", o.out]);
    const msg = expectFatal(r, o);
    expect(msg).toContain(`${dirty}:${GARBAGE_LINE}:`);
    expect(msg).toContain("error[flow-malformed]");
  });

  it("is fatal with --strict in verify too, and the report is not written", async () => {
    const policies = join(scratch(), "policies");
    const map = join(scratch(), "map.json");
    expect((await run(["discover", "--flows", clean, "--out", map])).code).toBe(0);
    expect((await run(["generate", "--map", map, "--out", policies])).code).toBe(0);
    const o = freshOut("report.json");
    const r = await run(["verify", "--policies", policies, "--flows", dirty, "--strict", "--out", o.out]);
    expect(expectFatal(r, o)).toContain(`${dirty}:${GARBAGE_LINE}:`);
    // without --strict the same replay runs (0 denied: the policies came from these flows)
    const ok = await run(["verify", "--policies", policies, "--flows", dirty, "--out", o.out]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(o.out, "utf8")).summary.denied).toBe(0);
  });
});

describe("a path that does not exist is fatal and named", () => {
  const cases: [string, (missing: string) => string[]][] = [
    ["discover --flows", (m) => ["discover", "--flows", m]],
    ["discover --inventory", (m) => ["discover", "--inventory", m]],
    ["verify --policies", (m) => ["verify", "--policies", m, "--map", m]],
    ["generate --map", (m) => ["generate", "--map", m]],
    ["connectivity --dir", (m) => ["connectivity", "--dir", m]],
  ];
  for (const [what, args] of cases) {
    it(what, async () => {
      const o = freshOut("out");
      const missing = join(scratch(), "no-such-dir", "input.yaml");
      const r = await run([...args(missing), "--out", o.out]);
      const msg = expectFatal(r, o);
      expect(msg).toContain(missing);
      expect(msg).toContain("file-unreadable");
    });
  }
});

describe("--out that cannot be written", () => {
  // BUG (src/io/write.ts via the CLI): an unwritable --out ends as "internal error" with a stack
  // trace and exit 70; it is a wrong flag (exit 2, one message naming the path).
  it("discover --out under a regular file: exit 2 naming the path", async () => {
    const dir = scratch();
    const file = join(dir, "taken");
    writeFileSync(file, "keep me\n");
    const out = join(file, "map.json");
    const r = await run(["discover", "--inventory", OB_MANIFESTS, "--out", out]);
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(2);
    expect(problemLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(out);
    expect(readFileSync(file, "utf8")).toBe("keep me\n");
  });

  // BUG (src/io/write.ts writeDirAtomic): an --out that is an existing regular file is silently
  // replaced by the policy directory — here the input map itself is destroyed.
  it("generate --out naming an existing file (the map itself) does not destroy it", async () => {
    const dir = scratch();
    const map = join(dir, "map.json");
    const text = readFileSync(obMap, "utf8");
    writeFileSync(map, text);
    const r = await run(["generate", "--map", map, "--out", map]);
    expect(readFileSync(map, "utf8")).toBe(text); // throws EISDIR when it became a directory
    expect(r.code).toBe(2);
    expect(problemLines(r.stderr).join("\n")).toContain(map);
  });
});

describe("the no-output check itself", () => {
  it("leftovers() sees an output that exists and every entry beside it", () => {
    const dir = scratch();
    mkdirSync(join(dir, "x"));
    writeFileSync(join(dir, "map.json.tmp-1-ab"), "");
    expect(leftovers(dir, join(dir, "x"))).toEqual({ exists: true, entries: ["map.json.tmp-1-ab", "x"] });
  });
});

/**
 * Input that yields not a single flow record is said so, naming the inputs and what was skipped:
 * exit 2 when no file at all was recognised as flows (manifests given as --flows, a folder holding
 * only SOURCE.md, an empty folder), a warning and exit 0 when a file was recognised but held none
 * (an empty capture, status records only).
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpusPath } from "../helpers/corpus.js";
import { problemLines, run, scratchDirs } from "./run.js";

const scratch = scratchDirs("no-flows");
const MANIFESTS = corpusPath("apps", "online-boutique", "manifests");
const CALICO = corpusPath("flows", "calico"); // holds SOURCE.md only
const POLICIES = corpusPath("apps", "online-boutique", "policies", "network-policies");

describe("no file recognised as flows: exit 2, one message naming the input and the skipped files", () => {
  it("--flows on a manifests directory", async () => {
    const r = await run(["discover", "--flows", MANIFESTS]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = problemLines(r.stderr);
    expect(lines).toHaveLength(1);
    const n = readdirSync(MANIFESTS).filter((f) => !f.startsWith(".")).length;
    expect(lines[0]).toMatch(
      new RegExp(`^microseg: ${MANIFESTS}: error\\[flow-unknown-format\\]: no flow records: `),
    );
    expect(lines[0]).toContain(
      `${n} files in no known flow format skipped (adservice.yaml, cartservice.yaml,`,
    );
    expect(lines[0]).toContain("known formats: hubble, aws-vpc");
  });

  it("--flows on a folder holding only SOURCE.md", async () => {
    const r = await run(["discover", "--flows", CALICO, "-o", "json"]);
    expect(r.code).toBe(2);
    expect(problemLines(r.stderr)).toEqual([
      expect.stringContaining(
        `${CALICO}: error[flow-unknown-format]: no flow records: no file was recognised as flows: 1 file in no known flow format skipped (SOURCE.md)`,
      ),
    ]);
  });

  it("an empty directory: no files found", async () => {
    const dir = scratch();
    const r = await run(["discover", "--flows", dir]);
    expect(r.code).toBe(2);
    expect(problemLines(r.stderr)[0]).toContain("no file was recognised as flows: no files found");
  });

  it("verify --flows on manifests is refused the same way (not 'nothing denied', exit 0)", async () => {
    const r = await run(["verify", "--policies", POLICIES, "--inventory", MANIFESTS, "--flows", MANIFESTS]);
    expect(r.code).toBe(2);
    expect(problemLines(r.stderr).join("\n")).toContain("error[flow-unknown-format]: no flow records");
  });
});

describe("recognised but without a flow record: a warning, exit 0", () => {
  it("an empty file", async () => {
    const file = join(scratch(), "e.jsonl");
    writeFileSync(file, "");
    const r = await run(["discover", "--flows", file, "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).edges).toEqual([]);
    expect(problemLines(r.stderr)).toEqual([
      `microseg: ${file}: warning[data-missing]: no flow records: the input is empty`,
    ]);
  });

  it("a Hubble file of status records only", async () => {
    const file = join(scratch(), "status.jsonl");
    writeFileSync(
      file,
      '{"node_status":{"state":"NODE_CONNECTED"}}\n{"lost_events":{"num_events_lost":"2"}}\n',
    );
    const r = await run(["discover", "--flows", file]);
    expect(r.code).toBe(0);
    expect(problemLines(r.stderr)).toContain(
      `microseg: ${file}: warning[data-missing]: no flow records: ${file} read as hubble holds none (2 status records only)`,
    );
  });

  it("--format forced on manifests: recognised by the user's word; every line malformed, said in one warning", async () => {
    const r = await run(["discover", "--format", "hubble", "--flows", MANIFESTS]);
    expect(r.code).toBe(0);
    const lines = problemLines(r.stderr);
    expect(lines.filter((l) => l.includes("warning[flow-malformed]")).length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(
      new RegExp(
        `^microseg: ${MANIFESTS}: warning\\[data-missing\\]: no flow records: \\d+ files with every record malformed as hubble \\(adservice\\.yaml`,
      ),
    );
  });

  it("an empty file beside a folder of non-flows: a warning naming both inputs and what each held", async () => {
    const file = join(scratch(), "e.jsonl");
    writeFileSync(file, "\n\n");
    const r = await run(["discover", "--flows", file, "--flows", CALICO]);
    expect(r.code).toBe(0);
    const warning = problemLines(r.stderr).find((l) => l.includes("data-missing"));
    expect(warning).toBe(
      `microseg: warning[data-missing]: no flow records in ${file}, ${CALICO}: 1 empty file (${file}); 1 file in no known flow format skipped (${CALICO}/SOURCE.md)`,
    );
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { corpusPath } from "../../test/helpers/corpus.js";
import type { Flow } from "../model/flow.js";
import { MicrosegError, ProblemSink } from "../model/problems.js";
import { type FlowFileStats, listFlowFiles, type ReadFlowsOptions, readFlows } from "./flow-files.js";

const tmp = mkdtempSync(join(tmpdir(), "microseg-flows-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TEN = corpusPath("flows", "hubble", "hubble-otel-basic-sample-10-flows.jsonl");
const tenLines = readFileSync(TEN, "utf8").trimEnd().split("\n");

async function collect(inputs: string[], opts: Partial<ReadFlowsOptions> = {}) {
  const problems = new ProblemSink();
  const stats: FlowFileStats[] = [];
  const flows: Flow[] = [];
  for await (const f of readFlows(inputs, { problems, stats, ...opts })) flows.push(f);
  return { flows, problems, stats };
}

describe("readFlows", () => {
  it("reports a non-JSON line with file:line, skips it and reads the rest", async () => {
    const file = join(tmp, "with-garbage.jsonl");
    writeFileSync(file, [...tenLines.slice(0, 3), "this is not json", ...tenLines.slice(3)].join("\n"));
    const { flows, problems, stats } = await collect([file]);
    expect(flows).toHaveLength(10);
    expect(problems.items).toHaveLength(1);
    expect(problems.items[0]).toMatchObject({
      code: "flow-malformed",
      severity: "warning",
      location: { file, line: 4 },
    });
    expect(stats).toEqual([{ file, format: "hubble", lines: 11, flows: 10, ignored: 0, malformed: 1 }]);
    expect(flows[3].origin).toEqual({ format: "hubble", file, line: 5 });
  });

  it("makes the malformed line fatal with strict", async () => {
    const file = join(tmp, "with-garbage-strict.jsonl");
    writeFileSync(file, [...tenLines.slice(0, 3), "this is not json", ...tenLines.slice(3)].join("\n"));
    const err = await collect([file], { strict: true }).catch((e) => e);
    expect(err).toBeInstanceOf(MicrosegError);
    expect((err as MicrosegError).problems[0]).toMatchObject({ code: "flow-malformed", severity: "error" });
    expect((err as MicrosegError).message).toContain(`${file}:4: error[flow-malformed]`);
  });

  it("counts node_status and lost_events records as ignored, not malformed", async () => {
    const file = join(tmp, "status.jsonl");
    writeFileSync(
      file,
      [
        '{"node_status":{"state":"NODE_CONNECTED"}}',
        tenLines[0],
        '{"lost_events":{"num_events_lost":"2"}}',
        "",
      ].join("\n"),
    );
    const { flows, problems, stats } = await collect([file]);
    expect(flows).toHaveLength(1);
    expect(stats[0]).toMatchObject({ flows: 1, ignored: 2, malformed: 0 });
    expect(problems.items.map((p) => [p.code, p.severity])).toEqual([["flow-ignored", "info"]]);
  });

  it("reads directories recursively in sorted order, gzip included, and skips non-flow files found there", async () => {
    const dir = join(tmp, "tree");
    mkdirSync(join(dir, "b"), { recursive: true });
    writeFileSync(join(dir, "b", "z.jsonl.gz"), gzipSync(`${tenLines.slice(5).join("\n")}\n`));
    writeFileSync(join(dir, "a.jsonl"), tenLines.slice(0, 5).join("\n"));
    writeFileSync(join(dir, "README.md"), "# captures\n");
    writeFileSync(join(dir, ".hidden.jsonl"), "junk\n");
    expect((await listFlowFiles([dir])).map((f) => f.file)).toEqual([
      join(dir, "README.md"),
      join(dir, "a.jsonl"),
      join(dir, "b", "z.jsonl.gz"),
    ]);
    const { flows, problems } = await collect([dir]);
    expect(flows.map((f) => f.time)).toEqual(
      tenLines.map((l) =>
        Date.parse((JSON.parse(l) as { time: string }).time.replace(/(\.\d{3})\d*Z$/, "$1Z")),
      ),
    );
    expect(problems.items).toHaveLength(1);
    expect(problems.items[0]).toMatchObject({ code: "flow-unknown-format", severity: "warning" });
  });

  it("reads stdin for -", async () => {
    const stdin = Readable.from([`${tenLines.slice(0, 2).join("\n")}\n`]);
    const { flows, stats } = await collect(["-"], { stdin });
    expect(flows).toHaveLength(2);
    expect(flows[0].origin.file).toBe("<stdin>");
    expect(stats[0].file).toBe("<stdin>");
  });

  it("fails on a named file whose format nobody recognises, and on an unknown --format", async () => {
    const file = join(tmp, "netflow.txt");
    writeFileSync(file, "Date first seen Duration Proto Src IP Addr:Port Dst IP Addr:Port Packets Bytes\n");
    const err = await collect([file]).catch((e) => e);
    expect((err as MicrosegError).problems[0]).toMatchObject({
      code: "flow-unknown-format",
      location: { file },
    });
    const err2 = await collect([TEN], { format: "netflow" }).catch((e) => e);
    expect((err2 as MicrosegError).message).toContain("known formats: auto, hubble");
  });

  it("fails on a missing input with file-unreadable", async () => {
    const err = await collect([join(tmp, "nope.jsonl")]).catch((e) => e);
    expect((err as MicrosegError).problems[0].code).toBe("file-unreadable");
  });

  it("reads with an explicit --format", async () => {
    const { flows } = await collect([TEN], { format: "hubble" });
    expect(flows).toHaveLength(10);
  });
});

describe("readFlows: line and document caps", () => {
  it("a line over 1 MiB is malformed at file:line and skipped; the lines after it keep their numbers", async () => {
    const file = join(tmp, "one-long-line.jsonl");
    const long = `{"flow":{"x":"${"a".repeat(1_100_000)}"}}`;
    writeFileSync(file, [tenLines[0], tenLines[1], long, tenLines[2]].join("\n"));
    const { flows, problems, stats } = await collect([file]);
    expect(flows.map((f) => f.origin?.line)).toEqual([1, 2, 4]);
    expect(problems.items).toEqual([
      {
        code: "flow-malformed",
        severity: "warning",
        message: "line longer than 1 MiB (1048576 characters) skipped",
        location: { file, line: 3 },
      },
    ]);
    expect(stats[0]).toMatchObject({ lines: 4, flows: 3, malformed: 1 });
  });

  it("the line cap is an option (maxLineChars), and --strict makes an over-long line fatal", async () => {
    const file = join(tmp, "short-cap.jsonl");
    writeFileSync(file, tenLines.slice(0, 3).join("\n"));
    const capped = await collect([file], {
      maxLineChars: Math.max(...tenLines.slice(0, 3).map((l) => l.length)) - 1,
    });
    expect(capped.problems.items.length).toBeGreaterThan(0);
    expect(capped.problems.items[0].message).toMatch(
      /^line longer than \d+(\.\d)? KiB \(\d+ characters\) skipped$/,
    );
    const err = await collect([file], { maxLineChars: 10, format: "hubble", strict: true }).catch((e) => e);
    expect(err).toBeInstanceOf(MicrosegError);
    expect((err as MicrosegError).message).toContain(`${file}:1: error[flow-malformed]: line longer than`);
  });

  it("a document format's record over the value cap is malformed at its line; the records around it are read", async () => {
    const azure = corpusPath("flows", "azure-nsg", "msdocs-nsg-flowlog-v2-PT1H.json");
    const ok = await collect([azure]);
    expect(ok.flows).toHaveLength(11);
    // record 1 (line 3) is ~1.3 kB, record 2 (line 42) ~1 kB
    const capped = await collect([azure], { maxJsonValueChars: 1200 });
    expect(capped.flows.map((f) => f.origin?.line)).toEqual([57, 58, 59, 60]);
    expect(capped.problems.items[0]).toEqual({
      code: "flow-malformed",
      severity: "warning",
      message:
        "JSON value longer than 1.2 KiB (1200 characters) skipped (MICROSEG_MAX_JSON_VALUE_MB=N raises the cap)",
      location: { file: azure, line: 3 },
    });
    expect(capped.stats[0]).toMatchObject({ lines: 69, flows: 4, malformed: 1 });
    const err = await collect([azure], { maxJsonValueChars: 1200, strict: true }).catch((e) => e);
    expect((err as MicrosegError).message).toContain(
      `${azure}:3: error[flow-malformed]: JSON value longer than`,
    );
  });

  it("a file without newlines: detection reads only a head of 10 lines' worth, and says the line was cut", async () => {
    let pulled = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          pulled += 4096;
          yield "a".repeat(4096);
        }
      })(),
    );
    const err = await collect(["-"], { stdin: endless, maxLineChars: 10_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(MicrosegError);
    expect((err as MicrosegError).message).toContain("cannot detect the flow format");
    expect((err as MicrosegError).message).toContain(
      "line 1 is longer than 9.8 KiB (10000 characters) and only its start was looked at",
    );
    expect(pulled).toBeLessThan(10 * 10_000 + 64 * 1024);
  });
});

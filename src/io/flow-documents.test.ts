import { execFile } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { corpusPath, repoRoot } from "../../test/helpers/corpus.js";
import type { Flow } from "../model/flow.js";
import { MicrosegError, ProblemSink } from "../model/problems.js";
import { type FlowFileStats, type ReadFlowsOptions, readFlows } from "./flow-files.js";

const tmp = mkdtempSync(join(tmpdir(), "microseg-docs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(inputs: string[], opts: Partial<ReadFlowsOptions> = {}) {
  const problems = new ProblemSink();
  const stats: FlowFileStats[] = [];
  const flows: Flow[] = [];
  for await (const f of readFlows(inputs, { problems, stats, ...opts })) flows.push(f);
  return { flows, problems, stats };
}

/** 1-based line of offset `at` in `text`. */
function lineAt(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < at; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** Lines (1-based) whose text is exactly `l`, in order. */
const linesEqual = (text: string, l: string) =>
  text.split("\n").flatMap((t, i) => (t.replace(/\r$/, "") === l ? [i + 1] : []));

const TS0 = 1_700_000_000;

/** An Azure NSG v2 document: `records` records of `tuples[r]` tuples each; every tuple's timestamp is unique. */
function azureDocument(tuples: number[]): { doc: object; tuples: string[] } {
  const all: string[] = [];
  const records = tuples.map((n, r) => {
    const flowTuples = Array.from({ length: n }, () => {
      const t = `${TS0 + all.length},10.1.${r % 250}.${(all.length % 250) + 1},10.5.16.4,${40000 + (all.length % 20000)},443,T,I,A,B,,,,`;
      all.push(t);
      return t;
    });
    return {
      time: new Date((TS0 + r * 60) * 1000).toISOString(),
      systemId: "66aa66aa-bb77-cc88-dd99-00ee00ee00ee",
      category: "NetworkSecurityGroupFlowEvent",
      resourceId:
        "/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WEB-NSG",
      operationName: "NetworkSecurityGroupFlowEvents",
      properties: {
        Version: 2,
        flows: [{ rule: "Règle_entrée_ü", flows: [{ mac: "000D3AF87856", flowTuples }] }],
      },
    };
  });
  return { doc: { records }, tuples: all };
}

/** What reading `text` must give: every tuple a flow, in order, at the line its string is on. */
function expectedAzure(text: string, tuples: readonly string[]) {
  let at = 0;
  let line = 1;
  return tuples.map((t) => {
    const next = text.indexOf(`"${t}"`, at);
    line += lineAt(text.slice(at, next), next - at) - 1;
    at = next;
    return { time: Number(t.split(",")[0]) * 1000, line };
  });
}

const asAzure = (flows: Flow[]) => flows.map((f) => ({ time: f.time, line: f.origin?.line }));

/** The document as stdin: UTF-8 bytes in chunks of an odd size (cuts inside characters and tokens). */
const stdinOf = (text: string) => {
  const bytes = Buffer.from(text, "utf8");
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 65_537) chunks.push(bytes.subarray(i, i + 65_537));
  return Readable.from(chunks);
};

describe("document formats stream: a document far bigger than the value cap", () => {
  // 3000 records of 4 tuples: ~2.5 MB pretty-printed, ~1.6 MB on one line; the caps are 2 kB and 4 kB
  const { doc, tuples } = azureDocument(Array.from({ length: 3000 }, () => 4));
  const caps = { maxJsonValueChars: 2048, maxLineChars: 4096 };
  const variants = {
    pretty: JSON.stringify(doc, null, 2),
    "pretty CRLF": JSON.stringify(doc, null, 2).replace(/\n/g, "\r\n"),
    "minified, one line": JSON.stringify(doc),
  };

  it.each(Object.entries(variants))(
    "Azure %s: every flow, in order, at its line (file, .gz, stdin)",
    async (name, text) => {
      expect(text.length).toBeGreaterThan(500 * caps.maxJsonValueChars);
      const file = join(tmp, `azure-${name.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, text);
      writeFileSync(`${file}.gz`, gzipSync(text));
      const expected = expectedAzure(text, tuples);
      const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
      for (const [input, extra] of [
        [file, {}],
        [`${file}.gz`, {}],
        ["-", { stdin: stdinOf(text) }],
      ] as const) {
        const { flows, problems, stats } = await collect([input], { ...caps, ...extra });
        expect(problems.items).toEqual([]);
        expect(asAzure(flows)).toEqual(expected);
        expect(flows[0].policies).toEqual(["WEB-NSG/Règle_entrée_ü"]);
        expect(stats[0]).toMatchObject({
          format: "azure-flow-logs",
          lines,
          flows: tuples.length,
          malformed: 0,
        });
      }
    },
  );

  it("a truncated document: every record before the cut is read, the cut record is malformed at its line", async () => {
    for (const [name, text] of Object.entries(variants)) {
      const k = 1234;
      const cutAt = text.indexOf(`"${tuples[k * 4 + 2]}"`) + 10;
      const cut = text.slice(0, cutAt);
      const file = join(tmp, `azure-cut-${name.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, cut);
      const { flows, problems, stats } = await collect([file], caps);
      expect(asAzure(flows)).toEqual(expectedAzure(text, tuples).slice(0, k * 4));
      const recordLine = name.startsWith("minified") ? 1 : linesEqual(text, "    {")[k];
      expect(problems.items).toEqual([
        {
          code: "flow-malformed",
          severity: "warning",
          message: "the file ends inside this JSON value (a cut-off document?); value skipped",
          location: { file, line: recordLine },
        },
      ]);
      expect(stats[0]).toMatchObject({ lines: lineAt(cut, cut.length), flows: k * 4, malformed: 1 });
      const err = await collect([file], { ...caps, strict: true }).catch((e) => e);
      expect(err).toBeInstanceOf(MicrosegError);
      expect((err as MicrosegError).message).toContain(
        `${file}:${recordLine}: error[flow-malformed]: the file ends`,
      );
    }
  });

  it("one record over the value cap is malformed at its line, naming the cap; the others are read", async () => {
    const sizes = Array.from({ length: 200 }, (_, r) => (r === 120 ? 300 : 3));
    const big = azureDocument(sizes);
    const text = JSON.stringify(big.doc, null, 2);
    const file = join(tmp, "azure-one-big-record.json");
    writeFileSync(file, text);
    const first = sizes.slice(0, 120).reduce((a, b) => a + b, 0);
    const { flows, problems, stats } = await collect([file], caps);
    const expected = expectedAzure(text, big.tuples);
    expect(asAzure(flows)).toEqual([...expected.slice(0, first), ...expected.slice(first + 300)]);
    expect(problems.items).toEqual([
      {
        code: "flow-malformed",
        severity: "warning",
        message:
          "JSON value longer than 2 KiB (2048 characters) skipped (MICROSEG_MAX_JSON_VALUE_MB=N raises the cap)",
        location: { file, line: linesEqual(text, "    {")[120] },
      },
    ]);
    expect(stats[0]).toMatchObject({ flows: big.tuples.length - 300, malformed: 1 });
  });

  it("MICROSEG_MAX_JSON_VALUE_MB sets the value cap when the option is not given", async () => {
    const file = join(tmp, "azure-env-cap.json");
    writeFileSync(file, variants.pretty);
    const before = process.env.MICROSEG_MAX_JSON_VALUE_MB;
    process.env.MICROSEG_MAX_JSON_VALUE_MB = String(512 / (1024 * 1024));
    try {
      const { flows, problems } = await collect([file]);
      expect(flows).toHaveLength(0);
      expect(problems.items[0].message).toMatch(/^JSON value longer than 512 characters skipped/);
    } finally {
      if (before === undefined) delete process.env.MICROSEG_MAX_JSON_VALUE_MB;
      else process.env.MICROSEG_MAX_JSON_VALUE_MB = before;
    }
  });

  it("a byte-order mark before the document is skipped", async () => {
    const file = join(tmp, "azure-bom.json");
    const sample = readFileSync(corpusPath("flows", "azure-nsg", "msdocs-nsg-flowlog-v2-PT1H.json"), "utf8");
    writeFileSync(file, `\uFEFF${sample}`);
    const { flows, problems } = await collect([file]);
    expect(problems.items).toEqual([]);
    expect(flows).toHaveLength(11);
  });
});

describe("GCP `gcloud logging read --format=json` arrays stream entry by entry", () => {
  const template = JSON.parse(
    readFileSync(
      corpusPath("flows", "gcp-vpc", "elastic-beats-vpc-flow-log-entries-first8.jsonl"),
      "utf8",
    ).split("\n")[0],
  );
  const entries = Array.from({ length: 5000 }, (_, i) => {
    const e = structuredClone(template);
    e.insertId = `id-${i}`;
    e.jsonPayload.connection.src_port = 1024 + i;
    return e;
  });
  const caps = { maxJsonValueChars: 4096, maxLineChars: 4096 };

  it.each([
    ["pretty", JSON.stringify(entries, null, 2)],
    ["minified, one line", JSON.stringify(entries)],
  ])("%s: every entry at the line its element starts on", async (name, text) => {
    const file = join(tmp, `gcp-${name.replace(/\W+/g, "-")}.json`);
    writeFileSync(file, text);
    const { flows, problems, stats } = await collect([file], caps);
    expect(problems.items).toEqual([]);
    const starts = name === "pretty" ? linesEqual(text, "  {") : entries.map(() => 1);
    expect(starts).toHaveLength(entries.length);
    expect(flows.map((f) => ({ port: f.src.port, line: f.origin?.line }))).toEqual(
      entries.map((_, i) => ({ port: 1024 + i, line: starts[i] })),
    );
    expect(stats[0]).toMatchObject({ format: "gcp-vpc", flows: entries.length, malformed: 0 });
  });
});

describe("memory: a document is not held", () => {
  it("a 150 MB Azure document on one line reads in a process whose heap is capped at 64 MB", async () => {
    // 1500 records of ~100 kB (20 tuples and a padding member) written without a newline; reading
    // the old way (the whole text in memory) needs well over 150 MB of heap and aborts
    const file = join(tmp, "big-one-line.json");
    const fd = openSync(file, "w");
    const pad = "x".repeat(100 * 1024);
    let ts = TS0;
    writeSync(fd, '{"records":[');
    for (let r = 0; r < 1500; r++) {
      const tuples = Array.from(
        { length: 20 },
        (_, t) => `"${ts++},10.1.0.${t},10.5.16.4,40000,443,T,I,A,B,,,,"`,
      );
      writeSync(
        fd,
        `${r ? "," : ""}{"category":"NetworkSecurityGroupFlowEvent","resourceId":"/X/NSG","padding":"${pad}",` +
          `"properties":{"Version":2,"flows":[{"rule":"R","flows":[{"mac":"000D3AF87856","flowTuples":[${tuples}]}]}]}}`,
      );
    }
    writeSync(fd, "]}");
    closeSync(fd);
    const inChild = (name: string) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ["--max-old-space-size=64", "--import", "tsx", join(repoRoot(), "test", "helpers", name), file],
          { cwd: repoRoot() },
          (err, stdout, stderr) =>
            err ? reject(new Error(`${err.message}\n${stderr.slice(-2000)}`)) : resolve(stdout),
        ),
      );
    try {
      expect(JSON.parse(await inChild("read-flows-child.ts"))).toMatchObject({ flows: 30_000, problems: 0 });
      // the store's ingest (format detection reads a capped head, then the document streams)
      expect(JSON.parse(await inChild("ingest-store-child.ts"))).toEqual({
        records: 30_000,
        malformed: 0,
        formats: ["azure-flow-logs"],
      });
    } finally {
      rmSync(file);
    }
  }, 90_000);
});

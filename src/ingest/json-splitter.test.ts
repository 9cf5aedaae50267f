import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { corpusPath, repoRoot } from "../../test/helpers/corpus.js";
import {
  type JsonChunk,
  type JsonSplitterOptions,
  JsonValueSplitter,
  splitJsonText,
} from "./json-splitter.js";

/** The values of `text` pushed in string pieces of `size` characters (or at the cut points given). */
function splitInPieces(text: string, cuts: number[], options?: JsonSplitterOptions): JsonChunk[] {
  const s = new JsonValueSplitter(options);
  const out: JsonChunk[] = [];
  let from = 0;
  for (const at of [...cuts, text.length]) {
    out.push(...s.push(text.slice(from, at)));
    from = at;
  }
  return [...out, ...s.end()];
}

const everyN = (length: number, n: number) => Array.from({ length: Math.ceil(length / n) }, (_, i) => i * n);

/** The values of `text` encoded as UTF-8, cut into byte chunks of `size` and decoded as a stream would be. */
function splitUtf8Bytes(text: string, size: number, options?: JsonSplitterOptions): JsonChunk[] {
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder("utf-8");
  const s = new JsonValueSplitter(options);
  const out: JsonChunk[] = [];
  for (let i = 0; i < bytes.length; i += size)
    out.push(...s.push(decoder.decode(bytes.subarray(i, i + size), { stream: true })));
  out.push(...s.push(decoder.decode()));
  return [...out, ...s.end()];
}

/** Line (1-based) of offset `at` in `text`. */
const lineAt = (text: string, at: number) => text.slice(0, at).split("\n").length;

describe("JsonValueSplitter on the real samples: the same values as JSON.parse, with their lines", () => {
  const azure = (f: string) => corpusPath("flows", "azure-nsg", f);
  const unwrap = { unwrap: ["records"] };

  it.each([
    "msdocs-nsg-flowlog-v2-PT1H.json",
    "msdocs-vnet-flowlog-v4-PT1H.json",
    "elastic-integrations-nsg-testdata.log",
  ])("Azure %s: each element of records, at the line of its opening brace", (f) => {
    const text = readFileSync(azure(f), "utf8");
    const records = (JSON.parse(text) as { records: unknown[] }).records;
    const values = splitJsonText(text, unwrap);
    expect(values.map((v) => JSON.parse(v.text))).toEqual(records);
    expect(values.every((v) => v.key === "records")).toBe(true);
    const lines = text.split("\n");
    for (const v of values) expect(lines[v.line - 1].trim()).toMatch(/^(\{"records":\[)?\{/);
    if (f.endsWith(".json")) expect(values.map((v) => v.line)).toEqual(f.includes("nsg") ? [3, 42] : [3]);
    for (const size of [1, 2, 3, 5, 64]) expect(splitUtf8Bytes(text, size, unwrap)).toEqual(values);
  });

  it("a bare Azure record (no records key) comes out whole", () => {
    const text = readFileSync(azure("elastic-integrations-vnet-test.log"), "utf8");
    const values = splitJsonText(text, unwrap);
    expect(values).toEqual([{ text: text.trim(), line: 1 }]);
  });

  it("JSON lines (GCP entries, Hubble flows): one value a line", () => {
    for (const file of [
      corpusPath("flows", "gcp-vpc", "elastic-beats-vpc-flow-log-entries-first8.jsonl"),
      corpusPath("flows", "hubble", "hubble-otel-basic-sample-10-flows.jsonl"),
    ]) {
      const text = readFileSync(file, "utf8");
      const lines = text.split("\n");
      const expected = lines.flatMap((l, i) => (l.trim() ? [{ value: JSON.parse(l), line: i + 1 }] : []));
      const values = splitJsonText(text, unwrap);
      expect(values.map((v) => ({ value: JSON.parse(v.text), line: v.line }))).toEqual(expected);
      for (const size of [1, 7, 1000]) expect(splitUtf8Bytes(text, size)).toEqual(values);
    }
  });

  it("a JSON array of GCP entries (sample written here): the elements, each at its line", () => {
    const text = readFileSync(`${repoRoot()}/test/fixtures/flows/gcp-vpc/gke-details.json`, "utf8");
    const values = splitJsonText(text);
    expect(values.map((v) => JSON.parse(v.text))).toEqual(JSON.parse(text));
    const starts = text.split("\n").flatMap((l, i) => (l === "  {" ? [i + 1] : []));
    expect(values.map((v) => v.line)).toEqual(starts);
    expect(splitInPieces(text, everyN(text.length, 3))).toEqual(values);
  });
});

describe("JsonValueSplitter: shapes and broken input", () => {
  it("a wrapper's other members are dropped; a key named records deeper, or a records string value, does not unwrap", () => {
    const text =
      '{"kind":"records","meta":{"records":[9]},"records":[{"a":1},\n[2,3], "x"],"tail":{"records":[8]}}';
    const values = splitJsonText(text, { unwrap: ["records"] });
    expect(values).toEqual([
      { text: '{"a":1}', line: 1, key: "records" },
      { text: "[2,3]", line: 2, key: "records" },
      { text: '"x"', line: 2, key: "records" },
    ]);
    // without the option the same document is one value
    expect(splitJsonText(text).map((v) => v.text)).toEqual([text]);
  });

  it("every top-level array is read element by element; scalars, strings with escapes, stray closers", () => {
    const text = '[1, "a\\"]b", {"c":"}"}]\n[[true]]\n null ] -5\n"\\\\"';
    expect(splitJsonText(text).map((v) => [v.text, v.line])).toEqual([
      ["1", 1],
      ['"a\\"]b"', 1],
      ['{"c":"}"}', 1],
      ["[true]", 2],
      ["null", 3],
      ["]", 3],
      ["-5", 3],
      ['"\\\\"', 4],
    ]);
  });

  it("a value cut off by the end of the text comes out as it is, at its line; the line count is the text's", () => {
    const s = new JsonValueSplitter({ unwrap: ["records"] });
    const out = [...s.push('{"records":[\n{"a":1},\n{"b":'), ...s.push("[1,"), ...s.end()];
    expect(out).toEqual([
      { text: '{"a":1}', line: 2, key: "records" },
      { text: '{"b":[1,', line: 3, key: "records", truncated: true },
    ]);
    expect(splitJsonText('1 "open')).toEqual([
      { text: "1", line: 1 },
      { text: '"open', line: 1, truncated: true },
    ]);
    expect(splitJsonText("\uFEFF[1]")).toEqual([{ text: "1", line: 1 }]);
    expect(splitJsonText("[1, 2")).toEqual([
      { text: "1", line: 1 },
      { text: "2", line: 1 },
      { text: "", line: 1, truncated: true },
    ]);
    expect(s.lines).toBe(3);
    const t = new JsonValueSplitter();
    t.push("1\n2\n");
    expect(t.lines).toBe(2);
  });

  it("a value over the cap is dropped as it streams (overlong, with its line); the values around it are kept", () => {
    const big = `{"x":"${"a".repeat(300)}"}`;
    const text = `[{"a":1},\n${big},\n{"b":2}]`;
    for (const cuts of [[], everyN(text.length, 16)]) {
      const s = new JsonValueSplitter({ maxValueChars: 100 });
      const values = [...splitWith(s, text, cuts)];
      expect(values).toEqual([
        { text: '{"a":1}', line: 1 },
        { text: "", line: 2, overlong: true },
        { text: '{"b":2}', line: 3 },
      ]);
      expect(s.highWater).toBeLessThanOrEqual(100);
    }
  });

  it("a wrapper's members before the records array may exceed the cap: they are not kept", () => {
    const text = `{"meta":"${"m".repeat(500)}","records":[{"a":1}]}`;
    expect(splitInPieces(text, everyN(text.length, 50), { unwrap: ["records"], maxValueChars: 100 })).toEqual(
      [{ text: '{"a":1}', line: 1, key: "records" }],
    );
  });
});

function splitWith(s: JsonValueSplitter, text: string, cuts: number[]): JsonChunk[] {
  const out: JsonChunk[] = [];
  let from = 0;
  for (const at of [...cuts, text.length]) {
    out.push(...s.push(text.slice(from, at)));
    from = at;
  }
  return [...out, ...s.end()];
}

/** A document built from values, with the line each value starts on. */
interface Built {
  text: string;
  expected: { value: unknown; line: number; key?: string }[];
}

/** Escapes every non-ASCII UTF-16 unit as \uXXXX (they only occur inside strings). */
const escapeNonAscii = (s: string) =>
  s.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

function buildDocument(
  values: unknown[],
  shape: "array" | "wrapper" | "lines" | "concat",
  indent: number,
  asciiOnly: boolean,
): Built {
  const ser = (v: unknown, pretty = indent > 0) => {
    const s = JSON.stringify(v, null, pretty ? indent : undefined);
    return asciiOnly ? escapeNonAscii(s) : s;
  };
  let text = "";
  const expected: Built["expected"] = [];
  const add = (v: unknown, key?: string) => {
    const s = ser(v);
    expected.push({ value: JSON.parse(s), line: lineAt(text, text.length), ...(key ? { key } : {}) });
    text += s;
  };
  const sep = indent > 0 ? ",\n  " : ",";
  if (shape === "array" || shape === "wrapper") {
    text += shape === "array" ? "[" : `{"version": ${ser({ records: { note: "records" } })}, "records" :\n [`;
    values.forEach((v, i) => {
      if (i > 0) text += sep;
      add(v, shape === "wrapper" ? "records" : undefined);
    });
    text += shape === "array" ? "]\n" : `], "tail": ${ser(["records", { records: [1] }])}}\n`;
  } else {
    for (const v of values) {
      add(v, undefined);
      text += "\n";
    }
  }
  return { text, expected };
}

/** Strings made mostly of what a scanner can get wrong: quotes, backslashes, brackets, newlines, multi-byte characters. */
const trickyString = fc.string({
  unit: fc.constantFrom('"', "\\", "{", "}", "[", "]", ",", ":", "\n", " ", "a", "é", "€", "😀", "\u2028"),
  maxLength: 12,
});
const trickyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthSize: "small" },
    trickyString,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(trickyString, tie("value"), { maxKeys: 4 }),
  ),
})).value;
const jsonValues = fc.array(fc.oneof(trickyValue, fc.jsonValue({ maxDepth: 3, stringUnit: "binary" })), {
  maxLength: 5,
});
/** Top-level values of JSON lines that are neither arrays (read element by element) nor wrappers. */
const lineValues = jsonValues.map((vs) =>
  vs.filter((v) => !Array.isArray(v) && !(v && typeof v === "object" && "records" in v)),
);

const documents = fc.oneof(
  fc.tuple(jsonValues, fc.constantFrom("array" as const, "wrapper" as const)),
  fc.tuple(lineValues, fc.constantFrom("lines" as const, "concat" as const)),
);

describe("JsonValueSplitter: documents cut at their ends, and wrappers in a row", () => {
  const unwrap = { unwrap: ["records"] };

  it("a document left open around its values adds one empty truncated value at the last line", () => {
    expect(splitJsonText("[1,\n2,\n")).toEqual([
      { text: "1", line: 1 },
      { text: "2", line: 2 },
      { text: "", line: 2, truncated: true },
    ]);
    expect(splitJsonText('{"records":[{"a":1},\n', unwrap)).toEqual([
      { text: '{"a":1}', line: 1, key: "records" },
      { text: "", line: 1, key: "records", truncated: true },
    ]);
    // the array closed, the wrapper object not
    expect(splitJsonText('{"records":[{"a":1}],\n"tail":', unwrap)).toEqual([
      { text: '{"a":1}', line: 1, key: "records" },
      { text: "", line: 2, truncated: true },
    ]);
    // a value cut inside is the one marked; a complete document adds nothing
    expect(splitJsonText('[{"a":', unwrap)).toEqual([{ text: '{"a":', line: 1, truncated: true }]);
    expect(splitJsonText('{"records":[1]}\n[2]\n', unwrap)).toEqual([
      { text: "1", line: 1, key: "records" },
      { text: "2", line: 2 },
    ]);
  });

  it("wrappers in a row and values after them: the same chunks wherever the text is cut (one or two cuts)", () => {
    const text =
      '{"ver\\"sion":1,"records":[{"a":"x\\"]"},2]}\n' +
      '{"records" : [ {"b":[3]} ], "tail":"}{"}\n' +
      '{"records":[]}{"records":["s\\\\"]}\n' +
      '7 {"c":{"records":[8]}} "end"\n';
    const whole = splitJsonText(text, unwrap);
    expect(whole.map((c) => [c.text, c.line, c.key ?? null])).toEqual([
      ['{"a":"x\\"]"}', 1, "records"],
      ["2", 1, "records"],
      ['{"b":[3]}', 2, "records"],
      ['"s\\\\"', 3, "records"],
      ["7", 4, null],
      ['{"c":{"records":[8]}}', 4, null],
      ['"end"', 4, null],
    ]);
    for (let at = 0; at <= text.length; at++) {
      expect(splitInPieces(text, [at], unwrap)).toEqual(whole);
      for (let b = at; b <= Math.min(text.length, at + 12); b++)
        expect(splitInPieces(text, [at, b], unwrap)).toEqual(whole);
    }
  });
});

describe("JsonValueSplitter on generated documents (fast-check): the same values wherever the text is cut", () => {
  const unwrap = { unwrap: ["records"] };
  const asValues = (chunks: JsonChunk[]) =>
    chunks.map((c) => ({ value: JSON.parse(c.text), line: c.line, ...(c.key ? { key: c.key } : {}) }));

  it("whole text: the values and lines the document was built from", () => {
    fc.assert(
      fc.property(documents, fc.constantFrom(0, 2), fc.boolean(), ([values, shape], indent, ascii) => {
        const doc = buildDocument(
          values,
          shape === "concat" ? "lines" : shape,
          shape === "concat" ? 2 : indent,
          ascii,
        );
        expect(asValues(splitJsonText(doc.text, unwrap))).toEqual(doc.expected);
      }),
      { numRuns: 300 },
    );
  });

  it("cut into two pieces at every position (inside strings, escapes, surrogate pairs): the same chunks", () => {
    fc.assert(
      fc.property(documents, fc.boolean(), ([values, shape], ascii) => {
        const doc = buildDocument(values, shape, shape === "concat" ? 2 : 0, ascii);
        const whole = splitJsonText(doc.text, unwrap);
        for (let at = 0; at <= doc.text.length; at++)
          expect(splitInPieces(doc.text, [at], unwrap)).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });

  it("UTF-8 bytes in chunks of 1..8 bytes (cuts inside multi-byte characters), decoded as streams are", () => {
    fc.assert(
      fc.property(documents, fc.integer({ min: 1, max: 8 }), ([values, shape], size) => {
        const doc = buildDocument(values, shape, 2, false);
        expect(asValues(splitUtf8Bytes(doc.text, size, unwrap))).toEqual(doc.expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("JsonValueSplitter: memory is bounded by the largest record, not the document", () => {
  it("a generated Azure document 100 times the value cap streams, holding at most one record's text", () => {
    const record = (i: number) => ({
      time: `2024-01-01T00:${String(i % 60).padStart(2, "0")}:00Z`,
      category: "FlowLogFlowEvent",
      flowRecords: {
        flows: [
          {
            aclID: `acl-${i}`,
            flowGroups: [
              {
                rule: `rule-${i % 7}`,
                flowTuples: Array.from(
                  { length: 1 + (i % 13) },
                  (_, j) => `1700000000000,10.0.${i % 250}.${j},10.1.0.1,4${j},443,6,O,B,NX,,,,`,
                ),
              },
            ],
          },
        ],
      },
    });
    const records = Array.from({ length: 2000 }, (_, i) => record(i));
    const text = `{"records":[\n${records.map((r) => JSON.stringify(r)).join(",\n")}\n]}\n`;
    const longest = Math.max(...records.map((r) => JSON.stringify(r).length));
    const cap = 4 * 1024;
    expect(longest).toBeLessThan(cap);
    expect(text.length).toBeGreaterThan(100 * cap);
    const s = new JsonValueSplitter({ unwrap: ["records"], maxValueChars: cap });
    let count = 0;
    for (const at of everyN(text.length, 1000)) {
      for (const v of s.push(text.slice(at, at + 1000))) {
        expect(v.overlong).toBeUndefined();
        expect(JSON.parse(v.text)).toEqual(records[count]);
        expect(v.line).toBe(count + 2);
        count++;
      }
    }
    expect(s.end()).toEqual([]);
    expect(count).toBe(records.length);
    // the splitter held one record at a time: its high-water mark is the longest record, not the text
    expect(s.highWater).toBe(longest);
  });
});

import { describe, expect, it } from "vitest";
import { MicrosegError } from "../model/problems.js";
import { flattenListDocuments, parseYamlDocuments } from "./yaml.js";

function syntaxError(text: string, file = "in.yaml"): MicrosegError {
  try {
    parseYamlDocuments(text, file);
  } catch (e) {
    if (e instanceof MicrosegError) return e;
    throw e;
  }
  throw new Error("expected a syntax error");
}

describe("parseYamlDocuments", () => {
  it("gives each document its 1-based start line and skips empty documents", () => {
    const text = "# header\n\nkind: A\nmetadata:\n  name: a\n---\n# only a comment\n---\n---\nkind: B\n";
    const { documents } = parseYamlDocuments(text, "f.yaml");
    expect(documents.map((d) => [(d.value as { kind: string }).kind, d.line])).toEqual([
      ["A", 3],
      ["B", 10],
    ]);
    expect(documents[0].file).toBe("f.yaml");
    expect(documents[0].lineAt(["metadata", "name"])).toBe(5);
    expect(documents[0].lineAt(["nope"])).toBeUndefined();
  });

  it("reads JSON as YAML and keeps lines", () => {
    const text = '{\n  "kind": "Pod",\n  "metadata": {\n    "name": "p"\n  }\n}\n';
    const { documents } = parseYamlDocuments(text, "p.json");
    expect(documents).toHaveLength(1);
    expect(documents[0].value).toEqual({ kind: "Pod", metadata: { name: "p" } });
    expect(documents[0].lineAt(["metadata", "name"])).toBe(4);
  });

  it("keeps timestamps as strings (YAML 1.2 core schema)", () => {
    const { documents } = parseYamlDocuments("t: 2022-08-01T16:58:17Z\nn: 010\n", "t.yaml");
    expect(documents[0].value).toEqual({ t: "2022-08-01T16:58:17Z", n: 10 });
  });

  it("makes a syntax error fatal with file:line:col and what was expected", () => {
    const e = syntaxError("a: 1\n---\nkind: Pod\n@bad: x\n", "dir/bad.yaml");
    expect(e.problems).toHaveLength(1);
    const p = e.problems[0];
    expect(p.code).toBe("yaml-syntax");
    expect(p.severity).toBe("error");
    expect(p.location).toMatchObject({ file: "dir/bad.yaml", line: 4, column: 1 });
    expect(e.message).toMatch(
      /^dir\/bad\.yaml:4:1: error\[yaml-syntax\]: invalid YAML: .*expected .*; found "@bad: x"/,
    );
  });

  it("makes a truncated document fatal", () => {
    const e = syntaxError('kind: Pod\nmetadata:\n  name: "web\n', "trunc.yaml");
    expect(e.problems[0].location?.file).toBe("trunc.yaml");
    expect(e.message).toMatch(/Missing closing "quote/);
    expect(e.message).toMatch(/found the end of the file/);
    const e2 = syntaxError("kind: Pod\nspec:\n  ports: [1, 2\n", "trunc2.yaml");
    expect(e2.message).toMatch(/^trunc2\.yaml:\d+:\d+: error\[yaml-syntax\]/);
  });

  it("can skip broken documents with a warning instead", () => {
    const r = parseYamlDocuments("kind: A\n---\n@x: 1\n---\nkind: C\n", "s.yaml", { syntaxErrors: "skip" });
    expect(r.documents.map((d) => (d.value as { kind: string }).kind)).toEqual(["A", "C"]);
    expect(r.problems).toMatchObject([{ code: "yaml-syntax", severity: "warning", location: { line: 3 } }]);
  });

  it("accepts tabs in flow indentation as kubectl does, with a warning", () => {
    const text = 'kind: Pod\nargs:\n  [\n    "a",\n\t    "b",\n  ]\n';
    const r = parseYamlDocuments(text, "tabs.yaml");
    expect(r.documents[0].value).toEqual({ kind: "Pod", args: ["a", "b"] });
    expect(r.problems[0]).toMatchObject({ code: "yaml-syntax", severity: "warning" });
  });

  it("accepts a multi-line quoted string closed at its key's indentation, as kubectl does", () => {
    const text = "kind: X\nspec:\n  config: '{\n    \"a\": 1\n  }'\n";
    const r = parseYamlDocuments(text, "q.yaml");
    expect(r.documents[0].value).toEqual({ kind: "X", spec: { config: '{ "a": 1 }' } });
    expect(r.problems).toHaveLength(1);
  });
});

describe("flattenListDocuments", () => {
  it("flattens List and *List kinds with each item's own line, filling in typed items' kind", () => {
    const text = [
      "apiVersion: v1",
      "kind: List",
      "items:",
      "- kind: Pod",
      "  metadata: {name: a}",
      "- kind: Service",
      "  metadata: {name: b}",
      "---",
      "apiVersion: v1",
      "kind: NamespaceList",
      "items:",
      "- metadata:",
      "    name: ns1",
      "---",
      "kind: Pod",
      "metadata: {name: c}",
    ].join("\n");
    const docs = flattenListDocuments(parseYamlDocuments(text, "l.yaml").documents);
    expect(docs.map((d) => [(d.value as { kind: string }).kind, d.line])).toEqual([
      ["Pod", 4],
      ["Service", 6],
      ["Namespace", 12],
      ["Pod", 15],
    ]);
    expect(docs[2].value).toMatchObject({ apiVersion: "v1", metadata: { name: "ns1" } });
    expect(docs[2].lineAt(["metadata", "name"])).toBe(13);
  });
});

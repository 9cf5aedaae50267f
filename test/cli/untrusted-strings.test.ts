/**
 * Untrusted strings (label values, names from flows and manifests) must not break what the CLI
 * writes: every YAML file `generate` writes parses back to exactly the label values it was given,
 * and `discover -o mermaid` keeps every name inside its quoted node label.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { corpusPath } from "../helpers/corpus.js";
import { run, scratchDirs } from "./run.js";

const scratch = scratchDirs("untrusted");

/** Label values that mean something to YAML (and to humans reading it). */
const NASTY: Record<string, Record<string, string>> = {
  web: { app: "web: x # not a comment" },
  db: { "app.kubernetes.io/name": "- item", "app.kubernetes.io/instance": `'single' "double" \\ back` },
  cache: { app: "line1\nkind: Secret\nmetadata: {name: pwned}" },
  queue: { app: "cr\r\nlf\rlone" },
  api: { app: "true" },
  worker: { app: "null" },
  metrics: { app: "0x1F" },
  batch: { app: "  padded  " },
  ui: { app: "{[&*!|>%@`]} ---" },
  docs: { app: "---\n...\n--- !!binary" },
};

interface NetworkPolicy {
  kind: string;
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    ingress?: { from?: { podSelector?: { matchLabels?: Record<string, string> } }[] }[];
    egress?: { to?: { podSelector?: { matchLabels?: Record<string, string> } }[] }[];
  };
}

/** Parses a YAML stream strictly: any error or warning fails the test. */
function parseStrict(text: string, where: string): unknown[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error(`${where}: not a YAML stream`);
  for (const d of docs) {
    expect(d.errors, `${where}: ${d.errors.map((e) => e.message).join("; ")}`).toEqual([]);
    expect(d.warnings, where).toEqual([]);
  }
  return docs.map((d) => d.toJS());
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== ".microseg-output") // the marker of a microseg output folder
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

describe("generate writes YAML that untrusted label values cannot break", () => {
  let mapFile: string;
  const names = Object.keys(NASTY);
  beforeAll(() => {
    const workloads = names.map((name) => ({
      id: `shop/${name}`,
      kind: "pod-owner",
      ownerKind: "Deployment",
      namespace: "shop",
      name,
      labels: NASTY[name],
      namespaceLabels: { "kubernetes.io/metadata.name": "shop" },
    }));
    // a chain web → db → cache → … so every workload is a subject and a peer
    const edges = names.slice(1).map((dst, i) => ({
      src: `shop/${names[i]}`,
      dst: `shop/${dst}`,
      ports: [{ protocol: "TCP", port: 8000 + i }],
      flows: 1,
      firstSeen: "2024-01-01T00:00:00Z",
      lastSeen: "2024-01-01T00:00:01Z",
      provenance: "observed",
    }));
    mapFile = join(scratch(), "map.json");
    writeFileSync(mapFile, JSON.stringify({ schemaVersion: 1, workloads, edges }, null, 2));
  });

  function checkPolicies(policies: NetworkPolicy[]): void {
    expect(policies.every((p) => p.kind === "NetworkPolicy")).toBe(true);
    // every workload is the subject of exactly one policy, selected by exactly its labels
    for (const name of names) {
      const own = policies.filter(
        (p) => JSON.stringify(p.spec.podSelector.matchLabels) === JSON.stringify(NASTY[name]),
      );
      expect(
        own.map((p) => p.metadata.namespace),
        name,
      ).toEqual(["shop"]);
    }
    // every peer selector names one of the workloads' label sets exactly (nothing mangled)
    const known = new Set(names.map((n) => JSON.stringify(NASTY[n])));
    const peers = policies.flatMap((p) => [
      ...(p.spec.ingress ?? []).flatMap((r) => r.from ?? []),
      ...(p.spec.egress ?? []).flatMap((r) => r.to ?? []),
    ]);
    const shopPeers = peers
      .map((x) => x.podSelector?.matchLabels)
      .filter((l) => l && !("k8s-app" in l))
      .map((l) => JSON.stringify(l));
    expect(shopPeers.length).toBe(2 * (names.length - 1)); // each edge: one egress + one ingress peer
    for (const l of shopPeers) expect(known.has(l), l).toBe(true);
    for (const p of policies) {
      const evidence = p.metadata.annotations?.["microseg.dev/evidence"];
      if (evidence) expect(() => JSON.parse(evidence)).not.toThrow();
    }
  }

  it("--out DIR: every file is one valid YAML document and label values round-trip exactly", async () => {
    const out = join(scratch(), "policies");
    const r = await run(["generate", "--map", mapFile, "--out", out]);
    expect(r.code).toBe(0);
    const files = listFiles(out);
    expect(files.length).toBeGreaterThan(names.length);
    const policies: NetworkPolicy[] = [];
    for (const f of files) {
      const docs = parseStrict(readFileSync(f, "utf8"), relative(out, f));
      expect(docs, f).toHaveLength(1);
      policies.push(docs[0] as NetworkPolicy);
    }
    checkPolicies(policies);
  });

  it("stdout: the multi-document stream has one document per policy, values intact", async () => {
    const out = join(scratch(), "policies");
    expect((await run(["generate", "--map", mapFile, "--out", out])).code).toBe(0);
    const r = await run(["generate", "--map", mapFile]);
    expect(r.code).toBe(0);
    const docs = parseStrict(r.stdout, "stdout") as NetworkPolicy[];
    expect(docs).toHaveLength(listFiles(out).length);
    checkPolicies(docs);
  });
});

describe("discover -o mermaid keeps untrusted names inside their quoted labels", () => {
  const HTTP = corpusPath("flows", "hubble", "hubble-otel-basic-sample-348-http-flows.jsonl");
  let flows: string;
  let ids: string[];
  let edgeCount: number;
  const QUOTED_NS = `shop"] --> evil["x <b>&amp;</b> | y`;
  const NEWLINE_POD = `web"]\n%%{init: {"securityLevel": "loose"}}%%\nclick n0 call alert(1)\n%% x`;

  beforeAll(async () => {
    const first = readFileSync(HTTP, "utf8").split("\n")[0];
    const a = JSON.parse(first);
    a.flow.source.namespace = QUOTED_NS;
    const b = JSON.parse(first);
    b.flow.source.pod_name = NEWLINE_POD;
    flows = join(scratch(), "flows.jsonl");
    writeFileSync(flows, `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`);
    const json = await run(["discover", "--flows", flows, "-o", "json"]);
    expect(json.code).toBe(0);
    const map = JSON.parse(json.stdout) as { edges: { src: string; dst: string }[] };
    ids = [...new Set(map.edges.flatMap((e) => [e.src, e.dst]))].sort();
    edgeCount = map.edges.length;
    // both crafted names made it into the map as workload ids (else this test checks nothing)
    expect(ids.some((i) => i.startsWith(`${QUOTED_NS}/`))).toBe(true);
    expect(ids.some((i) => i.includes("securityLevel"))).toBe(true);
  });

  const NODE = /^ {2}(n\d+)\["([^"\r\n]*)"\]$/;
  const EDGE = /^ {2}n\d+ -(->|\.->) ?\|"[^"\r\n]*"\| n\d+$/;
  const decode = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");

  it("names with quotes, brackets, pipes and markup: one node line each, label decodes to the id", async () => {
    const r = await run(["discover", "--flows", flows, "-o", "mermaid"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    const labels = lines.map((l) => NODE.exec(l)?.[2]).filter((l): l is string => l !== undefined);
    const quoted = ids.find((i) => i.startsWith(`${QUOTED_NS}/`))!;
    expect(labels.map(decode)).toContain(quoted);
  });

  // BUG (src/render/map.ts mermaidText): newlines are not escaped, so a name carrying "\n%%{init…}%%"
  // puts a Mermaid directive / comment line (and a click handler) into the diagram.
  it("names with newlines: every line is a node or an edge, none is a directive or comment", async () => {
    const r = await run(["discover", "--flows", flows, "-o", "mermaid"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("flowchart LR");
    const body = lines.slice(1);
    for (const l of body) expect(NODE.test(l) || EDGE.test(l), JSON.stringify(l)).toBe(true);
    expect(body.filter((l) => NODE.test(l))).toHaveLength(ids.length);
    expect(body.filter((l) => EDGE.test(l))).toHaveLength(edgeCount);
  });
});

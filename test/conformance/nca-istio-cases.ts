/**
 * Helpers of the network-config-analyzer (NCA) Istio conformance suite
 * (../shared/corpus/network-config-analyzer, see its SOURCE.md): scheme files → topology and
 * policy paths, the expected "fw rules" outputs (txt and yaml) expanded against the topology into
 * per-pair TCP port sets, and our own answer in the same form.
 *
 * Comparison: TCP connections between workloads (pairs of distinct workloads), projected to L4: a
 * port counts when some request on it is allowed (NCA's L7 cubes — methods, paths, hosts — are
 * reduced to their ports; so are our L7-restricted rules).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { podEndpoint } from "../../src/eval/endpoint.js";
import { createEvaluator } from "../../src/eval/evaluate.js";
import { loadK8sInventory } from "../../src/inventory/k8s/load.js";
import type { Inventory, K8sResource } from "../../src/inventory/types.js";
import { compileSelector, type LabelSelector } from "../../src/model/labels.js";
import { PortSet } from "../../src/model/ports.js";
import { ProblemSink } from "../../src/model/problems.js";
import type { Workload } from "../../src/model/workload.js";
import { parseAllPolicies } from "../../src/policy/parse-all.js";
import { corpusPath } from "../helpers/corpus.js";

/** A connectivityMap query of cases.json. */
export interface NcaQuery {
  scheme: string;
  query: string;
  type: string;
  configs: string[];
  outputFormat?: string;
  expectedOutput: string;
  expectedOutput_copied: boolean;
}

/** The Istio connectivityMap queries with a copied expected output. */
export function istioQueries(): NcaQuery[] {
  const root = corpusPath("network-config-analyzer");
  const cases = JSON.parse(readFileSync(join(root, "cases.json"), "utf8")) as { scheme_queries: NcaQuery[] };
  return cases.scheme_queries.filter(
    (q) => q.type === "connectivityMap" && q.expectedOutput_copied && q.scheme.includes("istio"),
  );
}

function asList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** Resolves a scheme path entry (file, dir, `dir/**`) relative to a folder; missing ones are dropped. */
function resolveEntry(base: string, entry: string): string | undefined {
  const p = resolve(base, entry.replace(/\/\*\*$/, "").replace(/\\/g, "/"));
  return existsSync(p) ? p : undefined;
}

/** The inputs of one query: topology paths (workloads, namespaces) and policy paths. */
export interface QueryInputs {
  topology: string[];
  policies: string[];
}

/** Reads a scheme file and returns the paths a query's configs need (a config's lists override the global ones). */
export function queryInputs(q: NcaQuery): QueryInputs {
  const root = corpusPath("network-config-analyzer");
  const schemeFile = join(root, q.scheme);
  const dir = dirname(schemeFile);
  const scheme = parseYaml(readFileSync(schemeFile, "utf8")) as Record<string, unknown>;
  const resolveAll = (v: unknown) =>
    asList(v)
      .map((e) => resolveEntry(dir, e))
      .filter((p): p is string => p !== undefined);
  const topology: string[] = [];
  const policies: string[] = [];
  const configs = (scheme.networkConfigList ?? []) as Record<string, unknown>[];
  for (const name of q.configs) {
    const cfg = configs.find((c) => c.name === name) ?? {};
    for (const key of ["namespaceList", "podList", "resourceList"])
      topology.push(...resolveAll(cfg[key] ?? scheme[key]));
    policies.push(
      ...resolveAll(cfg.networkPolicyList),
      ...resolveAll(cfg.resourceList ?? scheme.resourceList),
    );
  }
  return { topology: [...new Set(topology)], policies: [...new Set(policies)] };
}

/** Pair key → TCP ports, for pairs with any TCP connection. */
export type PairPorts = Map<string, PortSet>;

function stripHash(name: string): string {
  return name.replace(/-[a-z0-9]{6,10}$/, "");
}

function nameMatches(term: string, w: Workload): boolean {
  return term === w.name || term === stripHash(w.name) || stripHash(term) === w.name;
}

/** A label expression of NCA's output as a selector (`app=x`, `app!=x`, `app in (a,b)`, `has(app)` …). */
function labelTerm(term: string): LabelSelector | undefined {
  let m = /^!has\(([^)]+)\)$/.exec(term);
  if (m) return { matchExpressions: [{ key: m[1], operator: "DoesNotExist" }] };
  m = /^has\(([^)]+)\)$/.exec(term);
  if (m) return { matchExpressions: [{ key: m[1], operator: "Exists" }] };
  m = /^(\S+) not in \(([^)]*)\)$/.exec(term);
  if (m)
    return {
      matchExpressions: [{ key: m[1], operator: "NotIn", values: m[2].split(",").map((s) => s.trim()) }],
    };
  m = /^(\S+) in \(([^)]*)\)$/.exec(term);
  if (m)
    return {
      matchExpressions: [{ key: m[1], operator: "In", values: m[2].split(",").map((s) => s.trim()) }],
    };
  m = /^([^=!\s]+)!=(.*)$/.exec(term);
  if (m) return { matchExpressions: [{ key: m[1], operator: "NotIn", values: [m[2]] }] };
  m = /^([^=!\s]+)=(.*)$/.exec(term);
  if (m) return { matchLabels: { [m[1]]: m[2] } };
  return undefined;
}

/** The workloads a `[ns…]` × `[pods…]` pair of lists denotes. */
function expand(inv: Inventory, nsList: string[], podTerms: string[]): Workload[] {
  const inNs = inv.workloads.filter(
    (w) => w.kind === "pod-owner" && nsList.includes(w.namespace ?? "default"),
  );
  if (podTerms.includes("*")) return inNs;
  if (podTerms.length === 1) {
    const sel = labelTerm(podTerms[0]);
    if (sel) {
      const pred = compileSelector(sel);
      return inNs.filter((w) => pred(w.labels));
    }
  }
  return inNs.filter((w) => podTerms.some((t) => nameMatches(t, w)));
}

function splitList(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** TCP ports of an NCA conn text: `All connections`, or `{dst_ports:…,methods:…},{…}` cubes. */
export function connPorts(conn: string): PortSet {
  const c = conn.trim();
  if (c === "All connections" || c === "All") return PortSet.ALL;
  let out = PortSet.EMPTY;
  for (const cube of c.split(/\},\{/)) {
    const body = cube.replace(/^\{/, "").replace(/\}$/, "");
    const protos = /protocols:([^:]*?)(,[a-z_]+:|$)/.exec(body);
    if (protos && !protos[1].split(/,\s*/).includes("TCP")) continue;
    const m = /dst_ports:([0-9,\- ]+?)(,[a-z_]+:|$)/.exec(body);
    if (!m) {
      out = out.union(PortSet.ALL);
      continue;
    }
    const ranges = m[1]
      .split(",")
      .map((r) => r.trim())
      .filter((r) => r !== "");
    out = out.union(
      PortSet.of(
        ranges.map((r) => {
          const [a, b] = r.split("-").map(Number);
          return { from: a, to: b ?? a };
        }),
      ),
    );
  }
  return out;
}

function addPairs(out: PairPorts, srcs: Workload[], dsts: Workload[], ports: PortSet): void {
  if (ports.isEmpty()) return;
  for (const s of srcs)
    for (const d of dsts) {
      if (s.id === d.id) continue;
      const k = `${s.id} => ${d.id}`;
      out.set(k, (out.get(k) ?? PortSet.EMPTY).union(ports));
    }
}

const bracket = (line: string, key: string) => {
  const m = new RegExp(`${key}: \\[([^\\]]*)\\]`).exec(line);
  return m ? splitList(m[1]) : undefined;
};

/** The expected TCP pairs of a txt fw-rules output. */
export function expectedFromTxt(text: string, inv: Inventory): PairPorts {
  const out: PairPorts = new Map();
  const lines = text.split("\n");
  const tcpStart = lines.findIndex((l) => l.startsWith("For connections of type TCP"));
  const body = tcpStart >= 0 ? lines.slice(tcpStart + 1) : lines;
  for (const line of body) {
    if (line.startsWith("For connections of type")) break;
    const conn = /conn: (.*)$/.exec(line)?.[1];
    const srcNs = bracket(line, "src_ns");
    const dstNs = bracket(line, "dst_ns");
    if (!conn || !srcNs || !dstNs) continue; // IP-block lines are not compared
    const srcs = expand(inv, srcNs, bracket(line, "src_pods") ?? ["*"]);
    const dsts = expand(inv, dstNs, bracket(line, "dst_pods") ?? ["*"]);
    addPairs(
      out,
      srcs,
      dsts,
      tcpStart >= 0 ? connPorts(conn.replace(/protocols:[^,}]*,?/g, "")) : connPorts(conn),
    );
  }
  return out;
}

/** The expected TCP pairs of a `txt_no_fw_rules` output (`ns/name[Kind] => ns/name[Kind] : conn`). */
export function expectedFromPairs(text: string, inv: Inventory): PairPorts {
  const out: PairPorts = new Map();
  let tcp = true;
  const find = (s: string) => {
    const m = /^([^/\s]+)\/([^[\s]+)\[[^\]]*\]$/.exec(s.trim());
    return m ? expand(inv, [m[1]], [m[2]]) : [];
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("TCP Connections")) tcp = true;
    else if (line.startsWith("non-TCP Connections")) tcp = false;
    const m = /^(.*) => (.*) : (.*)$/.exec(line);
    if (!m || !tcp) continue;
    addPairs(out, find(m[1]), find(m[2]), connPorts(m[3]));
  }
  return out;
}

function yamlConnPorts(conn: unknown[]): PortSet {
  let out = PortSet.EMPTY;
  for (const c of conn) {
    if (typeof c === "string") {
      out = out.union(connPorts(c));
      continue;
    }
    const o = c as Record<string, unknown>;
    if (o.Protocol !== undefined && !String(o.Protocol).includes("TCP")) continue;
    const ports = o.dst_ports as (number | string)[] | undefined;
    if (!ports) {
      out = out.union(PortSet.ALL);
      continue;
    }
    out = out.union(connPorts(`{dst_ports:${ports.join(",")}}`));
  }
  return out;
}

/** The expected TCP pairs of a yaml fw-rules output. */
export function expectedFromYaml(text: string, inv: Inventory): PairPorts {
  const out: PairPorts = new Map();
  const docs = parseYaml(text) as { explanation?: Record<string, unknown>[] }[];
  for (const d of docs ?? [])
    for (const ex of d.explanation ?? []) {
      const rules = (ex.TCP_rules ?? ex.rules ?? []) as Record<string, unknown>[];
      for (const r of rules) {
        if (!r.src_ns || !r.dst_ns) continue;
        const srcs = expand(inv, asList(r.src_ns), asList(r.src_pods ?? ["*"]));
        const dsts = expand(inv, asList(r.dst_ns), asList(r.dst_pods ?? ["*"]));
        addPairs(out, srcs, dsts, yamlConnPorts((r.connection ?? []) as unknown[]));
      }
    }
  return out;
}

/** A query's topology (workloads, namespaces) and the policy resources of its configs. */
export interface LoadedQuery {
  inv: Inventory;
  policies: K8sResource[];
}

/** Our TCP pairs: every ordered pair of distinct workloads, evaluated on the merged policy set. */
export function ourPairs(
  q: LoadedQuery,
  opts: { istioRootNamespace?: string } = {},
): { pairs: PairPorts; errors: string[]; kinds: string[] } {
  const { inv } = q;
  const sink = new ProblemSink();
  const parsed = parseAllPolicies(q.policies, sink, opts);
  // NCA applies Istio policies to every TCP port; the sidecar's own uninterrupted ports
  // (15020/15021/15090, docs/semantics.md) are not modelled there, so compare without them.
  const set = { ...parsed, layers: parsed.layers.map(({ exemptPorts: _, ...l }) => l) };
  const ev = createEvaluator(set);
  const ws = inv.workloads.filter((w) => w.kind === "pod-owner");
  const eps = ws.map((w) => podEndpoint(w, inv.namespaces.get(w.namespace ?? "default")));
  const pairs: PairPorts = new Map();
  eps.forEach((s, i) => {
    eps.forEach((d, j) => {
      if (i === j) return;
      const tcp = ev.allowedConns(s, d).ports("TCP");
      if (!tcp.isEmpty()) pairs.set(`${ws[i].id} => ${ws[j].id}`, tcp);
    });
  });
  const kinds = [...new Set(q.policies.map((r) => r.kind))].sort();
  return { pairs, errors: sink.errors().map((p) => p.message), kinds };
}

/** Loads a query's topology and policies. */
export async function loadQuery(q: NcaQuery): Promise<LoadedQuery> {
  const { topology, policies } = queryInputs(q);
  const inv = await loadK8sInventory(topology);
  const pol = policies.length ? await loadK8sInventory(policies) : undefined;
  return { inv, policies: pol?.resources ?? [] };
}

/** The differences between two pair maps, as readable lines (empty when equal). */
export function diffPairs(expected: PairPorts, actual: PairPorts): string[] {
  const out: string[] = [];
  for (const k of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    const e = expected.get(k) ?? PortSet.EMPTY;
    const a = actual.get(k) ?? PortSet.EMPTY;
    if (!e.equals(a)) out.push(`${k}: expected ${e.toString() || "none"}, got ${a.toString() || "none"}`);
  }
  return out;
}

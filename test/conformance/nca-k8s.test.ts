/**
 * Conformance with network-config-analyzer's Kubernetes connectivity maps
 * (../shared/corpus/network-config-analyzer, see its SOURCE.md): every `connectivityMap` query of a
 * Kubernetes scheme (not Istio, not Calico) whose expected output was copied — 96 cases. The
 * scheme's topology (namespace and pod lists) and each config's policies are loaded with microseg's
 * own loader and parser; NCA's grouped rules are expanded to pairs of pods (or workloads where the
 * input has no pods) and IPv4 address intervals, and compared on TCP, UDP and SCTP.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { analyzeConnectivity } from "../../src/analysis/connectivity/connectivity.js";
import { loadK8sInventory } from "../../src/inventory/k8s/load.js";
import { IpSet, parseIpv4 } from "../../src/model/ipset.js";
import { ConnSet } from "../../src/model/ports.js";
import { ProblemSink } from "../../src/model/problems.js";
import type { Workload } from "../../src/model/workload.js";
import { parseK8sPolicies } from "../../src/policy/k8s/parse.js";
import { corpusPath } from "../helpers/corpus.js";
import {
  type FwRule,
  parseObjRule,
  parseTxtConn,
  parseTxtRule,
  txtBlocks,
  type Unit,
} from "./nca-fwrules.js";

interface SchemeQuery {
  scheme: string;
  query: string;
  type: string;
  configs: string[];
  outputFormat: string;
  outputEndpoints: string;
  expectedOutput: string;
  expectedOutput_copied: boolean;
  outputConfiguration?: Record<string, unknown>;
}

/**
 * Proven disagreements (docs/semantics.md, "network-config-analyzer: pods of the ingress
 * controller's namespace", has the spec text), by `scheme#query#format`.
 */
const INGRESS_PODS =
  "NCA restricts the pods of the ingress controller's namespace to the Ingress routes; Kubernetes leaves a pod no egress policy selects non-isolated";
const EXCEPTIONS = new Map<string, string>([
  ["tests/k8s_testcases/example_policies/services1/services1-scheme.yaml#connectivity_map#txt", INGRESS_PODS],
  [
    "tests/k8s_testcases/example_policies/k8s-ingress-test/k8s-ingress-test-scheme.yaml#connectivity#txt",
    INGRESS_PODS,
  ],
]);

const root = corpusPath("network-config-analyzer");

function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** Scheme paths are relative to the scheme's folder; `dir/**` means the folder, recursively. */
function resolvePaths(schemeDir: string, v: unknown): string[] {
  return list(v).map((p) => join(schemeDir, p.replace(/\/?\*\*$/, "").replace(/\/\*$/, "")));
}

interface Topology {
  units: Unit[];
  workloads: Workload[];
  namespaces: Map<string, Record<string, string>>;
}

/** One unit per pod (all its labels), or per workload where the input has no pod objects. */
function topology(inv: Awaited<ReturnType<typeof loadK8sInventory>>): Topology {
  const units: Unit[] = [];
  const workloads: Workload[] = [];
  for (const w of inv.workloads) {
    if (w.kind !== "pod-owner") continue;
    const ns = w.namespace || "default";
    const pods = (inv.workloadResources?.get(w.id) ?? []).filter((r) => r.kind === "Pod");
    const add = (name: string, names: string[], labels: Record<string, string>) => {
      units.push({ namespace: ns, names: [...new Set(names)], labels, workload: w.id });
      workloads.push({ ...w, id: `${ns}/${name}`, name, ownerKind: "Pod", labels });
    };
    if (pods.length === 0) {
      // NCA names the pods it makes for a controller `<name>-1` … `<name>-<replicas>`
      const owner = inv.workloadResources?.get(w.id)?.[0];
      const replicas = Number((owner?.raw.spec as { replicas?: number } | undefined)?.replicas ?? 1);
      const podNames = Array.from({ length: Math.max(1, replicas) }, (_, i) => `${w.name}-${i + 1}`);
      add(w.name, [w.name, ...podNames], w.labels);
    }
    for (const p of pods) {
      const owner = p.metadata.ownerReferences?.[0];
      const names = [p.metadata.name, w.name];
      if (owner) {
        names.push(owner.name);
        if (owner.kind === "ReplicaSet") names.push(owner.name.replace(/-[a-z0-9]+$/, ""));
      }
      add(p.metadata.name, names, { ...(p.metadata.labels ?? {}) });
    }
  }
  return { units, workloads, namespaces: inv.namespaces };
}

/** Our connections per ordered pair: unit pairs and (address range, unit) pairs. */
interface Ours {
  pairs: Map<string, ConnSet>;
  ingress: { from: number; to: number; unit: number; conns: ConnSet }[];
  egress: { from: number; to: number; unit: number; conns: ConnSet }[];
}

function ours(topo: Topology, policies: ReturnType<typeof parseK8sPolicies>): Ours {
  const index = new Map(topo.workloads.map((w, i) => [`${w.id}[Pod]`, i]));
  const out: Ours = { pairs: new Map(), ingress: [], egress: [] };
  const range = (name: string) => {
    const [a, b] = name.replace("[External]", "").split("-");
    return { from: parseIpv4(a)!, to: parseIpv4(b)! };
  };
  for (const p of analyzeConnectivity({ workloads: topo.workloads, namespaces: topo.namespaces, policies })) {
    const s = index.get(p.src);
    const d = index.get(p.dst);
    if (s !== undefined && d !== undefined) out.pairs.set(`${s}>${d}`, p.conns);
    else if (d !== undefined) out.ingress.push({ ...range(p.src), unit: d, conns: p.conns });
    else if (s !== undefined) out.egress.push({ ...range(p.dst), unit: s, conns: p.conns });
  }
  return out;
}

/** Differences between NCA's expanded rules and ours, as readable lines (first few). */
/** What NCA leaves out of a map: intra-workload pairs, system namespaces, peers outside a subset. */
interface Shown {
  pair: (s: number, d: number) => boolean;
  unit: (u: number) => boolean;
}

function compare(topo: Topology, rules: FwRule[], got: Ours, shown: Shown): string[] {
  const name = (i: number) => `${topo.units[i].namespace}/${topo.units[i].names[0]}`;
  const diffs: string[] = [];
  const want = new Map<string, ConnSet>();
  const ipRules: { dir: "ingress" | "egress"; ips: IpSet; unit: number; conns: ConnSet }[] = [];
  for (const r of rules) {
    if ("units" in r.src && "units" in r.dst) {
      for (const s of r.src.units)
        for (const d of r.dst.units) {
          if (s === d) continue;
          const k = `${s}>${d}`;
          want.set(k, (want.get(k) ?? ConnSet.NONE).union(r.conns));
        }
    } else if ("ips" in r.src && "units" in r.dst) {
      for (const u of r.dst.units) ipRules.push({ dir: "ingress", ips: r.src.ips, unit: u, conns: r.conns });
    } else if ("units" in r.src && "ips" in r.dst) {
      for (const u of r.src.units) ipRules.push({ dir: "egress", ips: r.dst.ips, unit: u, conns: r.conns });
    }
  }
  const n = topo.units.length;
  for (let s = 0; s < n; s++)
    for (let d = 0; d < n; d++) {
      if (s === d || !shown.pair(s, d)) continue;
      const w = want.get(`${s}>${d}`) ?? ConnSet.NONE;
      const g = got.pairs.get(`${s}>${d}`) ?? ConnSet.NONE;
      if (!w.equals(g)) diffs.push(`${name(s)} => ${name(d)}: NCA ${w} / ours ${g}`);
    }
  // addresses: compare on every interval between the boundaries either side draws
  const cuts = new Set<number>([0]);
  for (const r of ipRules) for (const [a, b] of r.ips.v4) cuts.add(a).add(b + 1);
  for (const r of [...got.ingress, ...got.egress]) cuts.add(r.from).add(r.to + 1);
  const points = [...cuts].filter((x) => x <= 0xffffffff).sort((a, b) => a - b);
  for (const dir of ["ingress", "egress"] as const)
    for (const p of points)
      for (let u = 0; u < n; u++) {
        if (!shown.unit(u)) continue;
        let w = ConnSet.NONE;
        for (const r of ipRules)
          if (r.dir === dir && r.unit === u && r.ips.has({ family: 4, value: p })) w = w.union(r.conns);
        const mine = (dir === "ingress" ? got.ingress : got.egress).find(
          (r) => r.unit === u && r.from <= p && p <= r.to,
        );
        const g = mine?.conns ?? ConnSet.NONE;
        if (!w.equals(g)) diffs.push(`${dir} ${name(u)} address ${p}: NCA ${w} / ours ${g}`);
      }
  return diffs;
}

/** NCA's per-pair lines (`txt_no_fw_rules`) as rules over units. */
function noFwRules(text: string, units: readonly Unit[]): FwRule[] {
  const rules: FwRule[] = [];
  const side = (s: string) => {
    const m = /^(.*)\/(.*)\[.*\]$/.exec(s);
    if (m)
      return { units: units.flatMap((u, i) => (u.namespace === m[1] && u.names.includes(m[2]) ? [i] : [])) };
    const [a, b] = s.split("-");
    return { ips: IpSet.fromV4Ranges([[parseIpv4(a)!, parseIpv4(b)!]]) };
  };
  for (const line of text.split(/\r?\n/)) {
    const m = /^(\S+) => (\S+) : (.*)$/.exec(line.trim());
    if (m) rules.push({ src: side(m[1]), dst: side(m[2]), conns: parseTxtConn(m[3]) });
  }
  return rules;
}

/** Per config, NCA's rules from the expected output. */
function expectedRules(q: SchemeQuery, text: string, units: readonly Unit[]): Map<string, FwRule[]> {
  const out = new Map<string, FwRule[]>();
  if (q.outputFormat === "txt_no_fw_rules") out.set(q.configs[0], noFwRules(text, units));
  else if (q.outputFormat === "txt")
    for (const [config, lines] of txtBlocks(text))
      out.set(
        config,
        lines.map((l) => parseTxtRule(l, units)).filter((r) => r !== undefined),
      );
  else {
    const docs = (q.outputFormat === "json" ? JSON.parse(text) : YAML.parse(text)) as {
      configs: string[];
      explanation: { rules: Record<string, unknown>[] }[];
    }[];
    for (const d of docs)
      out.set(
        d.configs[0],
        d.explanation.flatMap((e) => e.rules.map((r) => parseObjRule(r, units))),
      );
  }
  return out;
}

interface OutputConfiguration {
  fwRulesFilterSystemNs?: boolean;
  subset?: {
    deployment_subset?: string;
    namespace_subset?: string;
    label_subset?: Record<string, string>[];
  } | null;
}

/**
 * The pairs NCA prints: per-workload lines (`txt_no_fw_rules`) have no pairs inside one workload;
 * `fwRulesFilterSystemNs` drops kube-system; a `subset` keeps the connections of its peers.
 */
function shownPairs(q: SchemeQuery, topo: Topology): Shown {
  const oc = (q.outputConfiguration ?? {}) as OutputConfiguration;
  const system = (u: number) =>
    oc.fwRulesFilterSystemNs === true && topo.units[u].namespace === "kube-system";
  const sub = oc.subset;
  const inSubset = (u: number) => {
    if (!sub) return true;
    const unit = topo.units[u];
    const deps = (sub.deployment_subset ?? "").split(",").filter((x) => x !== "");
    if (
      deps.some((d) =>
        d.includes("/")
          ? d === `${unit.namespace}/${unit.names[1] ?? unit.names[0]}` ||
            unit.names.some((n) => d === `${unit.namespace}/${n}`)
          : unit.names.includes(d),
      )
    )
      return true;
    if ((sub.namespace_subset ?? "").split(",").includes(unit.namespace)) return true;
    return (sub.label_subset ?? []).some((ls) => Object.entries(ls).every(([k, v]) => unit.labels[k] === v));
  };
  const unit = (u: number) => !system(u) && inSubset(u);
  return {
    unit,
    pair: (s, d) => {
      if (system(s) || system(d)) return false;
      if (q.outputFormat === "txt_no_fw_rules" && topo.units[s].workload === topo.units[d].workload)
        return false;
      return inSubset(s) || inSubset(d);
    },
  };
}

async function runCase(q: SchemeQuery): Promise<string[]> {
  const schemePath = join(root, q.scheme);
  const dir = dirname(schemePath);
  const scheme = YAML.parse(readFileSync(schemePath, "utf8")) as Record<string, unknown>;
  const globalPaths = ["namespaceList", "podList", "resourceList"].flatMap((k) =>
    resolvePaths(dir, scheme[k]),
  );
  const text = readFileSync(join(root, q.expectedOutput), "utf8");
  const diffs: string[] = [];
  const configs = (scheme.networkConfigList ?? []) as Record<string, unknown>[];
  for (const configName of q.configs) {
    const config = configs.find((c) => c.name === configName);
    if (!config) return [`config ${configName} not in the scheme`];
    const own = [...resolvePaths(dir, config.networkPolicyList), ...resolvePaths(dir, config.resourceList)];
    const inv = await loadK8sInventory([...globalPaths, ...own], { syntaxErrors: "skip" });
    const ownFiles = new Set((await loadK8sInventory(own, { syntaxErrors: "skip" })).files);
    const sink = new ProblemSink();
    const policies = parseK8sPolicies(
      inv.resources.filter((r) => ownFiles.has(r.location.file ?? "")),
      sink,
    );
    for (const p of sink.errors()) diffs.push(`[${configName}] policy problem: ${p.message}`);
    const topo = topology(inv);
    const want = expectedRules(q, text, topo.units).get(configName);
    if (!want) return [`no expected block for config ${configName}`];
    const shown = shownPairs(q, topo);
    for (const d of compare(topo, want, ours(topo, policies), shown)) diffs.push(`[${configName}] ${d}`);
  }
  return diffs;
}

describe("connectivity vs network-config-analyzer (Kubernetes connectivity maps)", () => {
  const manifest = JSON.parse(readFileSync(join(root, "cases.json"), "utf8")) as {
    scheme_queries: SchemeQuery[];
  };
  const cases = manifest.scheme_queries.filter(
    (q) =>
      q.type === "connectivityMap" &&
      q.expectedOutput_copied &&
      !q.scheme.includes("istio_testcases") &&
      !q.scheme.includes("calico_testcases") &&
      // fw_rules_tests mixes in Calico and Istio schemes by file name
      !/\/(calico|istio)-[^/]*$/.test(q.scheme),
  );
  const tally = { passed: 0, failed: 0, exceptions: 0 };

  it("selects the 96 Kubernetes maps", () => {
    expect(cases.length).toBe(96);
  });

  for (const q of cases) {
    const key = `${q.scheme}#${q.query}#${q.outputFormat}`;
    it(`${q.scheme.replace("tests/", "")} ${q.query} (${q.outputFormat}, ${q.outputEndpoints})`, async () => {
      let diffs: string[];
      try {
        diffs = await runCase(q);
      } catch (e) {
        tally.failed++;
        throw e;
      }
      const reason = EXCEPTIONS.get(key);
      if (reason !== undefined) {
        tally.exceptions++;
        expect(diffs.length, `listed exception no longer differs: ${key}`).toBeGreaterThan(0);
        // and differs only where the exception says: connections from the controller's namespace
        expect(diffs.filter((d) => !/\] (egress )?ingress-nginx\//.test(d))).toEqual([]);
        return;
      }
      if (diffs.length === 0) tally.passed++;
      else tally.failed++;
      expect(diffs.slice(0, 12)).toEqual([]);
    });
  }

  it("prints the tally", () => {
    console.log(
      `conformance[nca-k8s]: ${tally.passed} passed, ${tally.failed} failed (${tally.exceptions} listed exceptions)`,
    );
    expect(tally.passed + tally.failed + tally.exceptions).toBe(cases.length);
  });
});

/**
 * Online Boutique from its manifests alone: static discovery → generate → verify --map, and the
 * connectivity of our policies against the call graph and against the maintainers' policies.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeConnectivity } from "../../src/analysis/connectivity/connectivity.js";
import { discoverMap } from "../../src/cli/commands/discover.js";
import { generateFromMap, renderObjects } from "../../src/cli/commands/generate.js";
import { verifyPolicies } from "../../src/cli/commands/verify.js";
import { loadPolicyInputs } from "../../src/cli/inputs.js";
import { mapToJson } from "../../src/io/map-file.js";
import { writeDirAtomic, writeFileAtomic } from "../../src/io/write.js";
import type { CommunicationMap } from "../../src/model/map.js";
import { corpusPath } from "../helpers/corpus.js";

const quiet = () => {};
const manifests = corpusPath("apps", "online-boutique", "manifests");
const maintainers = corpusPath("apps", "online-boutique", "policies", "network-policies");

/** The call graph of ../shared/corpus/apps/online-boutique/SOURCE.md, on target (pod) ports. */
const CALL_GRAPH: [string, string, number][] = [
  ["loadgenerator", "frontend", 8080],
  ["frontend", "adservice", 9555],
  ["frontend", "cartservice", 7070],
  ["frontend", "checkoutservice", 5050],
  ["frontend", "currencyservice", 7000],
  ["frontend", "productcatalogservice", 3550],
  ["frontend", "recommendationservice", 8080],
  ["frontend", "shippingservice", 50051],
  ["checkoutservice", "productcatalogservice", 3550],
  ["checkoutservice", "shippingservice", 50051],
  ["checkoutservice", "paymentservice", 50051],
  ["checkoutservice", "emailservice", 8080],
  ["checkoutservice", "currencyservice", 7000],
  ["checkoutservice", "cartservice", 7070],
  ["recommendationservice", "productcatalogservice", 3550],
  ["cartservice", "redis-cart", 6379],
];
const callLines = CALL_GRAPH.map(
  ([s, d, p]) => `default/${s}[Deployment] => default/${d}[Deployment] : TCP ${p}`,
).sort();
/** frontend-external (type LoadBalancer) exposes frontend's target port 8080 to outside clients. */
const EXTERNAL_LINE = "0.0.0.0-255.255.255.255[External] => default/frontend[Deployment] : TCP 8080";

let work: string;
let map: CommunicationMap;
let policyDir: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "microseg-ob-"));
  map = await discoverMap({ inventory: [manifests], log: quiet });
  policyDir = join(work, "policies");
  await writeDirAtomic(policyDir, renderObjects(generateFromMap(map, "k8s").objects));
  await writeFileAtomic(join(work, "map.json"), mapToJson(map));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function connectivity(policies: string): Promise<string[]> {
  const inputs = await loadPolicyInputs({ policies: [policies], inventory: [manifests] }, quiet);
  return analyzeConnectivity({
    workloads: inputs.inventory.workloads,
    namespaces: inputs.inventory.namespaces,
    policies: inputs.policies,
  }).map((p) => `${p.src} => ${p.dst} : ${p.conns.toString()}`);
}

describe("Online Boutique (manifests only)", () => {
  it("static discovery yields the call graph of SOURCE.md, as inferred edges", () => {
    const got = map.edges.map(
      (e) => `${e.src} ${e.dst} ${e.ports.map((p) => `${p.protocol}/${p.port}`).join(",")}`,
    );
    expect(got.sort()).toEqual(
      [
        ...CALL_GRAPH.map(([s, d, p]) => `default/${s} default/${d} TCP/${p}`),
        "entity:world default/frontend TCP/8080",
      ].sort(),
    );
    expect(map.edges.every((e) => e.provenance === "inferred" && (e.evidence?.length ?? 0) > 0)).toBe(true);
  });

  it("infers the outside clients of frontend from its LoadBalancer Service, with the Service as evidence", () => {
    const world = map.edges.find((e) => e.src === "entity:world")!;
    expect(world.dst).toBe("default/frontend");
    expect(world.evidence).toEqual([
      expect.stringMatching(
        /^Service frontend-external type LoadBalancer \(.*online-boutique\/manifests\/frontend\.yaml:\d+\)$/,
      ),
    ]);
  });

  it("verify --map of that map against our generated policies denies nothing", async () => {
    const { report } = await verifyPolicies({
      policies: [policyDir],
      map: join(work, "map.json"),
      log: quiet,
    });
    expect(report.summary.evaluated).toBe(CALL_GRAPH.length + 1);
    expect(report.summary.denied).toBe(0);
  });

  it("our policies allow exactly the call graph between workloads, and outside clients into frontend on 8080 only", async () => {
    const ours = await connectivity(policyDir);
    expect(ours.filter((l) => l.startsWith("default/")).sort()).toEqual(callLines);
    expect(ours.filter((l) => !l.startsWith("default/"))).toEqual([EXTERNAL_LINE]);
  });

  it("the maintainers' policies allow the call graph and more; the test records how", async () => {
    const theirs = await connectivity(maintainers);
    const ours = new Set(callLines);
    // every call is allowed by their policies too: on its port, or (into frontend) on every port
    for (const line of callLines) {
      const allPorts = line.replace(/ : TCP \d+$/, " : All Connections");
      expect(
        [line, allPorts].some((l) => theirs.includes(l)),
        line,
      ).toBe(true);
    }
    const extra = theirs.filter((l) => !ours.has(l)).sort();
    // frontend has `ingress: [{}]`: every workload, and every address, may reach it on any port
    const intoFrontend = extra.filter((l) => l.includes("=> default/frontend[Deployment] : All Connections"));
    expect(intoFrontend).toHaveLength(12); // 11 workloads + 0.0.0.0-255.255.255.255[External]
    expect(extra).toContain(
      "0.0.0.0-255.255.255.255[External] => default/frontend[Deployment] : All Connections",
    );
    // all policies have `egress: [{}]`: every workload may reach every outside address
    const toWorld = extra.filter((l) => l.includes("=> 0.0.0.0-255.255.255.255[External] : All Connections"));
    expect(toWorld).toHaveLength(12);
    // nothing else differs (loadgenerator → frontend is the one call whose line changes)
    expect(extra).toHaveLength(intoFrontend.length + toWorld.length);
    expect(theirs).toHaveLength(callLines.length - 1 + extra.length);
    // loadgenerator → frontend is wider than needed (All Connections instead of TCP 8080)
    expect(extra).toContain(
      "default/loadgenerator[Deployment] => default/frontend[Deployment] : All Connections",
    );
  });
});

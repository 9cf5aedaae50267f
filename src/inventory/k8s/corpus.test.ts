/**
 * The loader against data nobody on this project wrote: every input dir of netpol-analyzer's test
 * suite, and the app manifests of ../shared/corpus/apps.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpusPath } from "../../../test/helpers/corpus.js";
import { formatLocation, MicrosegError } from "../../model/problems.js";
import { displayName } from "../../model/workload.js";
import type { Inventory } from "../types.js";
import { loadK8sInventory } from "./load.js";

/** Dirs whose YAML has a real syntax error (libyaml rejects them too; netpol-analyzer warns and skips). */
const SYNTAX_ERROR_DIRS = [
  "dirty",
  "document_with_syntax_error",
  "malformed-pod-example-5",
  "onlineboutique_with_pods_severe_error",
];
/**
 * Dirs with malformed resources or with two policies/namespaces of one name (bad_netpols holds
 * subdirs that each define the same policy): they load, with error problems.
 */
const INVALID_RESOURCE_DIRS = [
  "anp_bad_path_test_3",
  "bad_netpols",
  "bad_path_namespace_with_same_name",
  "banp_bad_path_test_1",
  "malformed-pod-example-2",
  "malformed-pod-example-3",
  "malformed-pod-example-4",
  "malformed_pod_example",
  "np_bad_path_test_1",
];

type Outcome = { dir: string; inv?: Inventory; fatal?: MicrosegError };

async function loadDir(dir: string): Promise<Outcome> {
  try {
    return { dir, inv: await loadK8sInventory([corpusPath("netpol-analyzer", "tests", dir)]) };
  } catch (e) {
    if (e instanceof MicrosegError) return { dir, fatal: e };
    throw new Error(`unexpected exception loading tests/${dir}: ${String(e)}`, { cause: e });
  }
}

describe("netpol-analyzer corpus: every test dir", () => {
  it("loads all 305 dirs; malformed ones give located problems, nothing else escapes", async () => {
    const dirs = readdirSync(corpusPath("netpol-analyzer", "tests")).sort();
    expect(dirs).toHaveLength(305);
    const outcomes: Outcome[] = [];
    for (const dir of dirs) outcomes.push(await loadDir(dir));

    const fatal = outcomes.filter((o) => o.fatal);
    expect(fatal.map((o) => o.dir)).toEqual(SYNTAX_ERROR_DIRS);
    for (const o of fatal) {
      const p = o.fatal!.problems[0];
      expect(p.code).toBe("yaml-syntax");
      expect(formatLocation(p.location)).toMatch(new RegExp(`tests/${o.dir}/.+\\.ya?ml:\\d+:\\d+$`));
    }

    const withErrors = outcomes.filter((o) => o.inv?.problems.some((p) => p.severity === "error"));
    expect(withErrors.map((o) => o.dir)).toEqual(INVALID_RESOURCE_DIRS);
    for (const o of withErrors) {
      for (const p of o.inv!.problems.filter((x) => x.severity === "error")) {
        expect(p.location?.file).toContain(`tests/${o.dir}/`);
        expect(p.location?.line).toBeGreaterThan(0);
      }
    }
    // 292 dirs load without error problems.
    expect(outcomes.length - fatal.length - withErrors.length).toBe(292);
  });

  it("skips stray JSON arrays with a warning", async () => {
    const { inv } = await loadDir("onlineboutique");
    const stray = inv!.problems.filter((p) => p.location?.file?.endsWith("connlist_output.json"));
    expect(stray).toMatchObject([{ code: "resource-invalid", severity: "warning", location: { line: 1 } }]);
  });

  it("names the onlineboutique workloads as the corpus does", async () => {
    const { inv } = await loadDir("onlineboutique");
    const expected = readFileSync(
      corpusPath("netpol-analyzer", "test_outputs", "connlist", "onlineboutique_connlist_output.txt"),
      "utf8",
    );
    const names = new Set(expected.match(/[a-z0-9-]+\/[a-z0-9-]+\[[A-Za-z]+\]/g));
    expect(names.size).toBe(12);
    expect(inv!.workloads.map((w) => displayName(w))).toEqual([...names].sort());
    const cart = inv!.workloads.find((w) => w.id === "default/cartservice-74f56fd4b")!;
    expect(cart.labels).toEqual({ app: "cartservice" });
    expect(cart.ports).toEqual([{ port: 7070, protocol: "TCP" }]);
    expect(cart.addresses).toEqual(["10.244.120.78"]);
    expect(inv!.namespaces.get("ingress-nginx")).toMatchObject({ "app.kubernetes.io/name": "ingress-nginx" });
  });

  it("groups pods by a DaemonSet owner and reports owners whose pods differ in labels", async () => {
    const { inv } = await loadDir("semanticDiff-same-topologies-illegal-podlist");
    expect(inv!.problems.filter((p) => p.code === "owner-labels-differ").map((p) => p.message)).toEqual([
      expect.stringContaining("pods of demo/cog-agents[DaemonSet] carry different labels"),
    ]);
  });
});

describe("app manifests (../shared/corpus/apps)", () => {
  const apps: [string, string[]][] = [
    [
      "bookinfo",
      ["details-v1", "productpage-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3"].map(
        (n) => `default/${n}[Deployment]`,
      ),
    ],
    [
      "online-boutique",
      [
        "adservice",
        "cartservice",
        "checkoutservice",
        "currencyservice",
        "emailservice",
        "frontend",
        "loadgenerator",
        "paymentservice",
        "productcatalogservice",
        "recommendationservice",
        "redis-cart",
        "shippingservice",
      ].map((n) => `default/${n}[Deployment]`),
    ],
    ["emojivoto", ["emoji", "vote-bot", "voting", "web"].map((n) => `emojivoto/${n}[Deployment]`)],
    ["cilium-star-wars", ["default/deathstar[Deployment]", "default/tiefighter[Pod]", "default/xwing[Pod]"]],
  ];
  for (const [app, expected] of apps) {
    it(`${app}: workloads`, async () => {
      const inv = await loadK8sInventory([corpusPath("apps", app, "manifests")]);
      expect(inv.workloads.map((w) => displayName(w))).toEqual(expected);
      expect(inv.problems.filter((p) => p.severity !== "info")).toEqual([]);
    });
  }

  it("online-boutique: service accounts, Services and their target ports", async () => {
    const inv = await loadK8sInventory([corpusPath("apps", "online-boutique", "manifests")]);
    const byName = new Map(inv.workloads.map((w) => [w.name, w]));
    expect(byName.get("redis-cart")!.serviceAccount).toBe("default");
    expect(byName.get("checkoutservice")!.serviceAccount).toBe("checkoutservice");
    expect(byName.get("frontend")!.services!.map((s) => `${s.name} ${s.type}`)).toEqual([
      "frontend ClusterIP",
      "frontend-external LoadBalancer",
    ]);
    expect(byName.get("emailservice")!.services![0].ports).toEqual([
      { name: "grpc", port: 5000, targetPort: 8080, protocol: "TCP" },
    ]);
  });

  it("loads every app's manifests together", async () => {
    const dirs = readdirSync(corpusPath("apps")).map((a) => join(corpusPath("apps", a), "manifests"));
    const inv = await loadK8sInventory(dirs);
    expect(inv.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(new Set(inv.workloads.map((w) => w.id)).size).toBe(inv.workloads.length);
  });
});

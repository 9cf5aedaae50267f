/**
 * `microseg lint` on the maintainers' policies of ../shared/corpus/apps/* (each test lists what it
 * finds and why that is right, from the app's SOURCE.md), on a fixture that makes every remaining
 * mistake once, and the SARIF output validated against the SARIF 2.1.0 JSON schema.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import * as AjvDraft04 from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { LINT_RULES } from "../../src/analysis/lint/catalogue.js";
import type { LintFinding } from "../../src/analysis/lint/types.js";
import { run, scratchDirs } from "../cli/run.js";
import { corpusPath, repoRoot } from "../helpers/corpus.js";

const app = (name: string, ...parts: string[]) => corpusPath("apps", name, ...parts);
const fixture = (...p: string[]) => join(repoRoot(), "test", "fixtures", "config", "lint", ...p);
const scratch = scratchDirs("lint");

async function lint(paths: string[], config?: string) {
  const r = await run(["lint", ...paths, ...(config ? ["--config", config] : []), "-o", "json"]);
  expect(r.code, r.stderr).toBeLessThan(2);
  const findings = JSON.parse(r.stdout).findings as LintFinding[];
  /** `rule subject` lines, sorted and unique. */
  const keys = [...new Set(findings.map((f) => `${f.ruleId} ${f.subject ?? ""}`.trim()))].sort();
  return { code: r.code, findings, keys, has: (id: string) => findings.filter((f) => f.ruleId === id) };
}

describe("lint on the maintainers' policies", () => {
  it("Sock Shop: label drift, the ignored beta annotation, a duplicate Namespace, no egress isolation", async () => {
    const r = await lint([app("sock-shop", "manifests"), app("sock-shop", "policies")]);
    expect(r.code).toBe(1);
    expect(r.keys).toEqual([
      // front-end-access has an ingress rule with ports but no `from`: any source (SOURCE.md)
      "allow-all-peer NetworkPolicy sock-shop/front-end-access",
      // netpol-default-deny.yaml repeats the Namespace of complete-demo.yaml
      "duplicate-name Namespace sock-shop",
      // 13 NetworkPolicies, none with policyTypes or egress (SOURCE.md: "No policy has Egress")
      ...[
        "cart-access",
        "carts-db-access",
        "catalogue-access",
        "catalogue-db-access",
        "cortex-access",
        "front-end-access",
        "orders-access",
        "orders-db-access",
        "payment-access",
        "rabbitmq-access",
        "shipping-access",
        "user-access",
        "user-db-access",
      ].map((n) => `missing-policy-types NetworkPolicy sock-shop/${n}`),
      // ingress is isolated (cortex-access selects every pod), egress is not
      "no-default-deny namespace sock-shop",
      "no-flow-monitoring",
      // networking.k8s.io/v1 ignores net.beta.kubernetes.io/network-policy
      "obsolete-isolation-annotation Namespace sock-shop",
      // carts-db-access admits `name: cart`, but the pods are `name: carts`; nothing is `name: cortex`
      "peer-selects-nothing NetworkPolicy sock-shop/carts-db-access",
      "peer-selects-nothing NetworkPolicy sock-shop/cortex-access",
      // cart-access selects `name: cart`: no pod since 2017
      "policy-selects-nothing NetworkPolicy sock-shop/cart-access",
      // open egress: the data stores may call the public front-end (data → public is not in the matrix)
      "zone-crossing sock-shop/front-end",
    ]);
    expect(r.has("no-default-deny")[0].message).toContain("for egress");
  });

  it("Online Boutique: `egress: [{}]` everywhere and frontend's `ingress: [{}]`; deny-all gives the default deny", async () => {
    const r = await lint([
      app("online-boutique", "manifests"),
      app("online-boutique", "policies", "network-policies"),
    ]);
    expect(r.code).toBe(0); // no error: default deny both ways (deny-all), no drift
    const allowAll = r
      .has("allow-all-peer")
      .map((f) => f.message.replace(/ of NetworkPolicy default\/\S+/, ""));
    expect(r.has("allow-all-peer")).toHaveLength(13); // 12 egress [{}] + frontend ingress [{}]
    expect(allowAll.filter((m) => m.startsWith("egress rule #0"))).toHaveLength(12);
    expect(r.has("allow-all-peer").find((f) => f.message.startsWith("ingress"))?.subject).toBe(
      "NetworkPolicy default/frontend",
    );
    // with open egress and frontend open to all, redis-cart (data) may call frontend (public)
    expect(r.has("zone-crossing").map((f) => f.message)).toEqual([
      "default/frontend (zone public) can be reached from default/redis-cart (data)",
    ]);
    expect(r.has("no-default-deny")).toEqual([]);
  });

  it("Cilium Star Wars: the two `rule1` files are alternatives (duplicate name); the L3/L4 rule makes the L7 one redundant", async () => {
    const r = await lint([app("cilium-star-wars", "manifests"), app("cilium-star-wars", "policies")]);
    expect(r.keys).toContain("duplicate-name CiliumNetworkPolicy default/rule1");
    expect(r.has("redundant-rule")).toHaveLength(1);
    // empire-default-deny isolates ingress of org=empire only: xwing, and egress of all, stay open
    expect(
      r
        .has("no-default-deny")
        .map((f) => f.message.match(/for (\w+)/)?.[1])
        .sort(),
    ).toEqual(["egress", "ingress"]);
    expect(r.has("allow-all-peer")).toEqual([]); // `ingress: [{}]` in the deny policy admits nobody
  });

  it("Cilium Star Wars: a secret-holding deathstar with only the L3/L4 policy lacks L7 rules; the L7 policy fixes it", async () => {
    const cfg = join(scratch(), "m.yaml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(cfg, "dataClasses:\n  - match: [{labels: {class: deathstar}}]\n    classes: [secrets]\n");
    const l4 = await lint(
      [
        app("cilium-star-wars", "manifests"),
        app("cilium-star-wars", "policies", "cilium", "sw_l3_l4_policy.yaml"),
      ],
      cfg,
    );
    expect(l4.has("data-without-l7").map((f) => f.subject)).toEqual(["default/deathstar"]);
    const l7 = await lint(
      [
        app("cilium-star-wars", "manifests"),
        app("cilium-star-wars", "policies", "cilium", "sw_l3_l4_l7_policy.yaml"),
      ],
      cfg,
    );
    expect(l7.has("data-without-l7")).toEqual([]);
  });

  it("Cilium Kafka: zookeeper (data, port 2181) has no policy, so it is open to everything including outside", async () => {
    const r = await lint([
      app("cilium-kafka-starwars", "manifests"),
      app("cilium-kafka-starwars", "policies"),
    ]);
    expect(r.has("data-reachable-from-public").map((f) => f.subject)).toEqual(["default/zookeeper"]);
    // kafka-broker is data too, but its policy has Kafka L7 rules
    expect(r.has("data-without-l7")).toEqual([]);
  });

  it("Bookinfo (Istio): productpage-viewer has no `from`; the gateway-viewer selects gateway pods the input lacks", async () => {
    const r = await lint([app("bookinfo", "manifests"), app("bookinfo", "policies")]);
    expect(r.keys).toContain("allow-all-peer AuthorizationPolicy default/productpage-viewer");
    expect(r.keys).toContain("policy-selects-nothing AuthorizationPolicy default/bookinfo-gateway-viewer");
    // allow-nothing (spec: {}) is the mesh's default deny for ingress; egress has none
    expect(r.has("no-default-deny").map((f) => f.message.match(/for (\w+)/)?.[1])).toEqual(["egress"]);
    // Istio's Gateway and the Gateway API's Gateway are different kinds: not duplicates
    expect(r.has("duplicate-name")).toEqual([]);
  });

  it("Emojivoto and Cloud City: no default deny in either direction (Linkerd policies are not read; Cloud City protects one workload)", async () => {
    for (const name of ["emojivoto", "cilium-grpc-cloudcity"]) {
      const r = await lint([app(name, "manifests"), app(name, "policies")]);
      expect(r.code, name).toBe(1);
      expect(r.has("no-default-deny"), name).toHaveLength(2);
    }
  });
});

describe("lint on a fixture with one mistake each", () => {
  it("finds each with its rule id and line", async () => {
    const r = await lint([fixture("cluster.yaml")], fixture("zones.yaml"));
    expect(r.code).toBe(1);
    const at = (id: string) => r.has(id).map((f) => `${f.location.line} ${f.message}`);
    expect(at("data-reachable-from-public")).toEqual([
      "50 shop/db (zone data) can be reached from shop/web (public)",
    ]);
    expect(at("management-reachable-from-non-bastion")).toEqual([
      "76 shop/grafana (zone management) can be reached from shop/web (public)",
    ]);
    expect(at("dns-egress-anywhere")).toHaveLength(1);
    expect(at("ip-peer-for-pod")).toEqual([
      "64 egress rule #1 of NetworkPolicy shop/egress names 10.0.0.0/8, which holds the address 10.4.0.9 of pod shop/grafana",
      "64 egress rule #2 of NetworkPolicy shop/egress names 10.4.0.9/32, which holds the address 10.4.0.9 of pod shop/grafana",
    ]);
    expect(at("broad-cidr-in-cluster")).toHaveLength(1);
    expect(r.has("redundant-rule").map((f) => f.message.split(" is redundant:")[0])).toEqual([
      "ingress rule #2 of NetworkPolicy shop/db", // the same as rule #0
      "egress rule #2 of NetworkPolicy shop/egress", // 10.4.0.9/32 inside rule #1's 10.0.0.0/8
    ]);
    expect(r.has("shadowed-rule")[0].message).toMatch(
      /^ingress rule #1 of AdminNetworkPolicy guard \(allow\) can never match/,
    );
    expect(r.keys).toContain("missing-policy-types NetworkPolicy shop/api-ingress");
    expect(r.keys).toContain("policy-selects-nothing NetworkPolicy shop/old-app");
    expect(r.keys).toContain("peer-selects-nothing NetworkPolicy shop/old-app");
    // flowSources are configured: no monitoring finding; default-deny covers both directions
    expect(r.has("no-flow-monitoring")).toEqual([]);
    expect(r.has("no-default-deny")).toEqual([]);
  });
});

describe("SARIF", () => {
  const require = createRequire(import.meta.url);
  const schema = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
  // a CommonJS module: under NodeNext `default` is module.exports, which is the class and also
  // carries itself as `.default`; `.default.default` is the class for both Node and TypeScript
  const Ajv = AjvDraft04.default.default;
  const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);

  it("validates against the SARIF 2.1.0 schema and carries every finding with rule, level, file and line", async () => {
    const out = join(scratch(), "lint.sarif");
    const r = await run([
      "lint",
      app("sock-shop", "manifests"),
      app("sock-shop", "policies"),
      "-o",
      "sarif",
      "--out",
      out,
    ]);
    expect(r.code).toBe(1);
    const { readFileSync } = await import("node:fs");
    const log = JSON.parse(readFileSync(out, "utf8"));
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(log.version).toBe("2.1.0");
    const run0 = log.runs[0];
    expect(run0.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(LINT_RULES.map((x) => x.id));
    expect(run0.results).toHaveLength(22);
    const dup = run0.results.find((x: { ruleId: string }) => x.ruleId === "duplicate-name");
    expect(dup.level).toBe("error");
    expect(run0.tool.driver.rules[dup.ruleIndex].id).toBe("duplicate-name");
    const loc = dup.locations[0].physicalLocation;
    expect(loc.artifactLocation.uri).toMatch(
      /^file:\/\/\/.*\/apps\/sock-shop\/policies\/network-policies\/netpol-default-deny\.yaml$/,
    );
    expect(loc.region.startLine).toBe(2);
  });

  it("a broken log does not validate (the check has teeth)", () => {
    expect(validate({ version: "2.1.0", runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ version: "2.0.0", runs: [] })).toBe(false);
  });

  it("--list-rules prints the catalogue with one line per rule", async () => {
    const r = await run(["lint", "--list-rules"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(LINT_RULES.length + 1);
  });
});

describe("missing-policy-types", () => {
  it("flags an empty egress list without policyTypes (egress stays open), not a non-empty one", async () => {
    const dir = scratch();
    const np = (name: string, egress: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: ${name}}}\n  ingress: [{}]\n${egress}`;
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "empty.yaml"), np("empty", "  egress: []\n"));
    writeFileSync(join(dir, "rules.yaml"), np("rules", "  egress: [{to: [{podSelector: {}}]}]\n"));
    const r = await lint([dir]);
    const flagged = r.has("missing-policy-types");
    expect(flagged.map((f) => f.subject)).toEqual(["NetworkPolicy shop/empty"]);
    expect(flagged[0].message).toContain("an empty egress list");
  });
});

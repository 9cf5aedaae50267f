/**
 * verify's exit code is its verdict: 1 when any flow (here: map edge) would be denied, 0 when none
 * would. Policies are the Online Boutique maintainers' own NetworkPolicies, the map is the
 * static map of their manifests, plus edges those policies do not allow.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { CommunicationMap } from "../../src/model/map.js";
import { corpusPath } from "../helpers/corpus.js";
import { run, scratchDirs } from "./run.js";

const scratch = scratchDirs("exit-codes");
const MANIFESTS = corpusPath("apps", "online-boutique", "manifests");
const POLICIES = corpusPath("apps", "online-boutique", "policies", "network-policies");

let cleanMap: string; // the app's call graph: every edge is allowed by the maintainers' policies
let badMap: string; // plus frontend → redis-cart and checkoutservice → paymentservice on TCP/8080
let edgePorts: number;

beforeAll(async () => {
  const dir = scratch();
  cleanMap = join(dir, "clean.json");
  const r = await run(["discover", "--inventory", MANIFESTS, "--out", cleanMap]);
  expect(r.code).toBe(0);
  const map = JSON.parse(readFileSync(cleanMap, "utf8")) as CommunicationMap;
  edgePorts = map.edges.reduce((n, e) => n + e.ports.length, 0);
  // redis-cart admits only cartservice; paymentservice admits checkoutservice on TCP 50051 only
  map.edges.push({
    src: "default/frontend",
    dst: "default/redis-cart",
    ports: [{ protocol: "TCP", port: 6379 }],
    flows: 3,
    provenance: "observed",
  });
  const pay = map.edges.find(
    (e) => e.src === "default/checkoutservice" && e.dst === "default/paymentservice",
  );
  expect(pay?.ports).toEqual([{ protocol: "TCP", port: 50051 }]);
  pay!.ports.push({ protocol: "TCP", port: 8080 });
  badMap = join(dir, "bad.json");
  writeFileSync(badMap, JSON.stringify(map, null, 2));
});

const verifyArgs = (map: string, ...more: string[]) => [
  "verify",
  "--policies",
  POLICIES,
  "--inventory",
  MANIFESTS,
  "--map",
  map,
  ...more,
];

describe("verify exit codes", () => {
  it("exits 0 when the maintainers' policies allow every edge of the app's call graph", async () => {
    const out = join(scratch(), "report.json");
    const r = await run(verifyArgs(cleanMap, "-o", "json", "--out", out));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.denied).toEqual([]);
    expect(report.summary).toMatchObject({ evaluated: edgePorts, allowed: edgePorts, denied: 0 });
    expect(edgePorts).toBeGreaterThan(10);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(report);
  });

  it("exits 1 and lists exactly the edges the policies do not allow, with the deciding policies", async () => {
    const out = join(scratch(), "report.json");
    const r = await run(verifyArgs(badMap, "-o", "json", "--out", out));
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      denied: {
        src: string;
        dst: string;
        protocol: string;
        port: number;
        deniedBy: string;
        policies: string[];
      }[];
      summary: { evaluated: number; allowed: number; denied: number };
    };
    const denied = report.denied
      .map((d) => `${d.src} -> ${d.dst} ${d.protocol}/${d.port} (${d.deniedBy})`)
      .sort();
    expect(denied).toEqual([
      "default/checkoutservice -> default/paymentservice TCP/8080 (ingress)",
      "default/frontend -> default/redis-cart TCP/6379 (ingress)",
    ]);
    const redis = report.denied.find((d) => d.dst === "default/redis-cart")!;
    expect(redis.policies).toContain("default/redis-cart");
    expect(redis.policies).toContain("default/deny-all");
    expect(report.summary).toMatchObject({ evaluated: edgePorts + 2, allowed: edgePorts, denied: 2 });
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(report);
  });

  it("exits 1 with the table output too: denied rows on stdout, the summary on stderr", async () => {
    const r = await run(verifyArgs(badMap));
    expect(r.code).toBe(1);
    const rows = r.stdout.trimEnd().split("\n").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows.some((l) => /default\/frontend\s+default\/redis-cart\s+TCP\/6379/.test(l))).toBe(true);
    expect(r.stderr).toContain("2 would be denied");
  });

  it("exits 0 with an empty stdout in table mode when nothing is denied", async () => {
    const r = await run(verifyArgs(cleanMap));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("0 would be denied");
  });
});

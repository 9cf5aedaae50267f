/**
 * Identity over time at ingest: `kubectl get pods -o json` dumps taken at different times, a
 * static inventory (a VM, a named network) and VPC flows written here for the test. An address
 * reused by another pod resolves to the new owner from that pod's start; unresolved addresses
 * become `cidr:<ip>/32` or the named network and are counted. Every store and both ingest paths
 * give the same edges; `discover --store --since/--until` selects by time.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadMixedInventory } from "../../src/inventory/static/load.js";
import { normaliseBindings } from "../../src/inventory/static/timeline.js";
import { DuckDbStore } from "../../src/store/duckdb/index.js";
import { ingestFiles } from "../../src/store/ingest/pipeline.js";
import { MemoryStore } from "../../src/store/memory/index.js";
import type { Store } from "../../src/store/types.js";
import { run } from "../cli/run.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-identity-"));

function pod(name: string, ip: string, created: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "shop", labels: { app: name }, creationTimestamp: created },
    spec: { containers: [{ name: "c", image: "x" }] },
    status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
  };
}

function dump(items: unknown[]): string {
  return JSON.stringify({ apiVersion: "v1", kind: "List", items });
}

// 09:00 dump: cart owns 10.0.0.5 since 08:00. 15:00 dump: cart is gone, checkout has had it since 12:00.
writeFileSync(join(dir, "pods-0900.json"), dump([pod("cart", "10.0.0.5", "2024-03-04T08:00:00Z")]));
writeFileSync(join(dir, "pods-1500.json"), dump([pod("checkout", "10.0.0.5", "2024-03-04T12:00:00Z")]));
writeFileSync(
  join(dir, "static.yaml"),
  `staticInventory: v1
workloads:
  - name: billing-db
    namespace: payments
    kind: vm
    labels: { app: billing-db }
    addresses: [10.9.0.10]
networks:
  - name: corp-vpn
    cidrs: [172.16.0.0/12]
`,
);
const t = (hhmm: string) => Date.parse(`2024-03-04T${hhmm}:00Z`) / 1000;
// written here (AWS documented v2 field order, S3 header line)
const vpc = join(dir, "flows.log");
writeFileSync(
  vpc,
  [
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
    `2 1 eni-1 10.0.0.5 10.9.0.10 40000 5432 6 5 500 ${t("10:00")} ${t("10:01")} ACCEPT OK`,
    `2 1 eni-1 10.0.0.5 10.9.0.10 40001 5432 6 5 500 ${t("13:00")} ${t("13:01")} ACCEPT OK`,
    `2 1 eni-1 172.16.5.5 10.0.0.5 40002 8080 6 5 500 ${t("13:30")} ${t("13:31")} ACCEPT OK`,
    `2 1 eni-1 203.0.113.9 10.0.0.5 40003 8080 6 5 500 ${t("14:00")} ${t("14:01")} ACCEPT OK`,
    `2 1 eni-1 10.9.0.10 10.0.0.5 5432 40001 6 5 500 ${t("13:00")} ${t("13:01")} ACCEPT OK`,
    "",
  ].join("\n"),
);
const inventoryPaths = ["pods-0900.json", "pods-1500.json", "static.yaml"].map((f) => join(dir, f));

const expected = [
  ["external:corp-vpn", "shop/checkout", 8080],
  ["cidr:203.0.113.9/32", "shop/checkout", 8080],
  ["shop/cart", "payments/billing-db", 5432],
  ["shop/checkout", "payments/billing-db", 5432],
].sort();

async function ingestInto(store: Store, bulk: boolean) {
  const inv = await loadMixedInventory(inventoryPaths);
  const summary = await ingestFiles({ store, flows: [vpc], inventory: inv, networks: inv.networks, bulk });
  const edges = (await store.queryEdges()).map((e) => [e.src, e.dst, e.port]).sort();
  return { summary, edges, workloads: await store.workloads() };
}

describe("identity over time at ingest", () => {
  it("closes a pod's open binding when a later dump shows its address with another pod", () => {
    const b = normaliseBindings([
      { ip: "10.0.0.5", workloadId: "shop/cart", from: 8, source: "a" },
      { ip: "10.0.0.5", workloadId: "shop/checkout", from: 12, source: "b" },
      { ip: "10.0.0.6", workloadId: "x/one", from: 1, source: "c" },
      { ip: "10.0.0.6", workloadId: "x/two", from: 1, source: "d" },
    ]);
    expect(b.map((x) => [x.ip, x.workloadId, x.from, x.to])).toEqual([
      ["10.0.0.5", "shop/cart", 8, 12],
      ["10.0.0.5", "shop/checkout", 12, undefined],
    ]);
  });

  for (const [name, open, bulk] of [
    ["memory (streaming)", async () => new MemoryStore(), false],
    ["duckdb (streaming)", async () => DuckDbStore.open({ path: join(dir, "s.duckdb") }), false],
    ["duckdb (bulk SQL)", async () => DuckDbStore.open({ path: join(dir, "b.duckdb") }), true],
  ] as const) {
    it(`${name}: the reused address resolves to its owner at each flow's time`, async () => {
      const store = await open();
      try {
        const { summary, edges, workloads } = await ingestInto(store, bulk);
        expect(edges).toEqual(expected);
        expect(summary.counts.repliesSkipped).toBe(1);
        expect(summary.unresolvedAddresses).toBe(2);
        expect(summary.unresolvedByPeer).toEqual({
          "address peers (cidr:<ip>/32)": 1,
          "external:corp-vpn": 1,
        });
        const vm = workloads.find((w) => w.id === "payments/billing-db");
        expect(vm).toMatchObject({ kind: "vm", labels: { app: "billing-db" } });
        expect(workloads.find((w) => w.id === "external:corp-vpn")?.kind).toBe("external");
      } finally {
        await store.close();
      }
    });
  }

  it("ingest skips a file already in the store; discover --store selects by --since/--until", async () => {
    const db = join(dir, "cli.duckdb");
    const inv = inventoryPaths.flatMap((p) => ["--inventory", p]);
    const first = await run(["ingest", "--flows", vpc, ...inv, "--store", db]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("1 file(s) ingested, 0 skipped");
    const again = await run(["ingest", "--flows", vpc, ...inv, "--store", db]);
    expect(again.stderr).toContain("0 file(s) ingested, 1 skipped");
    const all = await run(["discover", "--store", db, "-o", "json"]);
    expect(JSON.parse(all.stdout).edges.map((e: { flows: number }) => e.flows)).toEqual([1, 1, 1, 1]);
    const late = await run([
      "discover",
      "--store",
      `duckdb:${db}`,
      "--since",
      "2024-03-04T12:00:00Z",
      "--until",
      "2024-03-04T14:00:00Z",
      "-o",
      "json",
    ]);
    const map = JSON.parse(late.stdout);
    expect(map.edges.map((e: { src: string; dst: string }) => `${e.src} ${e.dst}`)).toEqual([
      "external:corp-vpn shop/checkout",
      "shop/checkout payments/billing-db",
    ]);
    const bad = await run(["discover", "--store", db, "--since", "yesterday"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since takes an RFC 3339 time/);
  });

  it("an unknown store scheme is a usage error", async () => {
    const r = await run(["discover", "--store", "mysql://x/y"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown store/);
  });
});

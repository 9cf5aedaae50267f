/**
 * The ClickHouse store against a real two-shard cluster (Debian's clickhouse-server, started by
 * scripts/clickhouse/start-cluster.sh): the shared Store contract, the same answers as DuckDB for
 * the real Hubble captures, and a clear error naming the shard when one is down. Fails (does not
 * skip) when ClickHouse is missing, unless MICROSEG_SKIP_CLICKHOUSE=1.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommunicationMap } from "../../src/model/map.js";
import { MicrosegError } from "../../src/model/problems.js";
import { openClickHouseStore } from "../../src/store/clickhouse/index.js";
import { run } from "../cli/run.js";
import { corpusPath, repoRoot } from "../helpers/corpus.js";
import {
  clickhouseSkipped,
  clickhouseSql,
  startTestCluster,
  type TestCluster,
} from "./clickhouse-cluster.js";
import { dnsRow, edgeRow, fileRecord, httpRow, storeContract } from "./contract.js";

const T0 = Date.UTC(2024, 2, 1);

describe.skipIf(clickhouseSkipped)("ClickHouse store on a two-shard cluster", () => {
  let cluster: TestCluster;
  const databases: string[] = [];
  const newDatabase = () => {
    const db = `t_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    databases.push(db);
    return db;
  };

  beforeAll(async () => {
    cluster = await startTestCluster();
  });

  afterAll(async () => {
    if (!cluster) return;
    for (const db of databases) {
      for (const port of cluster.httpPorts)
        await clickhouseSql(port, `DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
    }
    await cluster.destroy();
  });

  storeContract("clickhouse", {
    open: () => openClickHouseStore(cluster.spec(newDatabase())),
    reopen: (closed) => {
      const spec = (closed as Awaited<ReturnType<typeof openClickHouseStore>>).spec;
      return openClickHouseStore(spec);
    },
  });

  it("spreads rows over both shards and aggregates them in one GROUP BY", async () => {
    const db = newDatabase();
    const store = await openClickHouseStore(cluster.spec(db));
    try {
      const srcs = Array.from({ length: 40 }, (_, i) => `ns/w${String(i).padStart(2, "0")}`);
      await store.ingestFile({
        file: fileRecord("spread"),
        edges: srcs.flatMap((src) => [
          edgeRow({ hour: T0, src, flows: 1 }),
          edgeRow({ hour: T0 + 3_600_000, src, flows: 2 }),
        ]),
        workloads: [],
      });
      const perShard = await Promise.all(
        cluster.httpPorts.map(async (p) =>
          Number(await clickhouseSql(p, `SELECT count() FROM ${db}.edges_local`)),
        ),
      );
      expect(perShard.every((n) => n > 0)).toBe(true);
      expect(perShard[0] + perShard[1]).toBe(80);
      const edges = await store.queryEdges();
      expect(edges.map((e) => e.src)).toEqual(srcs);
      expect(edges.every((e) => e.flows === 3)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("ignores the rows of a batch that was never committed (a crash mid-file), and a re-run counts once", async () => {
    const db = newDatabase();
    const crashed = await openClickHouseStore(cluster.spec(db));
    const w = await crashed.beginFile();
    await w.addEdges([edgeRow({ hour: T0, flows: 5 })]);
    await crashed.close(); // the process "dies": no commit, no abort
    const store = await openClickHouseStore(cluster.spec(db));
    try {
      expect(await store.hasFile("crash")).toBe(false);
      expect(await store.queryEdges()).toEqual([]);
      await store.ingestFile({
        file: fileRecord("crash"),
        edges: [edgeRow({ hour: T0, flows: 5 })],
        workloads: [],
      });
      expect((await store.queryEdges()).map((e) => e.flows)).toEqual([5]);
      const rows = await clickhouseSql(cluster.httpPorts[0], `SELECT sum(flows) FROM ${db}.edges`);
      expect(Number(rows)).toBe(10); // the orphan rows are still there, but never counted
    } finally {
      await store.close();
    }
  });

  it("counts nothing of a file whose writer process was killed mid-write; the re-run counts it once", async () => {
    const db = newDatabase();
    const spec = cluster.spec(db);
    await (await openClickHouseStore(spec)).close(); // schema first, so the child starts writing at once
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(repoRoot(), "test/store/clickhouse-kill-child.ts"), spec],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("chunk 2\n")) {
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.on("exit", () => reject(new Error(`child exited before it was killed: ${err}`)));
    });
    await new Promise((r) => child.once("close", r));
    const written = Number(await clickhouseSql(cluster.httpPorts[0], `SELECT count() FROM ${db}.edges`));
    expect(written).toBeGreaterThanOrEqual(3000); // the killed process did write (uncommitted) rows
    const store = await openClickHouseStore(spec);
    try {
      expect(await store.queryEdges()).toEqual([]);
      expect(await store.files()).toEqual([]);
      await store.ingestFile({
        file: fileRecord("killed"),
        edges: [edgeRow({ hour: T0, src: "kill/s0", dst: "kill/d0", port: 8080, flows: 4 })],
        workloads: [],
      });
      expect((await store.queryEdges()).map((e) => [e.src, e.flows])).toEqual([["kill/s0", 4]]);
    } finally {
      await store.close();
    }
  });

  it("gives the same edges, workloads and files as DuckDB for the real Hubble captures", async () => {
    const { ingestFiles } = await import("../../src/store/ingest/pipeline.js");
    const { DuckDbStore } = await import("../../src/store/duckdb/index.js");
    const dir = corpusPath("flows", "hubble");
    const files = (await readdir(dir)).filter((f) => f.endsWith(".jsonl")).map((f) => join(dir, f));
    const ch = await openClickHouseStore(cluster.spec(newDatabase()));
    const duck = await DuckDbStore.open({ path: ":memory:" });
    try {
      for (const store of [ch, duck])
        await ingestFiles({ store, flows: files, format: "hubble", now: () => T0 });
      const edges = await ch.queryEdges();
      expect(edges.length).toBeGreaterThan(10);
      expect(edges).toContainEqual(
        expect.objectContaining({ src: "bookinfo/productpage-v1", dst: "bookinfo/details-v1", port: 9080 }),
      );
      expect(edges).toEqual(await duck.queryEdges());
      // a window in the middle of the captures cuts both stores at the same hours
      const times = edges.flatMap((e) => [e.firstSeen, e.lastSeen]).sort((a, b) => a - b);
      const range = {
        since: times[Math.floor(times.length / 3)],
        until: times[Math.floor((2 * times.length) / 3)],
      };
      const windowed = await ch.queryEdges(range);
      expect(windowed.length).toBeGreaterThan(0);
      expect(windowed.length).toBeLessThan(edges.length);
      expect(windowed).toEqual(await duck.queryEdges(range));
      // the L7 rows: HTTP templates per edge and DNS names, whole and over the window
      const http = await ch.queryHttp();
      expect(http).toContainEqual(
        expect.objectContaining({
          src: "bookinfo/productpage-v1",
          dst: "bookinfo/details-v1",
          method: "GET",
          path: "/details/{id}",
        }),
      );
      expect(http).toEqual(await duck.queryHttp());
      const dns = await ch.queryDns();
      expect(dns.length).toBeGreaterThan(2);
      expect(dns).toEqual(await duck.queryDns());
      const november = {
        since: Date.parse("2021-11-01T00:00:00Z"),
        until: Date.parse("2022-01-01T00:00:00Z"),
      };
      const windowedHttp = await ch.queryHttp(november);
      expect(windowedHttp.length).toBeGreaterThan(0);
      expect(windowedHttp.length).toBeLessThan(http.length);
      expect(windowedHttp).toEqual(await duck.queryHttp(november));
      const windowedDns = await ch.queryDns(november);
      expect(windowedDns.length).toBeGreaterThan(0);
      expect(windowedDns.length).toBeLessThan(dns.length);
      expect(windowedDns).toEqual(await duck.queryDns(november));
      const workloads = await ch.workloads();
      expect(workloads.length).toBeGreaterThan(10);
      expect(workloads).toEqual(await duck.workloads());
      expect(await ch.files()).toEqual(await duck.files());
    } finally {
      await ch.close();
      await duck.close();
    }
  });

  it("says how to fix a spec that lets a shard miss the tables", async () => {
    const spec = cluster.spec(newDatabase()).replace(/&shards=.*$/, "");
    await expect(openClickHouseStore(spec)).rejects.toThrow(
      // 18.16 says "There is no table db.x_local on server: host:port"; newer releases put the
      // address first ("Received from host:port … Table db.x_local doesn't exist")
      new RegExp(`^(?=.*\\.[a-z_]+_local)(?=.*127\\.0\\.0\\.1:${cluster.tcpPorts[1]})(?=.*\\?shards=)`, "s"),
    );
  });

  it("`ingest` then `discover --store` give the same map from ClickHouse as from DuckDB (real Hubble captures)", async () => {
    const dir = corpusPath("flows", "hubble");
    const flows = (await readdir(dir))
      .filter((f) => f.endsWith(".jsonl"))
      .flatMap((f) => ["--flows", join(dir, f)]);
    const scratch = await mkdtemp(join(tmpdir(), "microseg-ch-map-"));
    try {
      const stores = [cluster.spec(newDatabase()), join(scratch, "flows.duckdb")];
      for (const store of stores) {
        const ingest = await run(["ingest", ...flows, "--store", store]);
        expect(ingest.code, ingest.stderr).toBe(0);
      }
      const discover = async (store: string, extra: string[] = []) => {
        const r = await run(["discover", ...(store ? ["--store", store] : []), "-o", "json", ...extra]);
        expect(r.code, r.stderr).toBe(0);
        return JSON.parse(r.stdout) as CommunicationMap;
      };
      const [chMap, duckMap] = [await discover(stores[0]), await discover(stores[1])];
      expect(chMap.edges.length).toBeGreaterThan(10);
      // with the L7 facts of the in-memory map (HTTP templates per edge, DNS names)
      const memory = await discover("", flows);
      expect(chMap.edges.filter((e) => e.http?.length).length).toBeGreaterThan(5);
      expect(chMap.dns?.length).toBeGreaterThan(1);
      expect(JSON.stringify([chMap.edges, chMap.dns])).toBe(JSON.stringify([memory.edges, memory.dns]));
      expect(chMap.edges).toContainEqual(
        expect.objectContaining({ src: "bookinfo/productpage-v1", dst: "bookinfo/details-v1" }),
      );
      expect(chMap.dropped?.length).toBeGreaterThan(0);
      expect(chMap).toEqual(duckMap);
      // and over a window: the hours both stores keep must be cut the same way
      const seen = chMap.edges
        .flatMap((e) => [e.firstSeen ?? "", e.lastSeen ?? ""])
        .filter(Boolean)
        .sort();
      const window = ["--since", seen[Math.floor(seen.length / 2)]];
      const chWindow = await discover(stores[0], window);
      expect(chWindow.edges.length).toBeGreaterThan(0);
      expect(chWindow.edges.length).toBeLessThan(chMap.edges.length);
      expect(chWindow).toEqual(await discover(stores[1], window));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it("upgrades a store made before the L7 tables: its files are withoutL7, new files carry HTTP and DNS rows", async () => {
    const db = newDatabase();
    const spec = cluster.spec(db);
    const before = await openClickHouseStore(spec);
    await before.ingestFile({
      file: fileRecord("old"),
      edges: [edgeRow({ hour: T0, flows: 2 })],
      workloads: [],
    });
    await before.close();
    // what a store of the previous version has: no L7 tables, no files.l7
    for (const port of cluster.httpPorts) {
      for (const t of ["edge_http", "edge_http_local", "dns_names", "dns_names_local"])
        await clickhouseSql(port, `DROP TABLE ${db}.${t}`);
      for (const t of ["files", "files_local"])
        await clickhouseSql(port, `ALTER TABLE ${db}.${t} DROP COLUMN l7`);
    }
    const store = await openClickHouseStore(spec);
    try {
      expect(await store.files()).toEqual([{ ...fileRecord("old"), withoutL7: true }]);
      expect((await store.queryEdges()).map((e) => e.flows)).toEqual([2]);
      expect(await store.queryHttp()).toEqual([]);
      await store.ingestFile({
        file: fileRecord("new"),
        edges: [edgeRow({ hour: T0 })],
        workloads: [],
        http: [httpRow({ hour: T0, flows: 4 })],
        dns: [dnsRow({ hour: T0, records: 3 })],
      });
      expect((await store.files()).map((f) => [f.hash, f.withoutL7])).toEqual([
        ["new", undefined],
        ["old", true],
      ]);
      expect((await store.queryHttp()).map((h) => [h.path, h.flows])).toEqual([["/items/{id}", 4]]);
      expect((await store.queryDns()).map((d) => [d.name, d.records])).toEqual([
        ["api.shop.svc.cluster.local", 3],
      ]);
    } finally {
      await store.close();
    }
  });

  // Must stay the last test: it kills shard 2.
  it("fails with the shard and its address when a shard is down, instead of a partial map", async () => {
    const down = new RegExp(`shard 2 \\(127\\.0\\.0\\.1:${cluster.tcpPorts[1]}\\).*Connection refused`);
    const store = await openClickHouseStore(cluster.spec(newDatabase()));
    try {
      await store.ingestFile({
        file: fileRecord("before"),
        edges: Array.from({ length: 20 }, (_, i) => edgeRow({ hour: T0, src: `ns/s${i}` })),
        workloads: [],
      });
      expect(await store.queryEdges()).toHaveLength(20);
      await cluster.stop(2);
      const query = store.queryEdges();
      await expect(query).rejects.toThrow(MicrosegError);
      await expect(query).rejects.toThrow(down);
      await expect(query).rejects.toThrow(/No partial result/);
      await expect(store.workloads()).rejects.toThrow(down);
      await expect(
        store.ingestFile({
          file: fileRecord("during"),
          edges: Array.from({ length: 20 }, (_, i) => edgeRow({ hour: T0, src: `ns/d${i}` })),
          workloads: [],
        }),
      ).rejects.toThrow(down);
    } finally {
      await store.close();
    }
    // opening names the unreachable server (schema setup) or shard (the check that every shard has the tables)
    const spec = cluster.spec(newDatabase());
    await expect(openClickHouseStore(spec)).rejects.toThrow(
      new RegExp(`server http://127\\.0\\.0\\.1:${cluster.httpPorts[1]} is unreachable`),
    );
    await expect(openClickHouseStore(spec.replace(/&shards=.*$/, ""))).rejects.toThrow(down);
  });
});

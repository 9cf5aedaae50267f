/**
 * The shared Store contract: every Store implementation runs this suite (memory, DuckDB,
 * ClickHouse). Call `storeContract(name, factory)` from a `*.test.ts` file.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { MapWorkload } from "../../src/model/map.js";
import type {
  FileBatch,
  HourlyDns,
  HourlyEdge,
  HourlyHttp,
  IngestedFile,
  RawFlow,
  Store,
} from "../../src/store/types.js";

/** How the suite gets stores. */
export interface StoreFactory {
  /** A new, empty store. */
  open(): Promise<Store>;
  /** The same data opened again after close (persistent stores only). */
  reopen?(closed: Store): Promise<Store>;
}

const H = 3_600_000;
/** 2024-03-01T00:00:00Z */
const T0 = Date.UTC(2024, 2, 1);

/** An input file record. */
export function fileRecord(hash: string, path = `${hash}.log`, records = 1): IngestedFile {
  return { hash, path, format: "test", records, ingestedAt: T0 };
}

/** An hourly row with defaults. */
export function edgeRow(p: Partial<HourlyEdge> & { hour: number }): HourlyEdge {
  return {
    src: "shop/web",
    dst: "shop/db",
    protocol: "TCP",
    port: 5432,
    verdict: "forwarded",
    flows: 1,
    bytes: 100,
    packets: 2,
    firstSeen: p.hour,
    lastSeen: p.hour,
    ...p,
  };
}

/** An hourly HTTP row with defaults. */
export function httpRow(p: Partial<HourlyHttp> & { hour: number }): HourlyHttp {
  return { src: "shop/web", dst: "shop/api", method: "GET", path: "/items/{id}", flows: 1, ...p };
}

/** An hourly DNS row with defaults. */
export function dnsRow(p: Partial<HourlyDns> & { hour: number }): HourlyDns {
  return { workload: "shop/web", name: "api.shop.svc.cluster.local", records: 1, ...p };
}

function workload(id: string, extra: Partial<MapWorkload> = {}): MapWorkload {
  const [namespace, name] = id.split("/");
  return { id, kind: "pod-owner", namespace, name, labels: {}, ...extra };
}

function rawFlow(time: number, line: number): RawFlow {
  return {
    time,
    src: "shop/web",
    dst: "shop/db",
    srcIp: "10.0.0.2",
    dstIp: "10.0.0.3",
    srcPort: 40000,
    dstPort: 5432,
    protocol: "TCP",
    verdict: "forwarded",
    bytes: 10,
    packets: 1,
    line,
  };
}

function batch(hash: string, edges: HourlyEdge[], workloads: MapWorkload[] = []): FileBatch {
  return { file: fileRecord(hash, `${hash}.log`, edges.length), edges, workloads };
}

/** Runs the contract against one implementation. */
export function storeContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    const open = async () => {
      const s = await factory.open();
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    });

    it("starts empty", async () => {
      const s = await open();
      expect(await s.hasFile("a")).toBe(false);
      expect(await s.queryEdges()).toEqual([]);
      expect(await s.files()).toEqual([]);
      expect(await s.workloads()).toEqual([]);
      expect(await s.queryHttp()).toEqual([]);
      expect(await s.queryDns()).toEqual([]);
    });

    it("sums rows of one key across hours and files, sorted by src, dst, protocol, port, verdict", async () => {
      const s = await open();
      await s.ingestFile(
        batch("f1", [
          edgeRow({
            hour: T0 + H,
            flows: 3,
            bytes: 30,
            packets: 6,
            firstSeen: T0 + H + 5,
            lastSeen: T0 + H + 9,
          }),
          edgeRow({ hour: T0, flows: 2, bytes: 20, packets: 4, firstSeen: T0 + 1, lastSeen: T0 + 7 }),
          edgeRow({ hour: T0, src: "shop/api", verdict: "dropped", port: 0, protocol: "ICMP" }),
        ]),
      );
      await s.ingestFile(batch("f2", [edgeRow({ hour: T0, flows: 5, bytes: 1, packets: 1, firstSeen: T0 })]));
      const edges = await s.queryEdges();
      expect(edges).toEqual([
        {
          src: "shop/api",
          dst: "shop/db",
          protocol: "ICMP",
          port: 0,
          verdict: "dropped",
          flows: 1,
          bytes: 100,
          packets: 2,
          firstSeen: T0,
          lastSeen: T0,
        },
        {
          src: "shop/web",
          dst: "shop/db",
          protocol: "TCP",
          port: 5432,
          verdict: "forwarded",
          flows: 10,
          bytes: 51,
          packets: 11,
          firstSeen: T0,
          lastSeen: T0 + H + 9,
        },
      ]);
      expect((await s.files()).map((f) => [f.path, f.records])).toEqual([
        ["f1.log", 3],
        ["f2.log", 1],
      ]);
    });

    it("is idempotent per file: a second commit of the same hash fails and changes nothing", async () => {
      const s = await open();
      await s.ingestFile(batch("same", [edgeRow({ hour: T0, flows: 4 })]));
      expect(await s.hasFile("same")).toBe(true);
      await expect(s.ingestFile(batch("same", [edgeRow({ hour: T0, flows: 4 })]))).rejects.toThrow(
        /already ingested/,
      );
      expect((await s.queryEdges()).map((e) => e.flows)).toEqual([4]);
      expect(await s.files()).toHaveLength(1);
      // the failed write released the store
      await s.ingestFile(batch("other", [edgeRow({ hour: T0, flows: 1 })]));
      expect((await s.queryEdges()).map((e) => e.flows)).toEqual([5]);
    });

    it("is atomic: a batch that fails part-way leaves nothing, and the store stays usable", async () => {
      const s = await open();
      await s.ingestFile(batch("good", [edgeRow({ hour: T0, flows: 1 })]));
      // the edges and workloads are written before the raw flows fail validation
      const bad = batch(
        "bad",
        [edgeRow({ hour: T0, flows: 7 }), edgeRow({ hour: T0, dst: "shop/cache", flows: 7 })],
        [workload("shop/cache")],
      );
      bad.flows = [{ ...rawFlow(T0, 1), line: -1 }];
      await expect(s.ingestFile(bad)).rejects.toThrow();
      expect(await s.workloads()).toEqual([]);
      const w = await s.beginFile();
      await w.addEdges([edgeRow({ hour: T0, flows: 7 })]);
      await expect(w.addEdges([edgeRow({ hour: T0 + 17, flows: 7 })])).rejects.toThrow(); // not an hour start
      await w.abort();
      expect(await s.hasFile("bad")).toBe(false);
      expect((await s.queryEdges()).map((e) => [e.dst, e.flows])).toEqual([["shop/db", 1]]);
      await s.ingestFile(batch("after", [edgeRow({ hour: T0, flows: 2 })]));
      expect((await s.queryEdges()).map((e) => e.flows)).toEqual([3]);
    });

    it("shows nothing of a file before commit; abort discards its parts", async () => {
      const s = await open();
      const w = await s.beginFile();
      await w.addEdges([edgeRow({ hour: T0, flows: 9 })]);
      await w.addWorkloads([workload("shop/web")]);
      expect(await s.queryEdges()).toEqual([]);
      expect(await s.workloads()).toEqual([]);
      await w.abort();
      expect(await s.queryEdges()).toEqual([]);
      const w2 = await s.beginFile();
      await w2.addEdges([edgeRow({ hour: T0, flows: 1 })]);
      await w2.addEdges([edgeRow({ hour: T0, flows: 2 })]);
      await w2.commit(fileRecord("parts"));
      expect((await s.queryEdges()).map((e) => e.flows)).toEqual([3]);
    });

    it("selects hourly rows by time range at hour granularity", async () => {
      const s = await open();
      await s.ingestFile(
        batch("t", [
          edgeRow({ hour: T0, dst: "a/h0" }),
          edgeRow({ hour: T0 + H, dst: "a/h1", firstSeen: T0 + H + 10, lastSeen: T0 + H + 20 }),
          edgeRow({ hour: T0 + 2 * H, dst: "a/h2" }),
        ]),
      );
      const dsts = async (since?: number, until?: number) =>
        (await s.queryEdges({ since, until })).map((e) => e.dst);
      expect(await dsts()).toEqual(["a/h0", "a/h1", "a/h2"]);
      expect(await dsts(T0 + H + 30 * 60_000)).toEqual(["a/h1", "a/h2"]);
      expect(await dsts(T0 + H)).toEqual(["a/h1", "a/h2"]);
      expect(await dsts(undefined, T0 + 2 * H)).toEqual(["a/h0", "a/h1"]);
      expect(await dsts(T0 + H, T0 + H + 1)).toEqual(["a/h1"]);
      expect(await dsts(T0 + 3 * H)).toEqual([]);
      expect(await dsts(undefined, T0)).toEqual([]);
    });

    it("merges workload records of one id in ingest order", async () => {
      const s = await open();
      await s.ingestFile(
        batch(
          "w1",
          [],
          [
            workload("shop/web", { labels: { app: "web", tier: "front" }, addresses: ["10.0.0.2"] }),
            workload("shop/db", { labels: { app: "db" } }),
          ],
        ),
      );
      await s.ingestFile(
        batch(
          "w2",
          [],
          [
            workload("shop/web", {
              labels: { tier: "edge" },
              addresses: ["10.0.0.1"],
              serviceAccount: "web-sa",
            }),
          ],
        ),
      );
      const ws = await s.workloads();
      expect(ws.map((w) => w.id)).toEqual(["shop/db", "shop/web"]);
      expect(ws[1]).toMatchObject({
        labels: { app: "web", tier: "edge" },
        addresses: ["10.0.0.1", "10.0.0.2"],
        serviceAccount: "web-sa",
      });
    });

    it("keeps raw flows only when given, sorted by time, in range by exact time", async () => {
      const s = await open();
      const raw = rawFlow;
      await s.ingestFile({
        ...batch("r", [edgeRow({ hour: T0 })]),
        flows: [raw(T0 + 50, 2), raw(T0 + 10, 1)],
      });
      await s.ingestFile(batch("no-raw", [edgeRow({ hour: T0 })]));
      expect((await s.rawFlows()).map((f) => f.line)).toEqual([1, 2]);
      expect((await s.rawFlows({ since: T0 + 11 })).map((f) => f.time)).toEqual([T0 + 50]);
    });

    it("sums HTTP and DNS rows across hours and files; HTTP sorted by src, dst, path, method", async () => {
      const s = await open();
      await s.ingestFile({
        ...batch("l1", [edgeRow({ hour: T0 })]),
        http: [
          httpRow({ hour: T0, path: "/items/{id}", flows: 2 }),
          httpRow({ hour: T0 + H, path: "/items/{id}", flows: 3 }),
          httpRow({ hour: T0, method: "POST", path: "/cart" }),
          httpRow({ hour: T0, method: "GET", path: "/cart", flows: 4 }),
          httpRow({ hour: T0, src: "shop/admin", path: "/zeta" }),
        ],
        dns: [
          dnsRow({ hour: T0, records: 2 }),
          dnsRow({ hour: T0 + H, records: 5 }),
          dnsRow({ hour: T0, name: "db.shop.svc.cluster.local" }),
          dnsRow({ hour: T0, workload: "shop/admin", name: "example.com" }),
        ],
      });
      const w = await s.beginFile();
      await w.addHttp([httpRow({ hour: T0 + 2 * H, path: "/items/{id}", flows: 10 })]);
      await w.addDns([dnsRow({ hour: T0 + 2 * H, records: 10 })]);
      await w.commit(fileRecord("l2"));
      expect(await s.queryHttp()).toEqual([
        { src: "shop/admin", dst: "shop/api", method: "GET", path: "/zeta", flows: 1 },
        { src: "shop/web", dst: "shop/api", method: "GET", path: "/cart", flows: 4 },
        { src: "shop/web", dst: "shop/api", method: "POST", path: "/cart", flows: 1 },
        { src: "shop/web", dst: "shop/api", method: "GET", path: "/items/{id}", flows: 15 },
      ]);
      expect(await s.queryDns()).toEqual([
        { workload: "shop/admin", name: "example.com", records: 1 },
        { workload: "shop/web", name: "api.shop.svc.cluster.local", records: 17 },
        { workload: "shop/web", name: "db.shop.svc.cluster.local", records: 1 },
      ]);
      // files written by this version carry their L7 rows
      expect((await s.files()).map((f) => f.withoutL7)).toEqual([undefined, undefined]);
    });

    it("selects HTTP and DNS rows by time range at hour granularity, as edges", async () => {
      const s = await open();
      await s.ingestFile({
        ...batch("lt", []),
        http: [0, 1, 2].map((i) => httpRow({ hour: T0 + i * H, path: `/h${i}` })),
        dns: [0, 1, 2].map((i) => dnsRow({ hour: T0 + i * H, name: `h${i}.example` })),
      });
      const paths = async (since?: number, until?: number) =>
        (await s.queryHttp({ since, until })).map((h) => h.path);
      const names = async (since?: number, until?: number) =>
        (await s.queryDns({ since, until })).map((d) => d.name);
      expect(await paths(T0 + H + 30 * 60_000)).toEqual(["/h1", "/h2"]);
      expect(await paths(undefined, T0 + 2 * H)).toEqual(["/h0", "/h1"]);
      expect(await paths(T0 + H, T0 + H + 1)).toEqual(["/h1"]);
      expect(await paths(T0 + 3 * H)).toEqual([]);
      expect(await names(T0 + H + 30 * 60_000)).toEqual(["h1.example", "h2.example"]);
      expect(await names(undefined, T0 + 2 * H)).toEqual(["h0.example", "h1.example"]);
      expect(await names(T0 + H, T0 + H + 1)).toEqual(["h1.example"]);
      expect(await names(undefined, T0)).toEqual([]);
    });

    it("shows no HTTP or DNS row of a file before commit; abort and bad rows leave nothing", async () => {
      const s = await open();
      const w = await s.beginFile();
      await w.addHttp([httpRow({ hour: T0, flows: 9 })]);
      await w.addDns([dnsRow({ hour: T0, records: 9 })]);
      expect(await s.queryHttp()).toEqual([]);
      expect(await s.queryDns()).toEqual([]);
      await w.abort();
      expect(await s.queryHttp()).toEqual([]);
      expect(await s.queryDns()).toEqual([]);
      // the HTTP rows are written before the DNS rows fail validation: none of the file counts
      await expect(
        s.ingestFile({
          ...batch("bad-l7", [edgeRow({ hour: T0 })]),
          http: [httpRow({ hour: T0, flows: 3 })],
          dns: [dnsRow({ hour: T0, name: "" })],
        }),
      ).rejects.toThrow(/invalid hourly DNS row/);
      const w2 = await s.beginFile();
      await expect(w2.addHttp([httpRow({ hour: T0 + 17 })])).rejects.toThrow(/invalid hourly HTTP row/);
      await expect(w2.addHttp([httpRow({ hour: T0, method: "" })])).rejects.toThrow(
        /invalid hourly HTTP row/,
      );
      await expect(w2.addDns([dnsRow({ hour: T0, records: -1 })])).rejects.toThrow(/invalid hourly DNS row/);
      await w2.abort();
      expect(await s.hasFile("bad-l7")).toBe(false);
      expect(await s.queryHttp()).toEqual([]);
      expect(await s.queryDns()).toEqual([]);
      expect(await s.queryEdges()).toEqual([]);
    });

    if (factory.reopen) {
      const reopen = factory.reopen;
      it("keeps committed files across close and reopen", async () => {
        const s = await open();
        await s.ingestFile({
          ...batch("p", [edgeRow({ hour: T0, flows: 6 })], [workload("shop/web")]),
          http: [httpRow({ hour: T0, flows: 6 })],
          dns: [dnsRow({ hour: T0, records: 2 })],
        });
        await s.close();
        opened.splice(opened.indexOf(s), 1);
        const again = await reopen(s);
        opened.push(again);
        expect(await again.hasFile("p")).toBe(true);
        expect((await again.queryEdges()).map((e) => e.flows)).toEqual([6]);
        expect((await again.workloads()).map((w) => w.id)).toEqual(["shop/web"]);
        expect((await again.queryHttp()).map((h) => [h.path, h.flows])).toEqual([["/items/{id}", 6]]);
        expect((await again.queryDns()).map((d) => [d.name, d.records])).toEqual([
          ["api.shop.svc.cluster.local", 2],
        ]);
        expect((await again.files())[0].withoutL7).toBeUndefined();
      });
    }
  });
}

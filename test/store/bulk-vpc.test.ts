/**
 * The DuckDB bulk path (read_csv + SQL) and the streaming parser give the same store on the real
 * AWS VPC samples (../shared/corpus/flows/aws-vpc: default v2, custom v3/v5/v7/v8 layouts), and
 * on records written here whose address bindings change inside an hour (the bulk path resolves
 * hourly groups, split where a binding changes).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IdentityResolver } from "../../src/identity/resolve.js";
import { VPC_DEFAULT_FIELDS } from "../../src/ingest/aws-vpc/fields.js";
import { loadMixedInventory } from "../../src/inventory/static/load.js";
import { NetworkNamer } from "../../src/inventory/static/networks.js";
import { MicrosegError } from "../../src/model/problems.js";
import { DuckDbStore } from "../../src/store/duckdb/index.js";
import { bulkIngestVpc, rejectReason } from "../../src/store/ingest/bulk-vpc.js";
import { type IngestOptions, ingestFiles } from "../../src/store/ingest/pipeline.js";
import { hashFile } from "../../src/store/ingest/read.js";
import { SUM_PAST_SAFE } from "../../src/store/rows.js";
import { corpusPath } from "../helpers/corpus.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-bulk-"));

/** Ingests into a new one-thread DuckDB store at `path`; the summary and what the store then holds. */
async function ingestInto(path: string, o: Omit<IngestOptions, "store">) {
  const store = await DuckDbStore.open({ path, threads: 1 });
  try {
    const summary = await ingestFiles({ store, ...o });
    return { summary, edges: await store.queryEdges(), workloads: await store.workloads() };
  } finally {
    await store.close();
  }
}

const ingest = (bulk: boolean) =>
  ingestInto(join(dir, `${bulk}.duckdb`), { flows: [corpusPath("flows", "aws-vpc")], bulk });

describe("bulk VPC ingest agrees with the streaming parser", () => {
  it("same hourly edges, workloads and record roles on the corpus samples", async () => {
    const stream = await ingest(false);
    const bulk = await ingest(true);
    expect(bulk.summary.files.every((f) => f.via === "bulk")).toBe(true);
    expect(stream.summary.files.every((f) => f.via === "stream")).toBe(true);
    expect(stream.edges.length).toBeGreaterThan(100);
    expect(bulk.edges).toEqual(stream.edges);
    expect(bulk.workloads).toEqual(stream.workloads);
    const roles = (s: typeof stream.summary) => [
      s.counts.edgeRecords,
      s.counts.droppedRecords,
      s.counts.noPort,
      s.counts.otherVerdict,
    ];
    expect(roles(bulk.summary)).toEqual(roles(stream.summary));
    expect(bulk.summary.unresolvedAddresses).toBe(stream.summary.unresolvedAddresses);
  });
});

describe("bulk VPC ingest: a binding that changes inside an hour", () => {
  // written here: 10.0.0.5 belongs to shop/cart until 10:20 and to shop/checkout from then on;
  // 10.9.0.10 belongs to payments/db only from 10:40. Every record below falls in the 10:00 hour.
  const t = (hhmm: string) => Date.parse(`2024-03-04T${hhmm}:00Z`) / 1000;
  const inv = join(dir, "split.yaml");
  const flows = join(dir, "split.log");
  writeFileSync(
    inv,
    `staticInventory: v1
workloads:
  - { name: cart, namespace: shop, kind: vm, labels: { app: cart }, addresses: [{ ip: 10.0.0.5, to: "2024-03-04T10:20:00Z" }] }
  - { name: checkout, namespace: shop, kind: vm, labels: { app: checkout }, addresses: [{ ip: 10.0.0.5, from: "2024-03-04T10:20:00Z" }] }
  - { name: db, namespace: payments, kind: vm, labels: { app: db }, addresses: [{ ip: 10.9.0.10, from: "2024-03-04T10:40:00Z" }] }
`,
  );
  const rec = (hhmm: string, bytes: number, action = "ACCEPT") =>
    `2 1 eni-1 10.0.0.5 10.9.0.10 40000 5432 6 1 ${bytes} ${t(hhmm)} ${t(hhmm) + 60} ${action} OK`;
  writeFileSync(
    flows,
    [
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
      rec("10:05", 1),
      rec("10:19", 2),
      rec("10:20", 4),
      rec("10:39", 8),
      rec("10:40", 16),
      rec("10:59", 32),
      rec("10:30", 64, "REJECT"),
      // another pair in the same hour, never split
      "2 1 eni-1 10.1.0.1 10.9.0.11 40000 443 6 1 100 1709546700 1709546760 ACCEPT OK",
      "2 1 eni-1 10.1.0.1 10.9.0.11 40001 443 6 1 200 1709549940 1709550000 ACCEPT OK",
      "",
    ].join("\n"),
  );

  async function run(bulk: boolean) {
    const store = await DuckDbStore.open({ path: join(dir, `split-${bulk}.duckdb`), threads: 2 });
    try {
      const inventory = await loadMixedInventory([inv]);
      const summary = await ingestFiles({
        store,
        flows: [flows],
        inventory,
        networks: inventory.networks,
        bulk,
      });
      return { summary, edges: await store.queryEdges() };
    } finally {
      await store.close();
    }
  }

  /** The bulk loader called directly, with the split pairs inlined in the scan or joined. */
  async function runBulk(inlineSplitPairs: number) {
    const store = await DuckDbStore.open({ path: join(dir, `split-${inlineSplitPairs}.duckdb`), threads: 2 });
    try {
      const inventory = await loadMixedInventory([inv]);
      const head = readFileSync(flows, "utf8").split("\n").slice(0, 1);
      await bulkIngestVpc({
        store,
        file: flows,
        hash: hashFile(flows),
        head,
        bindings: inventory.bindings,
        networks: new NetworkNamer(inventory.networks),
        resolver: new IdentityResolver({ inventory }),
        inlineSplitPairs,
      });
      return await store.queryEdges();
    } finally {
      await store.close();
    }
  }

  it("the scan's split pairs inlined in its SQL or joined give the same edges", async () => {
    const joined = await runBulk(0);
    expect(joined.length).toBe(5);
    expect(await runBulk(1000)).toEqual(joined);
  });

  it("resolves each record with the binding at its own time, as the streaming path does", async () => {
    const bulk = await run(true);
    const stream = await run(false);
    expect(bulk.summary.files[0].via).toBe("bulk");
    const rows = bulk.edges.map((e) => [e.src, e.dst, e.verdict, e.flows, e.bytes, e.firstSeen / 1000]);
    expect(rows).toEqual([
      ["cidr:10.1.0.1/32", "cidr:10.9.0.11/32", "forwarded", 2, 300, 1709546700],
      ["shop/cart", "cidr:10.9.0.10/32", "forwarded", 2, 3, t("10:05")],
      ["shop/checkout", "cidr:10.9.0.10/32", "dropped", 1, 64, t("10:30")],
      ["shop/checkout", "cidr:10.9.0.10/32", "forwarded", 2, 12, t("10:20")],
      ["shop/checkout", "payments/db", "forwarded", 2, 48, t("10:40")],
    ]);
    expect(bulk.edges).toEqual(stream.edges);
    expect(bulk.summary.unresolvedAddresses).toBe(stream.summary.unresolvedAddresses);
  });
});

describe("bulk VPC ingest: idempotency while the hash is computed during the scan", () => {
  const content =
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" +
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 40000 443 6 10 840 1700000000 1700000060 ACCEPT OK\n" +
    "2 123456789012 eni-1 10.0.0.3 10.0.0.2 40001 443 6 5 420 1700000000 1700000060 ACCEPT OK\n";

  it("a copy under a new path, a re-run and a changed file: each counted once", async () => {
    const sub = mkdtempSync(join(dir, "dup-"));
    const a = join(sub, "a.log");
    const copy = join(sub, "copy.log");
    writeFileSync(a, content);
    writeFileSync(copy, content);
    const store = await DuckDbStore.open({ path: join(sub, "s.duckdb"), threads: 1 });
    try {
      const first = await ingestFiles({ store, flows: [a, copy] });
      expect(first.files.map((f) => [f.status, f.via])).toEqual([
        ["ingested", "bulk"],
        ["skipped", undefined],
      ]);
      expect(first.files[1].hash).toBe(first.files[0].hash);
      expect(first.counts.records).toBe(2);
      const again = await ingestFiles({ store, flows: [a, copy] });
      expect(again.files.map((f) => f.status)).toEqual(["skipped", "skipped"]);
      expect((await store.files()).map((f) => f.path)).toEqual([a]);
      const flows = (await store.queryEdges()).reduce((n, e) => n + e.flows, 0);
      expect(flows).toBe(2);
      writeFileSync(
        a,
        `${content}2 123456789012 eni-1 10.0.0.4 10.0.0.2 40002 443 6 1 60 1700000000 1700000060 ACCEPT OK\n`,
      );
      const changed = await ingestFiles({ store, flows: [a] });
      expect(changed.files[0]).toMatchObject({ status: "ingested", via: "bulk" });
      expect((await store.queryEdges()).reduce((n, e) => n + e.flows, 0)).toBe(5);
    } finally {
      await store.close();
    }
  });
});

describe("bulk VPC ingest: an address bound to two workloads at once", () => {
  // written here: 10.0.0.7 is listed for two workloads with no time limits (a shared address, e.g.
  // a node IP); 10.0.0.8 is listed twice for the same workload. The streaming resolver leaves a
  // shared address unresolved and resolves the repeated one.
  it("resolves as the streaming path does: shared → unresolved, repeated → its workload", async () => {
    const sub = mkdtempSync(join(dir, "shared-"));
    const inv = join(sub, "inv.yaml");
    const flows = join(sub, "flows.log");
    writeFileSync(
      inv,
      `staticInventory: v1
workloads:
  - { name: a, namespace: ns, kind: vm, labels: { app: a }, addresses: [10.0.0.7] }
  - { name: b, namespace: ns, kind: vm, labels: { app: b }, addresses: [10.0.0.7, 10.0.0.8, 10.0.0.8] }
  - { name: db, namespace: ns, kind: vm, labels: { app: db }, addresses: [10.0.0.9] }
`,
    );
    writeFileSync(
      flows,
      [
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
        "2 1 eni-1 10.0.0.7 10.0.0.9 40000 5432 6 1 10 1709546700 1709546760 ACCEPT OK",
        "2 1 eni-1 10.0.0.8 10.0.0.9 40000 5432 6 1 20 1709546700 1709546760 ACCEPT OK",
        "",
      ].join("\n"),
    );
    const inventory = await loadMixedInventory([inv]);
    const run = (bulk: boolean) =>
      ingestInto(join(sub, `${bulk}.duckdb`), {
        flows: [flows],
        inventory,
        networks: inventory.networks,
        bulk,
      });
    const bulk = await run(true);
    const stream = await run(false);
    expect(bulk.summary.files[0].via).toBe("bulk");
    expect(stream.edges.map((e) => [e.src, e.dst, e.flows, e.bytes])).toEqual([
      ["cidr:10.0.0.7/32", "ns/db", 1, 10],
      ["ns/b", "ns/db", 1, 20],
    ]);
    expect(bulk.edges).toEqual(stream.edges);
    expect(bulk.summary.unresolvedAddresses).toBe(stream.summary.unresolvedAddresses);
  });
});

describe("bulk VPC ingest: broken lines are reported as the streaming path reports them", () => {
  it("a word in a number field and a wrong field count: the same lines and reasons on both paths", async () => {
    const sub = mkdtempSync(join(dir, "reasons-"));
    const f = join(sub, "broken.log");
    const ok = "2 123456789012 eni-1 10.0.0.3 10.0.0.2 40001 443 6 5 420 1700000000 1700000060 ACCEPT OK";
    writeFileSync(
      f,
      [
        VPC_DEFAULT_FIELDS.join(" "),
        ok,
        ok.replace(" 443 ", " https "),
        ok.replace(" 1700000060", ""),
        `${ok} extra`,
        ok.replace(" 420 ", " 4x0 "),
        ok.replace(" 420 ", " -420 "),
        "",
      ].join("\n"),
    );
    const reasons = async (bulk: boolean) => {
      const { summary } = await ingestInto(join(sub, `${bulk}.duckdb`), { flows: [f], bulk });
      expect(summary.files[0].via).toBe(bulk ? "bulk" : "stream");
      return summary.firstSkipped.map((l) => [l.line, l.reason]);
    };
    const stream = await reasons(false);
    expect(stream).toEqual([
      [3, 'dstport must be a number or "-", found "https"'],
      [4, "expected 14 fields (the header on line 1), found 13"],
      [5, "expected 14 fields (the header on line 1), found 15"],
      [6, 'bytes must be a number or "-", found "4x0"'],
      [7, 'bytes must be a number or "-", found "-420"'],
    ]);
    expect(await reasons(true)).toEqual(stream);
    expect(rejectReason("some other reader error", "x")).toBe("some other reader error");
  });
});

describe("bulk VPC ingest: byte and packet sums up to and past 2^53", () => {
  const sub = mkdtempSync(join(dir, "sums-"));
  const rec = (bytes: string, packets = "1", hour = "1700000000") =>
    `2 123456789012 eni-1 10.0.0.3 10.0.0.2 40001 443 6 ${packets} ${bytes} ${hour} ${Number(hour) + 60} ACCEPT OK`;
  const write = (name: string, lines: string[]) => {
    const f = join(sub, name);
    writeFileSync(f, [VPC_DEFAULT_FIELDS.join(" "), ...lines, ""].join("\n"));
    return f;
  };

  it("are exact just under 2^53, on both paths alike", async () => {
    // 2^53 - 2 from two halves, and 2^53 - 1 packets from three parts
    const f = write("big.log", [
      rec("4503599627370495", "3002399751580330"),
      rec("4503599627370495", "3002399751580330"),
      rec("0", "3002399751580331"),
    ]);
    const bulk = await ingestInto(join(sub, "big-bulk.duckdb"), { flows: [f], bulk: true });
    const stream = await ingestInto(join(sub, "big-stream.duckdb"), { flows: [f], bulk: false });
    expect(bulk.summary.files[0].via).toBe("bulk");
    expect(bulk.edges).toHaveLength(1);
    expect(bulk.edges[0]).toMatchObject({ flows: 3, bytes: 9007199254740990, packets: 9007199254740991 });
    expect(bulk.edges).toEqual(stream.edges);
  });

  it("reaching 2^53 in one hourly row: the file fails on both paths with the same reason, nothing written", async () => {
    // each record is under 2^53; their sum in one hour of one edge is not
    const f = write("huge.log", [
      rec("4503599627370496"),
      rec("4503599627370496"),
      rec("5", "1", "1700003600"),
    ]);
    for (const bulk of [true, false]) {
      const path = join(sub, `huge-${bulk}.duckdb`);
      const err = await ingestInto(path, { flows: [f], bulk }).catch((e: unknown) => e);
      expect(err, `bulk ${bulk}`).toBeInstanceOf(MicrosegError);
      const p = (err as MicrosegError).problems[0];
      expect(p.code).toBe("flow-malformed");
      expect(p.message).toBe(SUM_PAST_SAFE);
      expect(p.location).toEqual({ file: f });
      const store = await DuckDbStore.open({ path, threads: 1 });
      try {
        expect(await store.files()).toEqual([]);
        expect(await store.queryEdges()).toEqual([]);
      } finally {
        await store.close();
      }
    }
  });
});

describe("bulk VPC ingest: --strict", () => {
  const good =
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" +
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 40000 443 6 10 840 1700000000 1700000060 ACCEPT OK\n";
  const broken = `${good}2 123456789012 eni-1 10.0.0.3 10.0.0.2 40001 https 6 5 420 1700000000 1700000060 ACCEPT OK\n`;

  it("the first malformed line fails the file at its line, as on the streaming path, and leaves nothing", async () => {
    const sub = mkdtempSync(join(dir, "strict-"));
    const f = join(sub, "broken.log");
    writeFileSync(f, broken);
    for (const bulk of [true, false]) {
      const store = await DuckDbStore.open({ path: join(sub, `${bulk}.duckdb`), threads: 1 });
      try {
        const err = await ingestFiles({ store, flows: [f], bulk, strict: true }).then(
          () => undefined,
          (e: unknown) => e as { problems?: { code: string; location?: { file?: string; line?: number } }[] },
        );
        expect(err?.problems?.[0]).toMatchObject({ code: "flow-malformed", location: { file: f, line: 3 } });
        expect(await store.files()).toEqual([]);
        expect(await store.queryEdges()).toEqual([]);
        // without --strict the line is skipped and reported
        const s = await ingestFiles({ store, flows: [f], bulk });
        expect(s.files[0]).toMatchObject({
          status: "ingested",
          records: 1,
          ...(bulk ? { via: "bulk" } : {}),
        });
        expect(s.malformedLines).toBe(1);
        expect(s.firstSkipped[0]).toMatchObject({ file: f, line: 3 });
        // a copy of a file already in the store is skipped, not failed, under --strict
        const copy = join(sub, `copy-${bulk}.log`);
        writeFileSync(copy, broken);
        const again = await ingestFiles({ store, flows: [copy], bulk, strict: true });
        expect(again.files[0].status).toBe("skipped");
      } finally {
        await store.close();
      }
    }
  });
});

describe("bulk VPC ingest: ports at and past the ends of their range, and the reply rules", () => {
  // records written here: ports 0, 65535, 65536 and "-", ICMP, drops without a usable port, and the
  // port rule's cases with and without tcp-flags (SYN, SYN-ACK, none)
  const header =
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags";
  const rec = (src: string, dst: string, sp: string, dp: string, pr: string, action: string, flags: string) =>
    `5 123456789012 eni-1 ${src} ${dst} ${sp} ${dp} ${pr} 2 100 1700000000 1700000060 ${action} OK ${flags}`;
  const lines = [
    header,
    rec("10.0.0.1", "10.0.0.2", "40000", "443", "6", "ACCEPT", "2"), // edge
    rec("10.0.0.2", "10.0.0.1", "443", "40000", "6", "ACCEPT", "18"), // SYN-ACK: reply
    rec("10.0.0.2", "10.0.0.1", "443", "40000", "6", "ACCEPT", "0"), // port rule: reply
    rec("10.0.0.2", "10.0.0.1", "443", "40000", "6", "ACCEPT", "2"), // SYN from 443: not a reply
    rec("10.0.0.1", "10.0.0.2", "0", "443", "6", "ACCEPT", "0"), // srcport 0 counts as absent: edge
    rec("10.0.0.1", "10.0.0.2", "-", "50000", "17", "ACCEPT", "-"), // no srcport: no port rule
    rec("10.0.0.1", "10.0.0.2", "40000", "0", "6", "ACCEPT", "0"), // dstport 0: no port
    rec("10.0.0.1", "10.0.0.2", "40000", "65536", "6", "ACCEPT", "0"), // past the range: no port
    rec("10.0.0.1", "10.0.0.2", "1000", "65535", "6", "ACCEPT", "0"), // last port, below it a low source: reply
    rec("10.0.0.1", "10.0.0.2", "65535", "65535", "17", "ACCEPT", "-"), // equal ports: edge on 65535
    rec("10.0.0.1", "10.0.0.3", "0", "0", "1", "ACCEPT", "-"), // ICMP: no port
    rec("10.0.0.9", "10.0.0.2", "40000", "65536", "6", "REJECT", "0"), // drop without a usable port
    rec("10.0.0.9", "10.0.0.2", "40000", "-", "6", "REJECT", "0"), // drop without a port
    rec("10.0.0.9", "10.0.0.2", "40000", "22", "6", "REJECT", "2"), // drop on 22
    "",
  ];

  it("give the same edges and record roles on both paths", async () => {
    const sub = mkdtempSync(join(dir, "ports-"));
    const flows = join(sub, "ports.log");
    writeFileSync(flows, lines.join("\n"));
    const run = (bulk: boolean) => ingestInto(join(sub, `${bulk}.duckdb`), { flows: [flows], bulk });
    const bulk = await run(true);
    const stream = await run(false);
    expect(bulk.summary.files[0].via).toBe("bulk");
    expect(stream.edges.map((e) => [e.src, e.dst, e.protocol, e.port, e.verdict, e.flows])).toEqual([
      ["cidr:10.0.0.1/32", "cidr:10.0.0.2/32", "TCP", 443, "forwarded", 2],
      ["cidr:10.0.0.1/32", "cidr:10.0.0.2/32", "UDP", 50000, "forwarded", 1],
      ["cidr:10.0.0.1/32", "cidr:10.0.0.2/32", "UDP", 65535, "forwarded", 1],
      ["cidr:10.0.0.2/32", "cidr:10.0.0.1/32", "TCP", 40000, "forwarded", 1],
      ["cidr:10.0.0.9/32", "cidr:10.0.0.2/32", "TCP", 0, "dropped", 2],
      ["cidr:10.0.0.9/32", "cidr:10.0.0.2/32", "TCP", 22, "dropped", 1],
    ]);
    expect(bulk.edges).toEqual(stream.edges);
    const roles = (s: typeof bulk.summary) => ({ ...s.counts, byVerdict: { ...s.counts.byVerdict } });
    expect(roles(bulk.summary)).toEqual(roles(stream.summary));
    expect(stream.summary.counts).toMatchObject({
      records: 14,
      repliesSkipped: 3,
      noPort: 3,
      droppedRecords: 3,
    });
  });
});

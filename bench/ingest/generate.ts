/**
 * Seeded generators for the ingest benchmark (and the crash test): an AWS VPC flow log (S3 text
 * delivery: a header line, then space-separated records) and a Hubble JSON-lines file, plus a
 * static inventory binding part of the addresses to workloads (some addresses reused over time).
 *
 * Realistic shape: a few thousand addresses (internal 10.x clients and servers, a thousand
 * external peers), Zipf-skewed choice of servers and ports, ~30 % replies, ~3 % REJECT, a few
 * NODATA records, times spread over a week in increasing order.
 *
 * Usage: tsx bench/ingest/generate.ts vpc|hubble|inventory OUT [records] [seed]
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";

/** A seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Zipf-like index in [0, n): small indexes are much more likely. */
function zipf(r: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(n ** r() - 1));
}

const PORTS = [443, 80, 5432, 6379, 53, 8080, 9092, 3306, 22, 27017, 9200, 11211, 5672, 8443, 2379];
/** Start of the generated week (2024-03-04T00:00:00Z), seconds. */
export const GEN_START = Date.UTC(2024, 2, 4) / 1000;
const WEEK = 7 * 24 * 3600;

/** The address universe (deterministic). */
export function addresses(): { clients: string[]; servers: string[]; external: string[] } {
  const clients = Array.from({ length: 2000 }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
  const servers = Array.from({ length: 600 }, (_, i) => `10.2.${i >> 8}.${i & 255}`);
  const external = Array.from({ length: 1000 }, (_, i) => `198.51.${100 + (i >> 8)}.${i & 255}`);
  return { clients, servers, external };
}

async function writeLines(
  out: string,
  n: number,
  line: (i: number) => string,
  header?: string,
): Promise<void> {
  const ws = createWriteStream(out, { highWaterMark: 1 << 22 });
  let buf = header ? `${header}\n` : "";
  for (let i = 0; i < n; i++) {
    buf += `${line(i)}\n`;
    if (buf.length > 1 << 20) {
      if (!ws.write(buf)) await once(ws, "drain");
      buf = "";
    }
  }
  ws.end(buf);
  await once(ws, "finish");
}

/** The VPC header (v3 custom format with tcp-flags). */
export const VPC_HEADER =
  "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags";

/** Writes `records` VPC flow-log records (plus the header line). */
export async function generateVpc(out: string, records: number, seed = 1): Promise<void> {
  const r = prng(seed);
  const { clients, servers, external } = addresses();
  const step = WEEK / records;
  await writeLines(
    out,
    records,
    (i) => {
      const start = GEN_START + Math.floor(i * step);
      const eni = `eni-${(1000 + (i % 97)).toString(16)}`;
      if (r() < 0.001) return `3 123456789012 ${eni} - - - - - - - ${start} ${start + 60} - NODATA -`;
      const x = r();
      const client = x < 0.1 ? external[zipf(r, external.length)] : clients[zipf(r, clients.length)];
      const server = r() < 0.05 ? external[zipf(r, external.length)] : servers[zipf(r, servers.length)];
      const port = PORTS[zipf(r, PORTS.length)];
      const proto = port === 53 ? 17 : 6;
      const eph = 32768 + Math.floor(r() * 28000);
      const packets = 1 + Math.floor(r() * 40);
      const bytes = packets * (60 + Math.floor(r() * 1400));
      const action = r() < 0.03 ? "REJECT" : "ACCEPT";
      const reply = action === "ACCEPT" && r() < 0.3;
      const flags = proto === 6 ? (reply ? 19 : 3) : 0;
      return reply
        ? `3 123456789012 ${eni} ${server} ${client} ${port} ${eph} ${proto} ${packets} ${bytes} ${start} ${start + 60} ${action} OK ${flags}`
        : `3 123456789012 ${eni} ${client} ${server} ${eph} ${port} ${proto} ${packets} ${bytes} ${start} ${start + 60} ${action} OK ${flags}`;
    },
    VPC_HEADER,
  );
}

/** Writes `records` Hubble flows (exporter JSON lines). */
export async function generateHubble(out: string, records: number, seed = 2): Promise<void> {
  const r = prng(seed);
  const { clients, servers } = addresses();
  const step = (WEEK * 1000) / records;
  const pod = (ip: string, i: number, role: string) => {
    const app = `${role}-${i % 150}`;
    return {
      ID: 1000 + (i % 4000),
      identity: 20000 + (i % 150),
      namespace: `ns-${i % 12}`,
      labels: [`k8s:app=${app}`, `k8s:io.kubernetes.pod.namespace=ns-${i % 12}`],
      pod_name: `${app}-7d9f8b6c5d-${(i % 1000).toString(36).padStart(5, "x")}`,
      workloads: [{ name: app, kind: "Deployment" }],
      ip,
    };
  };
  await writeLines(out, records, (i) => {
    const ci = zipf(r, clients.length);
    const si = zipf(r, servers.length);
    const port = PORTS[zipf(r, PORTS.length)];
    const eph = 32768 + Math.floor(r() * 28000);
    const reply = r() < 0.3;
    const dropped = r() < 0.02;
    const src = pod(clients[ci], ci, "client");
    const dst = pod(servers[si], si, "server");
    const time = new Date(GEN_START * 1000 + Math.floor(i * step)).toISOString();
    const l4 = {
      TCP: {
        source_port: reply ? port : eph,
        destination_port: reply ? eph : port,
        flags: { SYN: !reply, ACK: reply },
      },
    };
    const flow = {
      time,
      verdict: dropped ? "DROPPED" : "FORWARDED",
      ethernet: { source: "0a:58:0a:f4:00:01", destination: "0a:58:0a:f4:00:02" },
      IP: { source: reply ? dst.ip : src.ip, destination: reply ? src.ip : dst.ip, ipVersion: "IPv4" },
      l4,
      source: reply ? dst : src,
      destination: reply ? src : dst,
      Type: "L3_L4",
      node_name: `kind-worker${i % 3}`,
      is_reply: reply,
      event_type: { type: 4 },
      traffic_direction: reply ? "EGRESS" : "INGRESS",
      Summary: `TCP Flags: ${reply ? "ACK" : "SYN"}`,
    };
    return JSON.stringify({ flow, node_name: flow.node_name, time });
  });
}

/** A static inventory binding servers to workloads; every 10th address is reused mid-week by another workload. */
export function generateInventoryYaml(): string {
  const { servers } = addresses();
  const mid = new Date((GEN_START + WEEK / 2) * 1000).toISOString();
  const lines = ["staticInventory: v1", "workloads:"];
  const byWorkload = new Map<string, string[]>();
  servers.forEach((ip, i) => {
    const w = `svc-${i % 200}`;
    const entry = i % 10 === 0 ? [`      - { ip: ${ip}, to: "${mid}" }`] : [`      - ${ip}`];
    byWorkload.set(w, [...(byWorkload.get(w) ?? []), ...entry]);
    if (i % 10 === 0) {
      const w2 = `svc-${(i + 1) % 200}`;
      byWorkload.set(w2, [...(byWorkload.get(w2) ?? []), `      - { ip: ${ip}, from: "${mid}" }`]);
    }
  });
  for (const [w, addrs] of [...byWorkload.entries()].sort()) {
    lines.push(
      `  - name: ${w}`,
      "    namespace: prod",
      "    kind: vm",
      `    labels: { app: ${w} }`,
      "    addresses:",
      ...addrs,
    );
  }
  lines.push("networks:", "  - name: partner-net", "    cidrs: [198.51.100.0/24]");
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const [kind, out, n, seed] = process.argv.slice(2);
  if (!kind || !out) {
    process.stderr.write("usage: tsx bench/ingest/generate.ts vpc|hubble|inventory OUT [records] [seed]\n");
    process.exit(2);
  }
  const records = Number(n ?? (kind === "vpc" ? 10_000_000 : 1_200_000));
  if (kind === "vpc") await generateVpc(out, records, Number(seed ?? 1));
  else if (kind === "hubble") await generateHubble(out, records, Number(seed ?? 2));
  else {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(out, generateInventoryYaml());
  }
}

if (process.argv[1]?.endsWith("generate.ts")) await main();

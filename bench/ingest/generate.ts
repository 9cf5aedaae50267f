/**
 * Seeded generators for the ingest benchmark (and the crash test): an AWS VPC flow log (S3 text
 * delivery: a header line, then space-separated records) and a Hubble JSON-lines file, plus a
 * static inventory binding part of the addresses to workloads (some addresses reused over time).
 *
 * Realistic shape: a few thousand addresses (internal 10.x clients and servers, a thousand
 * external peers) holding a fixed set of conversations (each client calls a few servers on their
 * ports; Zipf-skewed, so a few conversations carry most records), ~30 % replies, ~3 % REJECT, a
 * few NODATA records; VPC records over one day in time order (1- and 10-minute aggregation
 * windows), Hubble flows over a week. The `independent` VPC shape (the earlier generator) draws
 * client, server and ports independently for every record over a week, so nearly every record is
 * its own hourly group: no estate looks like that, but the engine must cope with it (bench
 * `--shape independent`).
 *
 * Usage: tsx bench/ingest/generate.ts vpc|hubble|inventory OUT [records] [seed] [estate|independent]
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { prng } from "../prng.js";

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

/** `estate`: realistic conversations over one day; `independent`: every field drawn per record. */
export type VpcShape = "estate" | "independent";

/** The time span the VPC records cover (one day), seconds. */
export const VPC_SPAN = 24 * 3600;

/** One conversation of the estate: a client address calling a server address on a port. */
interface Dependency {
  client: string;
  server: string;
  port: number;
}

/**
 * The estate's conversations (deterministic for a seed): each internal client calls 1–8 servers
 * (Zipf-chosen) on each server's own port(s); a few internal clients call external services on
 * 443; external peers call the first 20 (edge) servers on 443/80. Ports are skewed: each server
 * listens on one Zipf-chosen port, a fifth of them on a second one.
 */
export function dependencies(seed: number): Dependency[] {
  const r = prng(seed ^ 0x5eed);
  const { clients, servers, external } = addresses();
  const serverPorts = servers.map(() => {
    const p = [PORTS[zipf(r, PORTS.length)]];
    if (r() < 0.2) p.push(PORTS[zipf(r, PORTS.length)]);
    return p;
  });
  const deps: Dependency[] = [];
  for (const client of clients) {
    const k = 1 + zipf(r, 8);
    for (let j = 0; j < k; j++) {
      const s = zipf(r, servers.length);
      const ports = serverPorts[s];
      deps.push({ client, server: servers[s], port: ports[zipf(r, ports.length)] });
    }
    if (r() < 0.05) deps.push({ client, server: external[zipf(r, external.length)], port: 443 });
  }
  for (let i = 0; i < external.length; i += 3)
    deps.push({ client: external[i], server: servers[zipf(r, 20)], port: r() < 0.8 ? 443 : 80 });
  // shuffle (seeded) so that the Zipf choice below does not favour the first clients only
  for (let i = deps.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [deps[i], deps[j]] = [deps[j], deps[i]];
  }
  return deps;
}

const REQUEST_FLAGS = [2, 2, 2, 2, 2, 0, 0, 0, 3, 3];
const REPLY_FLAGS = [18, 18, 18, 18, 18, 0, 0, 0, 19, 19];

/**
 * Writes `records` VPC flow-log records (plus the header line) over one day, in time order. Each
 * record is one direction of a connection of {@link dependencies} (Zipf-chosen: a few heavy
 * conversations, a long tail) in its ENI's aggregation window (1 minute, every 5th ENI 10
 * minutes): requests from an ephemeral port, ~30 % reply records (server → client, SYN-ACK, or no
 * flags and the port heuristic for continuing connections), ~3 % REJECT, 0.1 % NODATA.
 */
export async function generateVpc(
  out: string,
  records: number,
  seed = 1,
  shape: VpcShape = "estate",
): Promise<void> {
  if (shape === "independent") return generateIndependentVpc(out, records, seed);
  const r = prng(seed);
  const deps = dependencies(seed);
  const step = VPC_SPAN / records;
  await writeLines(
    out,
    records,
    (i) => {
      const t = GEN_START + Math.floor(i * step);
      const e = i % 97;
      const eni = `eni-${(1000 + e).toString(16)}`;
      const window = e % 5 === 0 ? 600 : 60;
      const end = t - (t % window) + window;
      if (r() < 0.001) return `3 123456789012 ${eni} - - - - - - - ${t} ${end} - NODATA -`;
      const d = deps[zipf(r, deps.length)];
      const proto = d.port === 53 ? 17 : 6;
      const eph = 32768 + Math.floor(r() * 28000);
      const packets = 1 + Math.floor(r() * 40);
      const bytes = packets * (60 + Math.floor(r() * 1400));
      const action = r() < 0.03 ? "REJECT" : "ACCEPT";
      const reply = action === "ACCEPT" && r() < 0.3;
      const f = Math.floor(r() * 10);
      const flags = proto === 6 ? (reply ? REPLY_FLAGS[f] : REQUEST_FLAGS[f]) : 0;
      return reply
        ? `3 123456789012 ${eni} ${d.server} ${d.client} ${d.port} ${eph} ${proto} ${packets} ${bytes} ${t} ${end} ${action} OK ${flags}`
        : `3 123456789012 ${eni} ${d.client} ${d.server} ${eph} ${d.port} ${proto} ${packets} ${bytes} ${t} ${end} ${action} OK ${flags}`;
    },
    VPC_HEADER,
  );
}

/**
 * The high-cardinality VPC shape: every record draws client, server, port and ephemeral port
 * independently over a week (nearly one hourly group per record).
 */
async function generateIndependentVpc(out: string, records: number, seed: number): Promise<void> {
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

/**
 * A static inventory binding servers to workloads; every 10th address is reused by another
 * workload from 12:20 on the first day (inside an hour, as a pod restart would), inside the VPC
 * records' day and the Hubble flows' week.
 */
export function generateInventoryYaml(): string {
  const { servers } = addresses();
  const mid = new Date((GEN_START + 12 * 3600 + 20 * 60) * 1000).toISOString();
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
  const [kind, out, n, seed, shape] = process.argv.slice(2);
  if (!kind || !out) {
    process.stderr.write(
      "usage: tsx bench/ingest/generate.ts vpc|hubble|inventory OUT [records] [seed] [estate|independent]\n",
    );
    process.exit(2);
  }
  const records = Number(n ?? (kind === "vpc" ? 10_000_000 : 1_200_000));
  if (kind === "vpc") await generateVpc(out, records, Number(seed ?? 1), (shape ?? "estate") as VpcShape);
  else if (kind === "hubble") await generateHubble(out, records, Number(seed ?? 2));
  else {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(out, generateInventoryYaml());
  }
}

if (process.argv[1]?.endsWith("generate.ts")) await main();

/**
 * Shared row helpers for every Store (pure): validation (a bad row fails the whole file), the
 * edge key, summing rows (edges, HTTP, DNS), hour-granular time ranges and sort orders.
 */
import { fail } from "../model/problems.js";
import type {
  HourlyDns,
  HourlyEdge,
  HourlyHttp,
  RawFlow,
  StoredDns,
  StoredEdge,
  StoredHttp,
  TimeRange,
} from "./types.js";

/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;

/** The start of the hour holding `ms` (epoch ms, UTC). */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

function count(n: unknown): boolean {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

/** Throws (MicrosegError `data-missing`… `usage`) when an hourly row cannot be stored. */
export function validateEdge(e: HourlyEdge): void {
  const ok =
    count(e.hour) &&
    e.hour % HOUR_MS === 0 &&
    typeof e.src === "string" &&
    e.src !== "" &&
    typeof e.dst === "string" &&
    e.dst !== "" &&
    typeof e.protocol === "string" &&
    Number.isInteger(e.port) &&
    e.port >= 0 &&
    e.port <= 65535 &&
    typeof e.verdict === "string" &&
    count(e.flows) &&
    count(e.bytes) &&
    count(e.packets) &&
    count(e.firstSeen) &&
    count(e.lastSeen);
  if (!ok) {
    if (tooLarge(e.bytes) || tooLarge(e.packets)) fail("flow-malformed", SUM_PAST_SAFE);
    fail("usage", `store: invalid hourly edge row ${JSON.stringify(e)}`);
  }
}

/**
 * Why a file whose hourly bytes or packets reach 2^53 is refused, on every ingest path: the store
 * hands counts out as JavaScript numbers, exact only below 2^53 (9 PB in one hour of one edge).
 */
export const SUM_PAST_SAFE =
  "the bytes or packets of one hourly edge sum to 2^53 or more, past what the store keeps exactly";

function tooLarge(n: unknown): boolean {
  return typeof n === "number" && n >= 2 ** 53;
}

function hourStart(n: unknown): boolean {
  return count(n) && (n as number) % HOUR_MS === 0;
}

function text(s: unknown): boolean {
  return typeof s === "string" && s !== "";
}

/** Throws when an hourly HTTP row cannot be stored. */
export function validateHttp(h: HourlyHttp): void {
  const ok =
    hourStart(h.hour) && text(h.src) && text(h.dst) && text(h.method) && text(h.path) && count(h.flows);
  if (!ok) fail("usage", `store: invalid hourly HTTP row ${JSON.stringify(h)}`);
}

/** Throws when an hourly DNS row cannot be stored. */
export function validateDns(d: HourlyDns): void {
  const ok = hourStart(d.hour) && text(d.workload) && text(d.name) && count(d.records);
  if (!ok) fail("usage", `store: invalid hourly DNS row ${JSON.stringify(d)}`);
}

/** Throws when a raw flow row cannot be stored. */
export function validateRawFlow(f: RawFlow): void {
  const ok =
    count(f.time) &&
    typeof f.src === "string" &&
    typeof f.dst === "string" &&
    count(f.srcPort) &&
    count(f.dstPort) &&
    count(f.bytes) &&
    count(f.packets) &&
    count(f.line);
  if (!ok) fail("usage", `store: invalid raw flow row ${JSON.stringify(f)}`);
}

/** True when an hourly row falls in the range (hour granularity; see types.ts). */
export function inRange(hour: number, range: TimeRange = {}): boolean {
  if (range.since !== undefined && hour + HOUR_MS - 1 < range.since) return false;
  if (range.until !== undefined && hour >= range.until) return false;
  return true;
}

/** The key under which hourly rows are summed into one stored edge. */
export function edgeKey(e: Pick<StoredEdge, "src" | "dst" | "protocol" | "port" | "verdict">): string {
  return `${e.src}\u0000${e.dst}\u0000${e.protocol}\u0000${e.port}\u0000${e.verdict}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The sort order of `queryEdges`. */
export function compareStoredEdges(a: StoredEdge, b: StoredEdge): number {
  return (
    cmp(a.src, b.src) ||
    cmp(a.dst, b.dst) ||
    cmp(a.protocol, b.protocol) ||
    a.port - b.port ||
    cmp(a.verdict, b.verdict)
  );
}

/** The sort order of `rawFlows`. */
export function compareRawFlows(a: RawFlow, b: RawFlow): number {
  return a.time - b.time || cmp(a.src, b.src) || cmp(a.dst, b.dst) || a.line - b.line;
}

/** Sums hourly rows (in range) into stored edges, sorted. */
export function sumEdges(rows: Iterable<HourlyEdge>, range?: TimeRange): StoredEdge[] {
  const out = new Map<string, StoredEdge>();
  for (const r of rows) {
    if (!inRange(r.hour, range)) continue;
    const k = edgeKey(r);
    const e = out.get(k);
    if (!e) {
      const { hour: _hour, ...rest } = r;
      out.set(k, { ...rest });
      continue;
    }
    e.flows += r.flows;
    e.bytes += r.bytes;
    e.packets += r.packets;
    e.firstSeen = Math.min(e.firstSeen, r.firstSeen);
    e.lastSeen = Math.max(e.lastSeen, r.lastSeen);
  }
  return [...out.values()].sort(compareStoredEdges);
}

/** The sort order of `queryHttp`: src, dst, then path and method (the order of a map edge's `http`). */
export function compareStoredHttp(a: StoredHttp, b: StoredHttp): number {
  return cmp(a.src, b.src) || cmp(a.dst, b.dst) || cmp(a.path, b.path) || cmp(a.method, b.method);
}

/** The sort order of `queryDns`. */
export function compareStoredDns(a: StoredDns, b: StoredDns): number {
  return cmp(a.workload, b.workload) || cmp(a.name, b.name);
}

/** Sums hourly HTTP rows (in range) per src, dst, method, path, sorted. */
export function sumHttp(rows: Iterable<HourlyHttp>, range?: TimeRange): StoredHttp[] {
  const out = new Map<string, StoredHttp>();
  for (const r of rows) {
    if (!inRange(r.hour, range)) continue;
    const k = `${r.src}\u0000${r.dst}\u0000${r.method}\u0000${r.path}`;
    const h = out.get(k);
    if (h) h.flows += r.flows;
    else out.set(k, { src: r.src, dst: r.dst, method: r.method, path: r.path, flows: r.flows });
  }
  return [...out.values()].sort(compareStoredHttp);
}

/** Sums hourly DNS rows (in range) per workload and name, sorted. */
export function sumDns(rows: Iterable<HourlyDns>, range?: TimeRange): StoredDns[] {
  const out = new Map<string, StoredDns>();
  for (const r of rows) {
    if (!inRange(r.hour, range)) continue;
    const k = `${r.workload}\u0000${r.name}`;
    const d = out.get(k);
    if (d) d.records += r.records;
    else out.set(k, { workload: r.workload, name: r.name, records: r.records });
  }
  return [...out.values()].sort(compareStoredDns);
}

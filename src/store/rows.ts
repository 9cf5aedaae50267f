/**
 * Shared row helpers for every Store (pure): validation (a bad row fails the whole file), the
 * edge key, summing rows, hour-granular time ranges and sort orders.
 */
import { fail } from "../model/problems.js";
import type { HourlyEdge, RawFlow, StoredEdge, TimeRange } from "./types.js";

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
  if (!ok) fail("usage", `store: invalid hourly edge row ${JSON.stringify(e)}`);
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

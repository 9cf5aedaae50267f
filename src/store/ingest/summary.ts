/**
 * What an ingest run reports: per file (ingested or skipped as already present), records by
 * format, verdicts, what the record rules did, unresolved addresses, skipped lines with the
 * first locations.
 */
import { type AggregateCounts, emptyCounts } from "../aggregate.js";

export { emptyCounts };

/** One input file's outcome. */
export interface IngestFileReport {
  file: string;
  format: string;
  hash: string;
  status: "ingested" | "skipped";
  /** `bulk` when DuckDB read the file itself, `stream` for the streaming parsers. */
  via?: "bulk" | "stream";
  records: number;
  bytes: number;
}

/** A skipped line (malformed or ignored) with its location. */
export interface SkippedLine {
  file: string;
  line: number;
  kind: "malformed" | "ignored";
  reason: string;
}

/** The whole run. */
export interface IngestSummary {
  files: IngestFileReport[];
  recordsByFormat: Record<string, number>;
  counts: AggregateCounts;
  /** Distinct addresses that resolved to no workload, by the peer id they became. */
  unresolvedAddresses: number;
  unresolvedByPeer: Record<string, number>;
  malformedLines: number;
  ignoredLines: number;
  /** The first skipped lines (up to 20), in input order. */
  firstSkipped: SkippedLine[];
}

/** Adds `b` into `a`. */
export function addCounts(a: AggregateCounts, b: AggregateCounts): void {
  for (const k of Object.keys(b) as (keyof AggregateCounts)[]) {
    if (k === "byVerdict") {
      for (const [v, n] of Object.entries(b.byVerdict)) a.byVerdict[v] = (a.byVerdict[v] ?? 0) + n;
    } else a[k] += b[k];
  }
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

/** Human-readable summary lines (stderr). */
export function formatIngestSummary(s: IngestSummary): string[] {
  const ingested = s.files.filter((f) => f.status === "ingested");
  const skipped = s.files.filter((f) => f.status === "skipped");
  const out = [
    `ingest: ${ingested.length} file(s) ingested, ${skipped.length} skipped (already in the store)`,
  ];
  for (const f of skipped)
    out.push(`  skipped ${f.file} (same content ingested before, ${shortHash(f.hash)})`);
  const byFormat = Object.entries(sortKeys(s.recordsByFormat)).map(([k, v]) => `${k} ${v}`);
  out.push(`  records: ${s.counts.records}${byFormat.length ? ` (${byFormat.join(", ")})` : ""}`);
  const verdicts = Object.entries(sortKeys(s.counts.byVerdict)).map(([k, v]) => `${k} ${v}`);
  if (verdicts.length) out.push(`  verdicts: ${verdicts.join(", ")}`);
  const c = s.counts;
  out.push(
    `  edges from ${c.edgeRecords} requests, ${c.droppedRecords} dropped; skipped ${c.repliesSkipped} replies, ${c.samePodSkipped} same-pod, ${c.noPort} without port, ${c.otherVerdict} other verdicts, ${c.selfPeerSkipped} peer-to-itself`,
  );
  const peers = Object.entries(sortKeys(s.unresolvedByPeer)).map(([k, v]) => `${k} ${v}`);
  out.push(
    `  unresolved addresses: ${s.unresolvedAddresses}${peers.length ? ` (${peers.slice(0, 10).join(", ")}${peers.length > 10 ? ", …" : ""})` : ""}`,
  );
  out.push(`  skipped lines: ${s.malformedLines} malformed, ${s.ignoredLines} ignored`);
  for (const l of s.firstSkipped.slice(0, 10)) out.push(`    ${l.file}:${l.line}: ${l.kind}: ${l.reason}`);
  return out;
}

/** A hash as the summary shows it: `xxh128:` and 12 hex digits, or `sha256:` for bare hex. */
function shortHash(hash: string): string {
  const at = hash.indexOf(":");
  return at < 0 ? `sha256:${hash.slice(0, 12)}` : hash.slice(0, at + 13);
}

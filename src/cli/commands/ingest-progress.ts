/**
 * The ingest progress bar on stderr (only when stderr is a terminal): bytes done of the total,
 * records/s, MB/s and ETA from the input files' sizes. Redrawn at most 5 times a second.
 */
import type { IngestProgress } from "../../store/ingest/pipeline.js";

/** Formats a byte count (`1.2 GB`). */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return "--:--";
  const t = Math.max(0, Math.round(s));
  const m = Math.floor(t / 60);
  return `${m}:${String(t % 60).padStart(2, "0")}`;
}

/** One line of the bar (pure; tests call it with fixed times). */
export function progressLine(p: IngestProgress, elapsedMs: number, width = 24): string {
  const frac = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 0;
  const filled = Math.round(frac * width);
  const secs = Math.max(elapsedMs / 1000, 1e-3);
  const rate = p.bytesDone / secs;
  const eta = rate > 0 ? (p.bytesTotal - p.bytesDone) / rate : Number.POSITIVE_INFINITY;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)} ${Math.round(p.records / secs)} rec/s ${formatBytes(rate)}/s ETA ${formatDuration(eta)}`;
}

/** A progress reporter: `update` redraws (throttled), `done` clears the line. No output when not a TTY. */
export function createProgressBar(o: { isTty: boolean; write: (s: string) => void; now?: () => number }): {
  update: (p: IngestProgress) => void;
  done: () => void;
} {
  const now = o.now ?? Date.now;
  const start = now();
  let last = 0;
  let drawn = false;
  return {
    update: (p) => {
      if (!o.isTty) return;
      const t = now();
      if (t - last < 200 && p.bytesDone < p.bytesTotal) return;
      last = t;
      drawn = true;
      o.write(`\r\x1b[2K${progressLine(p, t - start)}`);
    },
    done: () => {
      if (o.isTty && drawn) o.write("\r\x1b[2K");
    },
  };
}

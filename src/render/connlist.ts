/**
 * Connectivity renderers in the netpol-analyzer forms: `src => dst : conns` lines (txt), a JSON
 * array of `{src, dst, conn}` with the same strings, CSV and Markdown tables. With a focus
 * connection the listing is of pairs only: txt gets the header `Permitted connections on TCP 80:`
 * and no ` : conns`, JSON objects no `conn`, tables no `conn` column.
 */
import type { ConnectivityPair } from "../analysis/connectivity/connectivity.js";

/** Options shared by the connlist renderers. */
export interface ConnlistRenderOptions {
  /** The focus connection as `TCP 80`: pairs only, under a header (txt). */
  focusConn?: string;
}

/** One line per pair: `src => dst : conns`, newline-terminated (empty string for no pairs). */
export function renderConnlistTxt(pairs: readonly ConnectivityPair[], o: ConnlistRenderOptions = {}): string {
  if (o.focusConn !== undefined) {
    if (pairs.length === 0) return "";
    const lines = pairs.map((p) => `${p.src} => ${p.dst}\n`);
    return `Permitted connections on ${o.focusConn}:\n${lines.join("")}`;
  }
  return pairs.map((p) => `${p.src} => ${p.dst} : ${p.conns.toString()}\n`).join("");
}

/** A JSON array of `{src, dst, conn}` (no `conn` with a focus connection), two-space indented. */
export function renderConnlistJson(
  pairs: readonly ConnectivityPair[],
  o: ConnlistRenderOptions = {},
): string {
  const rows = pairs.map((p) =>
    o.focusConn !== undefined
      ? { src: p.src, dst: p.dst }
      : { src: p.src, dst: p.dst, conn: p.conns.toString() },
  );
  return `${JSON.stringify(rows, null, 2)}\n`;
}

function tableRows(pairs: readonly ConnectivityPair[], o: ConnlistRenderOptions): string[][] {
  const head = o.focusConn !== undefined ? ["src", "dst"] : ["src", "dst", "conn"];
  const rows = pairs.map((p) =>
    o.focusConn !== undefined ? [p.src, p.dst] : [p.src, p.dst, p.conns.toString()],
  );
  return [head, ...rows];
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with the header `src,dst,conn` (fields with commas are quoted, RFC 4180). */
export function renderConnlistCsv(pairs: readonly ConnectivityPair[], o: ConnlistRenderOptions = {}): string {
  return tableRows(pairs, o)
    .map((r) => `${r.map(csvField).join(",")}\n`)
    .join("");
}

/** A Markdown table `| src | dst | conn |`. */
export function renderConnlistMd(pairs: readonly ConnectivityPair[], o: ConnlistRenderOptions = {}): string {
  const [head, ...rows] = tableRows(pairs, o);
  const line = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |\n`;
  const rule = `|${head.map((h) => "-".repeat(h.length + 2)).join("|")}|\n`;
  return line(head) + rule + rows.map(line).join("");
}

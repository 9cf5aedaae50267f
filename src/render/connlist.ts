/**
 * Connectivity renderers in the netpol-analyzer forms: `src => dst : conns` lines (txt) and a
 * JSON array of `{src, dst, conn}` with the same strings.
 */
import type { ConnectivityPair } from "../analysis/connectivity/connectivity.js";

/** One line per pair: `src => dst : conns`, newline-terminated (empty string for no pairs). */
export function renderConnlistTxt(pairs: readonly ConnectivityPair[]): string {
  return pairs.map((p) => `${p.src} => ${p.dst} : ${p.conns.toString()}\n`).join("");
}

/** A JSON array of `{src, dst, conn}`, two-space indented, newline-terminated. */
export function renderConnlistJson(pairs: readonly ConnectivityPair[]): string {
  const rows = pairs.map((p) => ({ src: p.src, dst: p.dst, conn: p.conns.toString() }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

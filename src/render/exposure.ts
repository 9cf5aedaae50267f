/**
 * Exposure renderers in netpol-analyzer's forms. Text: the connectivity listing, then
 * `Exposure Analysis Result:` with `Egress Exposure:` (`w \t=> \tpeer : conns`) and
 * `Ingress Exposure:` (`w \t<= \tpeer : conns`) sections, workload names padded to one width, and
 * `Workloads not protected by network policies:`. JSON: `{connlist_results, exposure_results:
 * {egress_exposure, ingress_exposure}}` (empty lists are null). With a focus connection, lines
 * carry no connections and the headers/keys name the connection. A workload's lines include its
 * connections with external address ranges from the listing.
 */
import type { ConnectivityPair } from "../analysis/connectivity/connectivity.js";
import { ENTIRE_CLUSTER, type WorkloadExposure } from "../analysis/exposure/exposure.js";
import type { Protocol } from "../model/ports.js";

/** A focus connection (`--focus-conn tcp-8080`). */
export interface FocusConn {
  protocol: Protocol;
  port: number;
}

/** What the exposure renderers read. */
export interface ExposureView {
  /** The (focus-filtered) connectivity listing. */
  pairs: readonly ConnectivityPair[];
  /** Every workload's exposure. */
  exposures: readonly WorkloadExposure[];
  /** Which directions of which workloads are shown (focus workload/direction); default all. */
  include?: (workload: string, direction: "ingress" | "egress") => boolean;
  focusConn?: FocusConn;
  /** True when a name is an external address range (`…[External]`). */
  isExternal?: (name: string) => boolean;
}

/** One exposure line. */
export interface ExposureLine {
  src: string;
  dst: string;
  /** Absent with a focus connection. */
  conn?: string;
}

/** The rendered sections. */
export interface ExposureLines {
  egress: ExposureLine[];
  ingress: ExposureLine[];
  unprotected: string[];
}

const external = (name: string) => name.endsWith("[External]");

function byKeys(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Computes the exposure lines (sorted: egress by workload then peer, ingress by workload then peer). */
export function exposureLines(v: ExposureView): ExposureLines {
  const include = v.include ?? (() => true);
  const isExt = v.isExternal ?? external;
  const fc = v.focusConn;
  const connText = (has: (p: Protocol, n: number) => boolean, text: string) =>
    fc ? (has(fc.protocol, fc.port) ? "" : undefined) : text;
  const out: ExposureLines = { egress: [], ingress: [], unprotected: [] };
  for (const w of v.exposures) {
    const dirs = (["egress", "ingress"] as const).filter((d) => {
      const e = w[d];
      return include(w.name, d) && (!e.protected || e.items.length > 0);
    });
    if (dirs.length === 0) continue;
    for (const d of ["egress", "ingress"] as const) {
      const e = w[d];
      const lines = out[d];
      const push = (peer: string, conn: string | undefined) => {
        if (conn === undefined) return;
        const line: ExposureLine = d === "egress" ? { src: w.name, dst: peer } : { src: peer, dst: w.name };
        if (!fc) line.conn = conn;
        lines.push(line);
      };
      if (dirs.includes(d)) {
        if (!e.protected) {
          push(ENTIRE_CLUSTER, fc ? "" : "All Connections");
          if (!fc)
            out.unprotected.push(`${w.name} is not protected on ${d === "egress" ? "Egress" : "Ingress"}`);
        } else {
          // with a focus connection, a representative is shown when it differs from the entire
          // cluster on that connection
          const cluster = e.items.find((it) => it.peer === ENTIRE_CLUSTER);
          const clusterHas = !!fc && !!cluster && cluster.conns.has(fc.protocol, fc.port);
          for (const it of e.items) {
            if (fc && it !== cluster && clusterHas) continue;
            push(
              it.peer,
              connText((p, n) => it.conns.has(p, n), it.conns.toString()),
            );
          }
        }
      }
      for (const p of v.pairs) {
        const mine = d === "egress" ? p.src === w.name && isExt(p.dst) : p.dst === w.name && isExt(p.src);
        if (mine)
          push(
            d === "egress" ? p.dst : p.src,
            connText((q, n) => p.conns.has(q, n), p.conns.toString()),
          );
      }
    }
  }
  out.egress.sort((a, b) => byKeys([a.src, a.dst], [b.src, b.dst]));
  out.ingress.sort((a, b) => byKeys([a.dst, a.src], [b.dst, b.src]));
  out.unprotected.sort();
  return out;
}

function focusName(fc: FocusConn): string {
  return `${fc.protocol} ${fc.port}`;
}

/** The exposure section of the text form (after the listing). */
export function renderExposureSectionTxt(v: ExposureView): string {
  const l = exposureLines(v);
  const width = Math.max(0, ...l.egress.map((x) => x.src.length), ...l.ingress.map((x) => x.dst.length));
  const row = (w: string, arrow: string, peer: string, conn?: string) =>
    `${w.padEnd(width)} \t${arrow} \t${peer}${conn === undefined ? "" : ` : ${conn}`}`;
  const sections: string[] = [];
  if (l.egress.length > 0)
    sections.push(["Egress Exposure:", ...l.egress.map((x) => row(x.src, "=>", x.dst, x.conn))].join("\n"));
  if (l.ingress.length > 0)
    sections.push(["Ingress Exposure:", ...l.ingress.map((x) => row(x.dst, "<=", x.src, x.conn))].join("\n"));
  if (l.unprotected.length > 0)
    sections.push(["Workloads not protected by network policies:", ...l.unprotected].join("\n"));
  const header = v.focusConn
    ? `Exposure Analysis Result On ${focusName(v.focusConn)}:`
    : "Exposure Analysis Result:";
  return `${header}\n${sections.map((s) => `${s}\n`).join("\n")}`;
}

/**
 * The whole text form: `listing` (the rendered connectivity listing, possibly empty), a blank line
 * when it is not empty, then the exposure section.
 */
export function renderExposureTxt(v: ExposureView, listing: string): string {
  const head = listing === "" ? "" : `${listing.endsWith("\n") ? listing : `${listing}\n`}\n`;
  return head + renderExposureSectionTxt(v);
}

/** The JSON form (two-space indented, newline-terminated). */
export function renderExposureJson(v: ExposureView): string {
  const l = exposureLines(v);
  const rows = v.pairs.map((p) =>
    v.focusConn ? { src: p.src, dst: p.dst } : { src: p.src, dst: p.dst, conn: p.conns.toString() },
  );
  // netpol-analyzer prints an empty list as null, but as [] once a focus connection filtered it
  const orNull = (x: ExposureLine[]) => (x.length === 0 && !v.focusConn ? null : x);
  const exposure = { egress_exposure: orNull(l.egress), ingress_exposure: orNull(l.ingress) };
  const doc = v.focusConn
    ? { connlist_conn_focus_results: rows, exposure_conn_focus_results: exposure }
    : { connlist_results: rows, exposure_results: exposure };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

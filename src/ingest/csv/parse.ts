/**
 * Plain CSV flows with a header line (README "Flow formats" documents the columns): any tool's
 * export can be fed in by naming its columns. Required: `src_ip` and `dst_ip` (or `src_workload` /
 * `dst_workload`); optional: `time`, `src_port`, `dst_port`, `protocol`, `verdict`, `bytes`,
 * `packets`, `src_workload`, `dst_workload`, `src_namespace`, `dst_namespace`, `src_labels`,
 * `dst_labels`, `direction`, `is_reply`, `drop_reason`, `http_method`, `http_path`, `http_status`.
 * Column names are matched case-insensitively; unknown columns are ignored; fields follow RFC 4180
 * quoting (`"a,b"`, `""` for a quote) on one line.
 */
import type { Flow, FlowEndpoint, FlowVerdict, SourceIdentity } from "../../model/flow.js";
import { countOf, normaliseProtocol, portOf } from "../common.js";
import { parseRfc3339, pathOfUrl } from "../hubble/parse.js";
import { type FlowFormat, type FlowParseResult, type FlowParser, malformed } from "../types.js";

/** The format name `--format` takes. */
export const CSV_FORMAT_NAME = "csv";

/** The documented columns. */
export const CSV_COLUMNS = [
  "time",
  "src_ip",
  "src_port",
  "dst_ip",
  "dst_port",
  "protocol",
  "verdict",
  "bytes",
  "packets",
  "src_workload",
  "dst_workload",
  "src_namespace",
  "dst_namespace",
  "src_labels",
  "dst_labels",
  "direction",
  "is_reply",
  "drop_reason",
  "http_method",
  "http_path",
  "http_status",
] as const;

type Column = (typeof CSV_COLUMNS)[number];

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields). */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          v += line.slice(i);
          i = line.length;
          break;
        }
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      const comma = line.indexOf(",", i);
      if (comma < 0) return out;
      i = comma + 1;
    } else {
      const comma = line.indexOf(",", i);
      out.push(line.slice(i, comma < 0 ? undefined : comma));
      if (comma < 0) return out;
      i = comma + 1;
    }
  }
}

/** Verdict words → verdicts. */
export function csvVerdict(v: string | undefined): FlowVerdict {
  switch ((v ?? "").toLowerCase()) {
    case "forwarded":
    case "allow":
    case "allowed":
    case "accept":
    case "accepted":
    case "pass":
      return "forwarded";
    case "dropped":
    case "drop":
    case "deny":
    case "denied":
    case "reject":
    case "rejected":
    case "block":
    case "blocked":
      return "dropped";
    case "audit":
      return "audit";
    default:
      return "unknown";
  }
}

/** RFC 3339, or epoch seconds (up to 11 digits before a fraction), or epoch milliseconds. */
function timeOf(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    return v.split(".")[0].length <= 11 ? Math.round(n * 1000) : Math.round(n);
  }
  return parseRfc3339(v);
}

/** `k=v;k2=v2` (also `k=v,k2=v2` inside quotes) → labels. */
function labelsOf(v: string | undefined): Record<string, string> | undefined {
  if (!v) return undefined;
  const out: Record<string, string> = {};
  for (const part of v.split(/[;,]/)) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

type Get = (c: Column) => string | undefined;

function endpoint(get: Get, side: "src" | "dst"): FlowEndpoint {
  const ep: FlowEndpoint = {};
  const ip = get(`${side}_ip`);
  if (ip) ep.ip = ip;
  const port = portOf(get(`${side}_port`));
  if (port !== undefined) ep.port = port;
  const id: SourceIdentity = {};
  const workload = get(`${side}_workload`);
  const ns = get(`${side}_namespace`);
  if (workload) {
    const slash = workload.indexOf("/");
    if (slash > 0) {
      id.namespace = workload.slice(0, slash);
      id.workloadName = workload.slice(slash + 1);
    } else id.workloadName = workload;
  }
  if (ns) id.namespace = ns;
  const labels = labelsOf(get(`${side}_labels`));
  if (labels) id.labels = labels;
  if (id.namespace && !id.workloadName && !id.labels) delete id.namespace;
  if (Object.keys(id).length > 0) ep.identity = id;
  return ep;
}

/** Converts one data row (by column name) into a Flow. */
function convertRow(get: Get, origin: Flow["origin"]): FlowParseResult {
  const src = endpoint(get, "src");
  const dst = endpoint(get, "dst");
  if (!src.ip && !src.identity) return malformed("a row needs src_ip or src_workload");
  if (!dst.ip && !dst.identity) return malformed("a row needs dst_ip or dst_workload");
  const rawVerdict = get("verdict");
  const flow: Flow = {
    src,
    dst,
    protocol: normaliseProtocol(get("protocol") ?? "TCP"),
    verdict: rawVerdict ? csvVerdict(rawVerdict) : "forwarded",
    origin,
  };
  if (rawVerdict) flow.rawVerdict = rawVerdict;
  const timeText = get("time");
  const time = timeOf(timeText);
  if (timeText && time === undefined)
    return malformed(`time must be RFC 3339 or epoch seconds/ms, found "${timeText}"`);
  if (time !== undefined) flow.time = time;
  const bytes = countOf(get("bytes"));
  const packets = countOf(get("packets"));
  if (bytes !== undefined) flow.bytes = bytes;
  if (packets !== undefined) flow.packets = packets;
  const direction = get("direction")?.toLowerCase();
  if (direction === "ingress" || direction === "egress") flow.direction = direction;
  const isReply = get("is_reply")?.toLowerCase();
  if (isReply === "true" || isReply === "false") flow.isReply = isReply === "true";
  const reason = get("drop_reason");
  if (reason && flow.verdict === "dropped") flow.dropReason = reason;
  const method = get("http_method");
  if (method) {
    flow.http = { method: method.toUpperCase(), path: pathOfUrl(get("http_path") ?? "/") };
    const status = countOf(get("http_status"));
    if (status) flow.http.status = status;
  }
  return flow;
}

/** Reads a header line: the column of each documented name (undefined when it is no header). */
function readHeader(line: string): Map<string, number> | undefined {
  const names = splitCsvLine(line).map((n) => n.trim().toLowerCase());
  const has = (n: string) => names.includes(n);
  if (!((has("src_ip") || has("src_workload")) && (has("dst_ip") || has("dst_workload")))) return undefined;
  return new Map(names.map((n, i) => [n, i]));
}

/** A CSV parser for one file: the first non-blank line is the header. */
class CsvParser implements FlowParser {
  private columns: Map<string, number> | undefined;
  private width = 0;

  constructor(private readonly file: string) {}

  parse(line: string, lineNo: number): FlowParseResult {
    if (!line.trim() || line.startsWith("#")) return null;
    if (!this.columns) {
      this.columns = readHeader(line);
      this.width = this.columns?.size ?? 0;
      return this.columns
        ? null
        : malformed(
            "the first line must be a header naming src_ip (or src_workload) and dst_ip (or dst_workload)",
          );
    }
    const cols = splitCsvLine(line);
    if (cols.length !== this.width)
      return malformed(`expected ${this.width} columns (header), found ${cols.length}`);
    const map = this.columns;
    const get: Get = (c) => {
      const i = map.get(c);
      const v = i === undefined ? undefined : cols[i].trim();
      return v === "" || v === "-" ? undefined : v;
    };
    return convertRow(get, { format: CSV_FORMAT_NAME, file: this.file, line: lineNo });
  }
}

/** The plain CSV format. */
export const csvFormat: FlowFormat = {
  name: CSV_FORMAT_NAME,
  description: "plain CSV with a header line (time,src_ip,src_port,dst_ip,dst_port,protocol,verdict,…)",
  detect(firstLines) {
    const first = firstLines.map((l) => l.trim()).find((l) => l.length > 0 && !l.startsWith("#"));
    return first && readHeader(first) ? 1 : 0;
  },
  createParser(file) {
    return new CsvParser(file);
  },
};

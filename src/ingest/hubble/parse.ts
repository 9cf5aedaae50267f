/**
 * Cilium Hubble flows: JSON lines as printed by `hubble observe -o json|jsonpb` and written by the
 * Hubble exporter (`{"flow":{…},"node_name","time"}`), or one bare Flow object per line. Old
 * (pre-1.13: `reply`, `drop_reason`) and new (`is_reply`, `drop_reason_desc`, `workloads`) schemas;
 * proto names or lowerCamel names; enums as strings or numbers.
 */
import type { DnsInfo, Flow, FlowEndpoint, FlowVerdict, HttpInfo } from "../../model/flow.js";
import { type FlowFormat, type FlowParseResult, type FlowParser, ignored, malformed } from "../types.js";
import { field, parseHubbleEndpoint } from "./endpoint.js";

/** The format name `--format` takes. */
export const HUBBLE_FORMAT_NAME = "hubble";

type Obj = Record<string, unknown>;

/** Hubble's Verdict enum by number (flow.proto). */
const VERDICT_NAMES = [
  "VERDICT_UNKNOWN",
  "FORWARDED",
  "DROPPED",
  "ERROR",
  "AUDIT",
  "REDIRECTED",
  "TRACED",
  "TRANSLATED",
];

/** Maps a Hubble verdict (string or number) to DESIGN's verdicts and the raw name. */
export function mapHubbleVerdict(v: unknown): { verdict: FlowVerdict; raw: string } {
  const raw = typeof v === "number" ? (VERDICT_NAMES[v] ?? String(v)) : String(v ?? "VERDICT_UNKNOWN");
  switch (raw) {
    case "FORWARDED":
    case "REDIRECTED":
      return { verdict: "forwarded", raw };
    case "DROPPED":
      return { verdict: "dropped", raw };
    case "AUDIT":
      return { verdict: "audit", raw };
    default:
      return { verdict: "unknown", raw };
  }
}

/** RFC 3339 with up to nanoseconds → epoch ms (undefined when absent or invalid). */
export function parseRfc3339(s: unknown): number | undefined {
  if (typeof s !== "string" || !s) return undefined;
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)$/i.exec(s);
  const norm = m ? `${m[1]}.${(m[2] ?? "").padEnd(3, "0").slice(0, 3)}${m[3]}` : s;
  const ms = Date.parse(norm);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The L4 part: protocol name, ports and TCP flags. */
interface L4Facts {
  protocol: string;
  srcPort?: number;
  dstPort?: number;
  tcpFlags?: string[];
}

const L4_NAMES: Readonly<Record<string, string>> = {
  TCP: "TCP",
  UDP: "UDP",
  SCTP: "SCTP",
  ICMPv4: "ICMP",
  ICMPv6: "ICMPv6",
};

function port(v: unknown): number | undefined {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 && n <= 65535 ? n : undefined;
}

function readL4(l4: unknown): L4Facts {
  if (!l4 || typeof l4 !== "object") return { protocol: "unknown" };
  const [key, value] = Object.entries(l4 as Obj)[0] ?? [];
  if (!key) return { protocol: "unknown" };
  const v = (value ?? {}) as Obj;
  const facts: L4Facts = { protocol: L4_NAMES[key] ?? key.toUpperCase() };
  const sp = port(field(v, "source_port"));
  const dp = port(field(v, "destination_port"));
  if (sp !== undefined) facts.srcPort = sp;
  if (dp !== undefined) facts.dstPort = dp;
  const flags = v.flags as Obj | undefined;
  if (flags && typeof flags === "object") {
    const set = Object.keys(flags).filter((k) => flags[k] === true);
    if (set.length > 0) facts.tcpFlags = set.sort();
  }
  return facts;
}

/** The path of an HTTP URL without query string or fragment. */
export function pathOfUrl(url: string): string {
  let rest = url;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const cut = rest.search(/[?#]/);
  if (cut >= 0) rest = rest.slice(0, cut);
  return rest.startsWith("/") ? rest : `/${rest}`;
}

function readHttp(h: Obj): HttpInfo | undefined {
  const method = typeof h.method === "string" ? h.method.toUpperCase() : "";
  const url = typeof h.url === "string" ? h.url : "";
  if (!method && !url) return undefined;
  const info: HttpInfo = { method, path: pathOfUrl(url) };
  const code = Number(h.code);
  if (Number.isInteger(code) && code > 0) info.status = code;
  const host = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(url);
  if (host) info.host = host[1];
  return info;
}

function readDns(d: Obj): DnsInfo | undefined {
  if (typeof d.query !== "string" || !d.query) return undefined;
  const info: DnsInfo = { query: d.query.replace(/\.$/, "") };
  const rcode = Number(d.rcode);
  if (Number.isInteger(rcode) && d.rcode !== undefined) info.rcode = rcode;
  if (Array.isArray(d.ips) && d.ips.length > 0) info.ips = d.ips.map(String);
  return info;
}

function readL7(l7: unknown): { http?: HttpInfo; dns?: DnsInfo } {
  if (!l7 || typeof l7 !== "object") return {};
  const o = l7 as Obj;
  const out: { http?: HttpInfo; dns?: DnsInfo } = {};
  const http = o.http && typeof o.http === "object" ? readHttp(o.http as Obj) : undefined;
  const dns = o.dns && typeof o.dns === "object" ? readDns(o.dns as Obj) : undefined;
  if (http) out.http = http;
  if (dns) out.dns = dns;
  return out;
}

/** `is_reply` when present (authoritative); else legacy `reply: true`; else unknown. */
function readIsReply(flow: Obj): boolean | undefined {
  const isReply = field(flow, "is_reply");
  if (typeof isReply === "boolean") return isReply;
  if (isReply && typeof isReply === "object" && "value" in isReply) return Boolean((isReply as Obj).value);
  return flow.reply === true ? true : undefined;
}

function readDirection(flow: Obj): "ingress" | "egress" | undefined {
  const d = field(flow, "traffic_direction");
  if (d === "INGRESS" || d === 1) return "ingress";
  if (d === "EGRESS" || d === 2) return "egress";
  return undefined;
}

function readDropReason(flow: Obj): string | undefined {
  const desc = field(flow, "drop_reason_desc");
  if (typeof desc === "string" && desc && desc !== "DROP_REASON_UNKNOWN") return desc;
  const code = Number(field(flow, "drop_reason"));
  return Number.isInteger(code) && code > 0 ? `drop reason ${code}` : undefined;
}

function endpoint(ip: unknown, p: number | undefined, ep: unknown, names: unknown): FlowEndpoint {
  const out: FlowEndpoint = {};
  if (typeof ip === "string" && ip) out.ip = ip;
  if (p !== undefined) out.port = p;
  const identity = parseHubbleEndpoint(ep, names);
  if (identity) out.identity = identity;
  return out;
}

/** Converts one Hubble Flow object into a Flow. */
export function convertHubbleFlow(flow: Obj, origin: Flow["origin"], envelopeTime?: unknown): Flow {
  const ip = (flow.IP ?? flow.ip ?? {}) as Obj;
  const l4 = readL4(flow.l4);
  const { verdict, raw } = mapHubbleVerdict(flow.verdict);
  const out: Flow = {
    src: endpoint(ip.source, l4.srcPort, flow.source, field(flow, "source_names")),
    dst: endpoint(ip.destination, l4.dstPort, flow.destination, field(flow, "destination_names")),
    protocol: l4.protocol,
    verdict,
    rawVerdict: raw,
    origin,
  };
  const time = parseRfc3339(flow.time) ?? parseRfc3339(envelopeTime);
  if (time !== undefined) out.time = time;
  const isReply = readIsReply(flow);
  if (isReply !== undefined) out.isReply = isReply;
  const direction = readDirection(flow);
  if (direction) out.direction = direction;
  if (l4.tcpFlags) out.tcpFlags = l4.tcpFlags;
  const { http, dns } = readL7(flow.l7);
  if (http) out.http = http;
  if (dns) out.dns = dns;
  const dropReason = verdict === "dropped" ? readDropReason(flow) : undefined;
  if (dropReason) out.dropReason = dropReason;
  return out;
}

/** Top-level keys of GetFlowsResponse records that carry no flow. */
const NON_FLOW_RECORDS = [
  "node_status",
  "lost_events",
  "nodeStatus",
  "lostEvents",
  "agent_event",
  "debug_event",
];

/** True when an object looks like a bare Hubble Flow. */
function looksLikeBareFlow(o: Obj): boolean {
  return "verdict" in o || "IP" in o || ("source" in o && "destination" in o && ("l4" in o || "Type" in o));
}

/** Parses one Hubble line (no per-file state is needed: every line is one whole record). */
export function parseHubbleLine(line: string, file: string, lineNo: number): FlowParseResult {
  const text = line.trim();
  if (!text) return null;
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch {
    return malformed(`expected a JSON object, found ${JSON.stringify(text.slice(0, 40))}`);
  }
  if (!rec || typeof rec !== "object" || Array.isArray(rec)) {
    return malformed(`expected a JSON object, found ${Array.isArray(rec) ? "an array" : typeof rec}`);
  }
  const o = rec as Obj;
  const origin = { format: HUBBLE_FORMAT_NAME, file, line: lineNo };
  if (o.flow && typeof o.flow === "object") return convertHubbleFlow(o.flow as Obj, origin, o.time);
  const other = NON_FLOW_RECORDS.find((k) => k in o);
  if (other) return ignored(`${other} record`);
  if (looksLikeBareFlow(o)) return convertHubbleFlow(o, origin);
  return malformed(
    `expected a Hubble record with "flow", found keys ${Object.keys(o).slice(0, 5).join(", ") || "none"}`,
  );
}

/** How sure we are that one line is a Hubble record: 1 yes, 0 no. */
function hubbleLineScore(line: string): number {
  try {
    const o = JSON.parse(line) as Obj;
    if (!o || typeof o !== "object" || Array.isArray(o)) return 0;
    if (o.flow && typeof o.flow === "object") return 1;
    if (NON_FLOW_RECORDS.some((k) => k in o)) return 1;
    return looksLikeBareFlow(o) ? 0.9 : 0;
  } catch {
    return 0;
  }
}

/** The Hubble flow format. */
export const hubbleFormat: FlowFormat = {
  name: HUBBLE_FORMAT_NAME,
  description: "Cilium Hubble JSON lines (hubble observe -o json|jsonpb, Hubble exporter files)",
  detect(firstLines) {
    const lines = firstLines.map((l) => l.trim()).filter((l) => l.length > 0);
    if (lines.length === 0) return 0;
    return lines.reduce((sum, l) => sum + hubbleLineScore(l), 0) / lines.length;
  },
  createParser(file): FlowParser {
    return { parse: (line, lineNo) => parseHubbleLine(line, file, lineNo) };
  },
};

/**
 * Zeek conn.log: the TSV form (columns from the `#fields` header; `#separator`, `#unset_field` and
 * `#empty_field` honoured) and the JSON form (`LogAscii::use_json`, same field names; `ts` as epoch
 * seconds or ISO 8601). One record is one connection seen by a passive monitor, from its originator.
 *
 * Verdicts (Zeek sees traffic, it enforces nothing): a connection the responder answered is
 * forwarded (SF, S1, S2, S3, RSTO, RSTR, RSTRH, SHR, OTH); REJ (the SYN was answered by a RST) is
 * dropped with that reason; a TCP connection nobody answered (S0, SH, RSTOS0) is unknown — the
 * packet may have been dropped on the way — while UDP/ICMP S0 (one-way datagrams) is forwarded.
 * Direction: the originator is the client (`isReply: false`), except OTH (midstream, the originator
 * is a guess), where the port rule of src/graph/direction.ts decides.
 */
import type { Flow, FlowVerdict } from "../../model/flow.js";
import { countOf, ianaProtocolName, normaliseProtocol, parseJsonObject, portOf } from "../common.js";
import { parseRfc3339 } from "../hubble/parse.js";
import { type FlowFormat, type FlowParseResult, type FlowParser, malformed } from "../types.js";

/** The format name `--format` takes. */
export const ZEEK_CONN_FORMAT_NAME = "zeek-conn";

type Get = (field: string) => string | number | undefined;

const ANSWERED = new Set(["SF", "S1", "S2", "S3", "RSTO", "RSTR", "RSTRH", "SHR", "OTH"]);

/** The verdict of a connection state (see the module comment). */
export function zeekVerdict(
  state: string | undefined,
  protocol: string,
): { verdict: FlowVerdict; reason?: string } {
  if (!state) return { verdict: "unknown" };
  if (ANSWERED.has(state)) return { verdict: "forwarded" };
  if (state === "REJ") return { verdict: "dropped", reason: "REJ: connection attempt rejected (RST)" };
  if (state === "S0" && protocol !== "TCP") return { verdict: "forwarded" };
  return { verdict: "unknown" };
}

/** The epoch ms of a `ts` value (seconds with a fraction, or ISO 8601), undefined when masked or unset. */
function tsOf(v: string | number | undefined): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? Math.round(v * 1000) : undefined;
  if (v === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  return parseRfc3339(v);
}

/** Converts one record (by field name) into a Flow. */
export function convertZeekRecord(get: Get, origin: Flow["origin"]): FlowParseResult {
  const ts = get("ts");
  const time = tsOf(ts);
  if (time === undefined)
    return malformed(`ts must be epoch seconds, found ${JSON.stringify(ts ?? "(unset)")} (masked or unset)`);
  const orig = get("id.orig_h");
  const resp = get("id.resp_h");
  if (typeof orig !== "string" || typeof resp !== "string")
    return malformed("a conn record needs id.orig_h and id.resp_h");
  const ipProto = countOf(get("ip_proto"));
  const protoField = String(get("proto") ?? "");
  let protocol =
    ipProto !== undefined ? ianaProtocolName(ipProto) : normaliseProtocol(protoField || "unknown");
  if (protoField === "icmp" && ipProto === undefined && orig.includes(":")) protocol = "ICMPv6";
  const state = get("conn_state");
  const { verdict, reason } = zeekVerdict(typeof state === "string" ? state : undefined, protocol);
  const hasPorts = protocol === "TCP" || protocol === "UDP" || protocol === "SCTP";
  const flow: Flow = {
    time,
    src: { ip: orig },
    dst: { ip: resp },
    protocol,
    verdict,
    origin,
  };
  if (hasPorts) {
    const sp = portOf(get("id.orig_p"));
    const dp = portOf(get("id.resp_p"));
    if (sp !== undefined) flow.src.port = sp;
    if (dp !== undefined) flow.dst.port = dp;
  }
  if (typeof state === "string") flow.rawVerdict = state;
  if (reason) flow.dropReason = reason;
  if (state !== "OTH") flow.isReply = false;
  const bytes = (countOf(get("orig_bytes")) ?? 0) + (countOf(get("resp_bytes")) ?? 0);
  const packets = (countOf(get("orig_pkts")) ?? 0) + (countOf(get("resp_pkts")) ?? 0);
  if (bytes > 0) flow.bytes = bytes;
  if (packets > 0) flow.packets = packets;
  return flow;
}

/** `\x09` → a tab (Zeek writes the separator escaped). */
function unescapeSeparator(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

/** A conn.log parser for one file: TSV headers set the layout; JSON lines need none. */
class ZeekConnParser implements FlowParser {
  private separator = "\t";
  private unset = "-";
  private empty = "(empty)";
  private fields: string[] | undefined;
  private index = new Map<string, number>();

  constructor(private readonly file: string) {}

  parse(line: string, lineNo: number): FlowParseResult {
    if (line.trim() === "") return null;
    const origin = { format: ZEEK_CONN_FORMAT_NAME, file: this.file, line: lineNo };
    if (line.startsWith("#")) {
      this.header(line);
      return null;
    }
    if (line.startsWith("{")) {
      const o = parseJsonObject(line);
      if (!o) return malformed("expected a Zeek JSON record");
      return convertZeekRecord((k) => jsonValue(o[k]), origin);
    }
    if (!this.fields) return malformed("a TSV record before the #fields header line");
    const cols = line.split(this.separator);
    if (cols.length !== this.fields.length)
      return malformed(`expected ${this.fields.length} columns (#fields), found ${cols.length}`);
    return convertZeekRecord((k) => {
      const i = this.index.get(k);
      const v = i === undefined ? undefined : cols[i];
      return v === undefined || v === this.unset || v === this.empty ? undefined : v;
    }, origin);
  }

  private header(line: string): void {
    const sp = line.search(/[\t ]/);
    if (sp < 0) return;
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === "#separator") this.separator = unescapeSeparator(value.trim());
    else if (key === "#unset_field") this.unset = value;
    else if (key === "#empty_field") this.empty = value;
    else if (key === "#fields") {
      this.fields = value.split(this.separator);
      this.index = new Map(this.fields.map((f, i) => [f, i]));
    }
  }
}

function jsonValue(v: unknown): string | number | undefined {
  return typeof v === "string" || typeof v === "number" ? v : undefined;
}

/** How sure we are that one line belongs to a conn.log. */
function zeekLineScore(line: string): number {
  if (line.startsWith("#fields") && line.includes("id.orig_h")) return 1;
  if (/^#(separator|set_separator|empty_field|unset_field|path|open|close|types)\b/.test(line)) return 1;
  if (line.startsWith("#")) return 0;
  if (line.startsWith("{")) {
    const o = parseJsonObject(line);
    return o && "id.orig_h" in o && "uid" in o ? 1 : 0;
  }
  const cols = line.split("\t");
  return cols.length >= 10 && /^C[A-Za-z0-9]{10,}$/.test(cols[1] ?? "") ? 0.8 : 0;
}

/** The Zeek conn.log format. */
export const zeekConnFormat: FlowFormat = {
  name: ZEEK_CONN_FORMAT_NAME,
  description: "Zeek conn.log, TSV with #fields headers or JSON lines",
  detect(firstLines) {
    const lines = firstLines.map((l) => l.trim()).filter((l) => l.length > 0);
    if (lines.length === 0) return 0;
    if (lines.some((l) => l.startsWith("#fields") && l.includes("id.orig_h") && l.includes("uid"))) return 1;
    return lines.reduce((s, l) => s + zeekLineScore(l), 0) / lines.length;
  },
  createParser(file) {
    return new ZeekConnParser(file);
  },
};

/**
 * Small helpers the flow-format parsers share: IANA protocol numbers, ports, `host:port` strings,
 * JSON-lines detection.
 */

/** IANA protocol numbers → the names flows carry (TCP/UDP/SCTP make policy ports; ICMP kept by name). */
const IANA_PROTOCOLS: Readonly<Record<number, string>> = {
  1: "ICMP",
  2: "IGMP",
  6: "TCP",
  17: "UDP",
  41: "IPv6",
  47: "GRE",
  50: "ESP",
  51: "AH",
  58: "ICMPv6",
  89: "OSPF",
  112: "VRRP",
  132: "SCTP",
};

/** The protocol name of an IANA protocol number (`PROTO-<n>` for the ones without a common name). */
export function ianaProtocolName(n: number): string {
  return IANA_PROTOCOLS[n] ?? `PROTO-${n}`;
}

/** Protocol names as sources spell them (`tcp`, `T`, `icmp`, `6`) → the names flows carry. */
export function normaliseProtocol(s: string): string {
  if (/^\d+$/.test(s)) return ianaProtocolName(Number(s));
  switch (s.toLowerCase()) {
    case "tcp":
    case "t":
      return "TCP";
    case "udp":
    case "u":
      return "UDP";
    case "sctp":
      return "SCTP";
    case "icmp":
    case "icmpv4":
      return "ICMP";
    case "icmpv6":
    case "icmp6":
      return "ICMPv6";
    default:
      return s.toUpperCase();
  }
}

/** A port number 1–65535, or undefined (0, `-`, empty and garbage included). */
export function portOf(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n > 0 && n <= 65535 ? n : undefined;
}

/** A non-negative integer count (numbers or int64-as-string), or undefined. */
export function countOf(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? Math.trunc(n) : undefined;
}

/** `10.0.0.1:80`, `[2a02:cf40::7]:3000` or a bare address → address and port (undefined parts when absent or `-`). */
export function splitHostPort(s: string | undefined | null): { ip?: string; port?: number } {
  if (!s || s === "-") return {};
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0) return {};
    const port = s[close + 1] === ":" ? portOf(s.slice(close + 2)) : undefined;
    return port === undefined ? { ip: s.slice(1, close) } : { ip: s.slice(1, close), port };
  }
  const colon = s.lastIndexOf(":");
  if (colon < 0 || s.indexOf(":") !== colon) return { ip: s };
  const port = portOf(s.slice(colon + 1));
  return port === undefined ? { ip: s.slice(0, colon) } : { ip: s.slice(0, colon), port };
}

/** Parses a line as a JSON object; undefined when it is not one. */
export function parseJsonObject(line: string): Record<string, unknown> | undefined {
  const t = line.trim();
  if (!t.startsWith("{")) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The mean score of the non-blank lines (0 for none): the usual shape of a line format's `detect`. */
export function meanLineScore(lines: readonly string[], score: (line: string) => number): number {
  const nonBlank = lines.map((l) => l.trim()).filter((l) => l.length > 0);
  if (nonBlank.length === 0) return 0;
  return nonBlank.reduce((sum, l) => sum + score(l), 0) / nonBlank.length;
}

/** A JSON value's string form when it is a non-empty string other than `-`. */
export function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" && v !== "-" ? v : undefined;
}

/** Epoch ms of a timestamp in seconds (possibly fractional, e.g. Zeek's `1300475167.096535`). */
export function secondsToMs(s: number): number {
  return Math.round(s * 1000);
}

/**
 * Istio/Envoy access logs: Istio's default TEXT format (≥ 1.9, 22 fields), Envoy's default format
 * (the first 12 of them) and Istio's JSON encoding (`accessLogEncoding: JSON`).
 *
 * Endpoints from UPSTREAM_CLUSTER: `outbound|port|subset|fqdn` is the client's sidecar (egress):
 * source DOWNSTREAM_REMOTE_ADDRESS (the app), destination UPSTREAM_HOST (the chosen pod; the
 * service address DOWNSTREAM_LOCAL_ADDRESS when none was chosen), destination service from the fqdn.
 * `inbound|port||` (and ambient `inbound-vip|…|fqdn`) is the server's sidecar (ingress): source
 * DOWNSTREAM_REMOTE_ADDRESS, destination DOWNSTREAM_LOCAL_ADDRESS, service from
 * REQUESTED_SERVER_NAME (`outbound_.port_._.svc.ns.svc.cluster.local`). Anything else (gateways,
 * no route): downstream remote → downstream local.
 *
 * Verdicts: an RBAC denial (`rbac_access_denied_matched_policy[…]` in RESPONSE_CODE_DETAILS or
 * CONNECTION_TERMINATION_DETAILS, or the `RBAC` response flag) is dropped with that reason and the
 * matched policy; BlackHoleCluster (REGISTRY_ONLY egress) is dropped; every other request reached
 * the proxy and was forwarded (its HTTP status and flags kept). Access-log records are requests.
 */
import type { Flow, FlowEndpoint, HttpInfo, SourceIdentity } from "../../model/flow.js";
import { countOf, parseJsonObject, splitHostPort, str } from "../common.js";
import { parseRfc3339, pathOfUrl } from "../hubble/parse.js";
import { type FlowFormat, type FlowParseResult, type FlowParser, malformed } from "../types.js";

/** The format name `--format` takes. */
export const ISTIO_ENVOY_FORMAT_NAME = "istio-envoy";

/** One access-log record by Istio's JSON key names (TEXT fields are mapped onto them). */
export type AccessRecord = Partial<Record<(typeof TEXT_FIELDS)[number], string | number | null>>;

/** Istio's default TEXT format, field by field (the quoted request line is split into three). */
const TEXT_FIELDS = [
  "start_time",
  "request",
  "response_code",
  "response_flags",
  "response_code_details",
  "connection_termination_details",
  "upstream_transport_failure_reason",
  "bytes_received",
  "bytes_sent",
  "duration",
  "upstream_service_time",
  "x_forwarded_for",
  "user_agent",
  "request_id",
  "authority",
  "upstream_host",
  "upstream_cluster",
  "upstream_local_address",
  "downstream_local_address",
  "downstream_remote_address",
  "requested_server_name",
  "route_name",
  "method",
  "path",
  "protocol",
] as const;

/** Istio's default TEXT format: the first 22 fields, in order. */
const ISTIO_TEXT_FIELDS = Array.from({ length: 22 }, (_, i) => i);

/** Envoy's default format: these fields, in this order. */
const ENVOY_DEFAULT_FIELDS = [0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/** Splits a TEXT line into its fields: the leading `[…]`, `"…"` and bare words. */
export function splitAccessLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === " ") {
      i++;
      continue;
    }
    // only START_TIME is bracketed; `[2a02:cf40::7]:3000` later is a bare word
    const close = c === "[" && out.length === 0 ? "]" : c === '"' ? '"' : " ";
    const start = close === " " ? i : i + 1;
    let end = line.indexOf(close, start);
    if (end < 0) end = n;
    out.push(line.slice(start, end));
    i = close === " " ? end : end + 1;
  }
  return out;
}

/** Maps a TEXT line onto JSON key names; undefined when it has neither Istio's nor Envoy's field count. */
function textRecord(line: string): AccessRecord | undefined {
  const cols = splitAccessLine(line);
  const rec: Record<string, string> = {};
  let positions: readonly number[];
  if (cols.length === 22) positions = ISTIO_TEXT_FIELDS;
  else if (cols.length === 13) positions = ENVOY_DEFAULT_FIELDS;
  else return undefined;
  for (let i = 0; i < positions.length; i++) rec[TEXT_FIELDS[positions[i]]] = cols[i];
  const [method, path, protocol] = (rec.request ?? "").split(" ");
  rec.method = method ?? "-";
  rec.path = path ?? "-";
  rec.protocol = protocol ?? "-";
  return rec as AccessRecord;
}

/** `reviews.default.svc.cluster.local` → the Service it names (undefined for other names). */
export function serviceOfFqdn(fqdn: string | undefined): SourceIdentity["service"] {
  if (!fqdn) return undefined;
  const parts = fqdn.split(".");
  return parts.length >= 3 && parts[2] === "svc" ? { name: parts[0], namespace: parts[1] } : undefined;
}

/** The fqdn of `outbound_.9080_._.details.default.svc.cluster.local` (REQUESTED_SERVER_NAME). */
function fqdnOfSni(sni: string | undefined): string | undefined {
  const parts = sni?.split("_.");
  return parts && parts.length === 4 && parts[0] === "outbound" ? parts[3] : undefined;
}

function endpoint(addr: string | undefined, identity?: SourceIdentity): FlowEndpoint {
  const ep: FlowEndpoint = splitHostPort(addr);
  if (identity) ep.identity = identity;
  return ep;
}

function serviceIdentity(fqdn: string | undefined): SourceIdentity | undefined {
  if (!fqdn) return undefined;
  const service = serviceOfFqdn(fqdn);
  return service ? { service, names: [fqdn] } : { names: [fqdn] };
}

/** Source, destination and direction from the upstream cluster and the addresses. */
function endpoints(r: AccessRecord): Pick<Flow, "src" | "dst" | "direction"> {
  const cluster = str(r.upstream_cluster) ?? "";
  const kind = cluster.split("|")[0];
  const remote = str(r.downstream_remote_address);
  const local = str(r.downstream_local_address);
  if (kind === "outbound" || cluster === "PassthroughCluster" || cluster === "BlackHoleCluster") {
    const fqdn = cluster.split("|")[3] || undefined;
    const upstream = str(r.upstream_host);
    const dst = endpoint(upstream ?? local, serviceIdentity(fqdn));
    if (upstream && dst.port === undefined) dst.port = splitHostPort(local).port;
    return { src: endpoint(remote), dst, direction: "egress" };
  }
  if (kind === "inbound" || kind === "inbound-vip") {
    const fqdn = cluster.split("|")[3] || fqdnOfSni(str(r.requested_server_name));
    return { src: endpoint(remote), dst: endpoint(local, serviceIdentity(fqdn)), direction: "ingress" };
  }
  return { src: endpoint(remote), dst: endpoint(local ?? str(r.upstream_host)) };
}

/** The RBAC denial in the record, if any: its reason and the matched policy (`ns[…]-policy[…]-rule[…]`). */
function rbacDenial(r: AccessRecord): { reason: string; policy?: string } | undefined {
  for (const v of [r.response_code_details, r.connection_termination_details]) {
    const s = str(v);
    if (s?.startsWith("rbac_access_denied")) {
      const m = /matched_policy\[(.*)\]$/.exec(s);
      const policy = m && m[1] !== "none" ? m[1] : undefined;
      return policy ? { reason: s, policy } : { reason: s };
    }
  }
  const flags = str(r.response_flags)?.split(",") ?? [];
  return flags.includes("RBAC") ? { reason: "RBAC: denied by an Envoy RBAC filter" } : undefined;
}

function httpOf(r: AccessRecord): HttpInfo | undefined {
  const method = str(r.method);
  if (!method) return undefined;
  const info: HttpInfo = { method: method.toUpperCase(), path: pathOfUrl(str(r.path) ?? "/") };
  const code = countOf(r.response_code);
  if (code) info.status = code;
  const host = str(r.authority);
  if (host) info.host = host;
  return info;
}

/** Converts one access-log record into a Flow. */
export function convertAccessRecord(r: AccessRecord, origin: Flow["origin"]): FlowParseResult {
  const { src, dst, direction } = endpoints(r);
  if (!src.ip && !dst.ip) return malformed("an access-log record without downstream or upstream addresses");
  const flow: Flow = { src, dst, protocol: "TCP", verdict: "forwarded", isReply: false, origin };
  if (direction) flow.direction = direction;
  const time = parseRfc3339(r.start_time);
  if (time !== undefined) flow.time = time;
  const http = httpOf(r);
  if (http) flow.http = http;
  const code = countOf(r.response_code) ?? 0;
  const flags = str(r.response_flags);
  flow.rawVerdict = `${code}${flags ? ` ${flags}` : ""}`;
  const denial = rbacDenial(r);
  if (denial) {
    flow.verdict = "dropped";
    flow.dropReason = denial.reason;
    if (denial.policy) flow.policies = [denial.policy];
  } else if (str(r.upstream_cluster) === "BlackHoleCluster") {
    flow.verdict = "dropped";
    flow.dropReason = "BlackHoleCluster: outbound traffic policy REGISTRY_ONLY";
  }
  const bytes = (countOf(r.bytes_received) ?? 0) + (countOf(r.bytes_sent) ?? 0);
  if (bytes > 0) flow.bytes = bytes;
  return flow;
}

/** Parses one access-log line (TEXT or JSON). */
export function parseAccessLine(line: string, file: string, lineNo: number): FlowParseResult {
  const t = line.trim();
  if (!t) return null;
  const origin = { format: ISTIO_ENVOY_FORMAT_NAME, file, line: lineNo };
  if (t.startsWith("{")) {
    const o = parseJsonObject(t);
    if (!o || !("upstream_cluster" in o || "downstream_remote_address" in o))
      return malformed("expected an Istio JSON access-log record");
    return convertAccessRecord(o as AccessRecord, origin);
  }
  if (!t.startsWith("[")) return malformed("expected an access-log line starting with [START_TIME]");
  const rec = textRecord(t);
  if (!rec) {
    return malformed(
      `expected Istio's default TEXT format (22 fields) or Envoy's (13), found ${splitAccessLine(t).length} fields`,
    );
  }
  return convertAccessRecord(rec, origin);
}

function accessLineScore(line: string): number {
  if (/^\[\d{4}-\d\d-\d\dT[^\]]*\] "/.test(line)) return 1;
  const o = line.startsWith("{") ? parseJsonObject(line) : undefined;
  if (!o) return 0;
  return "upstream_cluster" in o && "downstream_remote_address" in o && "response_code" in o ? 1 : 0;
}

/** The Istio/Envoy access-log format. */
export const istioEnvoyFormat: FlowFormat = {
  name: ISTIO_ENVOY_FORMAT_NAME,
  description: "Istio/Envoy access logs: Istio default TEXT format, Envoy default format, Istio JSON",
  detect(firstLines) {
    const lines = firstLines.map((l) => l.trim()).filter((l) => l.length > 0);
    return lines.length === 0 ? 0 : lines.reduce((s, l) => s + accessLineScore(l), 0) / lines.length;
  },
  createParser(file): FlowParser {
    return { parse: (line, lineNo) => parseAccessLine(line, file, lineNo) };
  },
};

/**
 * Calico Enterprise/Cloud flow logs as NDJSON (`/var/log/calico/flowlogs/flows.log`, the
 * Elasticsearch documents): one aggregated flow per line, from the connection's source.
 *
 * Endpoints: `wep` (workload endpoint) → namespace, pod name (or, when aggregated to
 * `frontend-755cdc7957-*`, the owner derived from the prefix) and labels, resolved like Hubble's
 * pods; `hep` (host endpoint) → entity host; `net` `pub` → entity world, `pvt` → address only;
 * `ns` (NetworkSet) → a hint. Addresses are null when aggregated.
 *
 * Verdicts: action allow → forwarded, deny → dropped; the enforced policies (`index|tier|name|
 * action|rule`, rule -1 = the tier's implicit end-of-tier deny) become Flow.policies and, for a
 * deny, the reason.
 *
 * Duplicates: a flow between two workload endpoints is reported by both nodes (`reporter` src and
 * dst), each with its own verdict (egress at the source, ingress at the destination). Rule: a dst
 * report always counts (the last enforcement point says what happened); a src report counts when
 * the destination is not a workload endpoint (no dst report can exist) or when it is a deny (the
 * packet never reached the destination); otherwise it is ignored as the duplicate.
 */
import type { Flow, FlowEndpoint, SourceIdentity } from "../../model/flow.js";
import { ownerNameFromPodName } from "../../model/workload.js";
import { countOf, normaliseProtocol, parseJsonObject, portOf, str } from "../common.js";
import { type FlowFormat, type FlowParseResult, type FlowParser, ignored, malformed } from "../types.js";

/** The format name `--format` takes. */
export const CALICO_FORMAT_NAME = "calico";

type Obj = Record<string, unknown>;

function labelsOf(v: unknown): Record<string, string> | undefined {
  const list = Array.isArray(v)
    ? v
    : Array.isArray((v as Obj | null)?.labels)
      ? ((v as Obj).labels as unknown[])
      : [];
  const out: Record<string, string> = {};
  for (const l of list) {
    if (typeof l !== "string") continue;
    const eq = l.indexOf("=");
    if (eq > 0) out[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `frontend-755cdc7957-*` → the owner (`frontend`, Deployment); `web-*` → `web`. */
export function ownerOfAggregate(aggr: string): { name: string; kind?: string } {
  const prefix = aggr.replace(/-?\*$/, "");
  const owner = ownerNameFromPodName(`${prefix}-xxxxx`);
  return owner.ownerKind === "Deployment" ? { name: owner.name, kind: "Deployment" } : { name: prefix };
}

/** The identity of one side (`source` or `dest`). */
function sideIdentity(r: Obj, side: "source" | "dest"): SourceIdentity | undefined {
  const type = str(r[`${side}_type`]);
  const ns = str(r[`${side}_namespace`]);
  const name = str(r[`${side}_name`]);
  const aggr = str(r[`${side}_name_aggr`]);
  if (type === "wep") {
    const id: SourceIdentity = {};
    if (ns) id.namespace = ns;
    if (name) id.podName = name;
    else if (aggr) {
      const owner = ownerOfAggregate(aggr);
      id.workloadName = owner.name;
      if (owner.kind) id.workloadKind = owner.kind;
    }
    const labels = labelsOf(r[`${side}_labels`]);
    if (labels) id.labels = labels;
    return id;
  }
  if (type === "hep") return { entity: "host", hints: { "calico.host-endpoint": name ?? aggr ?? "-" } };
  if (type === "net" && aggr === "pub") return { entity: "world" };
  if (type === "ns")
    return { hints: { "calico.network-set": ns ? `${ns}/${aggr ?? name}` : (aggr ?? name ?? "-") } };
  return undefined;
}

function endpointOf(r: Obj, side: "source" | "dest"): FlowEndpoint {
  const ep: FlowEndpoint = {};
  const ip = str(r[`${side}_ip`]);
  if (ip) ep.ip = ip;
  const port = portOf(r[`${side}_port`]);
  if (port !== undefined) ep.port = port;
  const identity = sideIdentity(r, side);
  if (identity) ep.identity = identity;
  return ep;
}

/** The enforced policy entries (`index|tier|name|action|rule`). */
function policiesOf(r: Obj): string[] {
  const p = r.policies as Obj | null | undefined;
  const list = Array.isArray(p?.enforced_policies)
    ? p.enforced_policies
    : Array.isArray(p?.all_policies)
      ? p.all_policies
      : [];
  return list.filter((x): x is string => typeof x === "string");
}

/** Why a flow was denied: the first deny entry (rule -1: the tier's implicit end-of-tier deny). */
function denyReason(policies: readonly string[]): string {
  for (const p of policies) {
    const [, tier, name, action, rule] = p.split("|");
    if (action !== "deny") continue;
    return rule === "-1"
      ? `denied by ${name}: end of tier ${tier} (implicit deny)`
      : `denied by ${name} rule ${rule}`;
  }
  return "denied";
}

/** Converts one flow-log document into a Flow, an ignored duplicate, or a malformed record. */
export function convertCalicoRecord(r: Obj, origin: Flow["origin"]): FlowParseResult {
  const action = str(r.action);
  if (action !== "allow" && action !== "deny")
    return malformed(`action must be allow or deny, found ${JSON.stringify(r.action)}`);
  const reporter = str(r.reporter);
  if (reporter === "src" && action === "allow" && str(r.dest_type) === "wep")
    return ignored("src report of a flow to a workload endpoint (counted once, from its dst report)");
  const flow: Flow = {
    src: endpointOf(r, "source"),
    dst: endpointOf(r, "dest"),
    protocol: normaliseProtocol(String(r.proto ?? "unknown")),
    verdict: action === "allow" ? "forwarded" : "dropped",
    rawVerdict: `${action} (${reporter ?? "?"})`,
    isReply: false,
    origin,
  };
  if (!flow.src.ip && !flow.src.identity) return malformed("a flow log needs source_ip or a source name");
  const start = countOf(r.start_time);
  if (start !== undefined) flow.time = start * 1000;
  if (reporter === "src") flow.direction = "egress";
  else if (reporter === "dst") flow.direction = "ingress";
  const policies = policiesOf(r);
  if (policies.length > 0) flow.policies = policies;
  if (action === "deny") flow.dropReason = denyReason(policies);
  const svc = str(r.dest_service_name);
  if (svc && flow.dst.identity)
    flow.dst.identity.service = { name: svc, namespace: str(r.dest_service_namespace) ?? "default" };
  const bytes = (countOf(r.bytes_in) ?? 0) + (countOf(r.bytes_out) ?? 0);
  const packets = (countOf(r.packets_in) ?? 0) + (countOf(r.packets_out) ?? 0);
  if (bytes > 0) flow.bytes = bytes;
  if (packets > 0) flow.packets = packets;
  return flow;
}

/** Parses one NDJSON line. */
export function parseCalicoLine(line: string, file: string, lineNo: number): FlowParseResult {
  const t = line.trim();
  if (!t) return null;
  const o = parseJsonObject(t);
  if (!o) return malformed(`expected a Calico flow-log JSON object, found ${JSON.stringify(t.slice(0, 40))}`);
  return convertCalicoRecord(o, { format: CALICO_FORMAT_NAME, file, line: lineNo });
}

function calicoLineScore(line: string): number {
  const o = parseJsonObject(line);
  if (!o) return 0;
  return "source_type" in o && "dest_type" in o && "reporter" in o && "action" in o ? 1 : 0;
}

/** The Calico flow-log format. */
export const calicoFormat: FlowFormat = {
  name: CALICO_FORMAT_NAME,
  description: "Calico Enterprise/Cloud flow logs (NDJSON flows.log / Elasticsearch documents)",
  detect(firstLines) {
    const lines = firstLines.map((l) => l.trim()).filter((l) => l.length > 0);
    return lines.length === 0 ? 0 : lines.reduce((s, l) => s + calicoLineScore(l), 0) / lines.length;
  },
  createParser(file): FlowParser {
    return { parse: (line, lineNo) => parseCalicoLine(line, file, lineNo) };
  },
};

/**
 * GCP VPC flow logs as Cloud Logging entries (`logName …%2Fvpc_flows`, `jsonPayload` with
 * `connection`, `reporter`, `*_instance`, `*_vpc`, `*_gke_details`): JSON lines (a log sink export),
 * a JSON array (`gcloud logging read --format=json`), or bare payloads. Firewall Rules Logging
 * entries (`…%2Ffirewall`: same `connection`, plus `disposition` and `rule_details`) are read too.
 *
 * Verdicts: VPC flow records are delivered traffic (forwarded) unless `disposition` says
 * DROPPED/DENIED (dropped); firewall entries carry ALLOWED/DENIED and their rule as the policy.
 *
 * Duplicates: a flow between two VMs whose subnets both log is reported twice, once by each side
 * (`reporter` SRC and DEST). Rule: SRC reports are always counted; a DEST report is counted only
 * when the entry names no source VM (`src_instance` absent: the source is outside the project's
 * VMs, so no SRC report can exist); otherwise it is skipped as ignored. A VM-to-VM flow whose
 * source subnet does not log is then missed — the documented price of never counting twice.
 *
 * Identity: `*_gke_details` name the pod (namespace, pod, workload and kind; the first Service as
 * `service`) and resolve like Hubble's pod names; `*_instance` (VM name, project, zone) and the GKE
 * cluster are hints only. Direction: no TCP flags in these records, so the port rule of
 * src/graph/direction.ts decides (GCP reports each direction of a connection as its own record).
 */
import type { Flow, FlowEndpoint, SourceIdentity } from "../../model/flow.js";
import { countOf, ianaProtocolName, parseJsonObject, portOf, str } from "../common.js";
import { parseRfc3339 } from "../hubble/parse.js";
import { type JsonChunk, parseChunk, startsJsonDocument } from "../json-doc.js";
import {
  type FlowFormat,
  type FlowParseResult,
  type FlowParser,
  ignored,
  type JsonDocumentReader,
  type LocatedParseResult,
  malformed,
} from "../types.js";

/** The format name `--format` takes. */
export const GCP_VPC_FORMAT_NAME = "gcp-vpc";

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;

/** GKE `workload_type` values → Kubernetes kinds. */
const WORKLOAD_KINDS: Readonly<Record<string, string>> = {
  DEPLOYMENT: "Deployment",
  STATEFULSET: "StatefulSet",
  DAEMONSET: "DaemonSet",
  REPLICASET: "ReplicaSet",
  JOB: "Job",
  CRONJOB: "CronJob",
  REPLICATION_CONTROLLER: "ReplicationController",
};

/** The identity a side's metadata gives (undefined when there is none). */
function sideIdentity(p: Obj, side: "src" | "dest"): SourceIdentity | undefined {
  const id: SourceIdentity = {};
  const hints: Record<string, string> = {};
  const vm = obj(p[`${side}_instance`]);
  if (vm) {
    for (const [k, key] of [
      ["vm_name", "gcp.vm-name"],
      ["project_id", "gcp.project"],
      ["zone", "gcp.zone"],
    ] as const) {
      const v = str(vm[k]);
      if (v) hints[key] = v;
    }
    const mig = str(obj(vm.managed_instance_group)?.name);
    if (mig) hints["gcp.instance-group"] = mig;
  }
  const gke = obj(p[`${side}_gke_details`]);
  if (gke) {
    const cluster = str(obj(gke.cluster)?.cluster_name);
    if (cluster) hints["gcp.gke-cluster"] = cluster;
    const pod = obj(gke.pod);
    const ns = str(pod?.pod_namespace);
    const podName = str(pod?.pod_name);
    const workload = obj(pod?.pod_workload);
    const wName = str(workload?.workload_name);
    if (ns) id.namespace = ns;
    if (podName) id.podName = podName;
    if (wName) {
      id.workloadName = wName;
      const kind = str(workload?.workload_type);
      if (kind) id.workloadKind = WORKLOAD_KINDS[kind] ?? kind;
    }
    const svc = Array.isArray(gke.service) ? obj(gke.service[0]) : undefined;
    const svcName = str(svc?.service_name);
    if (svcName) id.service = { name: svcName, namespace: str(svc?.service_namespace) ?? ns ?? "default" };
  }
  const google = str(obj(p[`${side}_google_service`])?.service_name);
  if (google) hints["gcp.google-service"] = google;
  if (Object.keys(hints).length > 0) id.hints = hints;
  if (id.namespace && !id.podName && !id.workloadName) delete id.namespace;
  return Object.keys(id).length > 0 ? id : undefined;
}

function endpointOf(ip: unknown, port: unknown, identity: SourceIdentity | undefined): FlowEndpoint {
  const ep: FlowEndpoint = {};
  if (typeof ip === "string" && ip) ep.ip = ip;
  const p = portOf(port);
  if (p !== undefined) ep.port = p;
  if (identity) ep.identity = identity;
  return ep;
}

/** Verdict, raw verdict and rule of a payload (see the module comment). */
function verdictOf(p: Obj): Pick<Flow, "verdict" | "rawVerdict" | "dropReason" | "policies"> {
  const disposition = str(p.disposition);
  const rule = str(obj(p.rule_details)?.reference);
  const out: Pick<Flow, "verdict" | "rawVerdict" | "dropReason" | "policies"> = {
    verdict: "forwarded",
    rawVerdict: disposition ?? "DELIVERED",
  };
  if (disposition === "DENIED" || disposition === "DROPPED") {
    out.verdict = "dropped";
    out.dropReason = rule ? `${disposition} by ${rule}` : disposition;
  }
  if (rule) out.policies = [rule];
  return out;
}

/** Converts one log entry (or bare payload) into a Flow, an ignored duplicate, or a malformed record. */
export function convertGcpEntry(entry: Obj, origin: Flow["origin"]): FlowParseResult {
  const p = obj(entry.jsonPayload) ?? entry;
  const c = obj(p.connection);
  if (!c) return malformed("expected a VPC flow log entry with jsonPayload.connection");
  const reporter = str(p.reporter);
  if (reporter === "DEST" && obj(p.src_instance))
    return ignored("DEST report of a VM-to-VM flow (counted once, from its SRC report)");
  const proto = countOf(c.protocol);
  const flow: Flow = {
    src: endpointOf(c.src_ip, c.src_port, sideIdentity(p, "src")),
    dst: endpointOf(c.dest_ip, c.dest_port, sideIdentity(p, "dest")),
    protocol: proto === undefined ? "unknown" : ianaProtocolName(proto),
    ...verdictOf(p),
    origin,
  };
  if (!flow.src.ip || !flow.dst.ip) return malformed("connection needs src_ip and dest_ip");
  if (flow.protocol !== "TCP" && flow.protocol !== "UDP" && flow.protocol !== "SCTP") {
    delete flow.src.port;
    delete flow.dst.port;
  }
  const time = parseRfc3339(p.start_time) ?? parseRfc3339(entry.timestamp);
  if (time !== undefined) flow.time = time;
  const bytes = countOf(p.bytes_sent);
  const packets = countOf(p.packets_sent);
  if (bytes !== undefined) flow.bytes = bytes;
  if (packets !== undefined) flow.packets = packets;
  return flow;
}

/** Parses one JSON line. */
export function parseGcpLine(line: string, file: string, lineNo: number): FlowParseResult {
  const t = line.trim();
  if (!t) return null;
  const o = parseJsonObject(t);
  if (!o) return malformed(`expected a Cloud Logging JSON entry, found ${JSON.stringify(t.slice(0, 40))}`);
  return convertGcpEntry(o, { format: GCP_VPC_FORMAT_NAME, file, line: lineNo });
}

/** Parses one value of a document: a log entry (an element of the array, or a pretty-printed entry). */
function* parseGcpValue(chunk: JsonChunk, file: string): Generator<LocatedParseResult> {
  const v = obj(parseChunk(chunk));
  const origin = { format: GCP_VPC_FORMAT_NAME, file, line: chunk.line };
  yield {
    line: chunk.line,
    result: v ? convertGcpEntry(v, origin) : malformed("expected a Cloud Logging JSON entry"),
  };
}

/** How GCP documents (a JSON array of entries, or pretty-printed entries) are read: entry by entry. */
const gcpDocument: JsonDocumentReader = { parseValue: parseGcpValue };

function gcpLineScore(line: string): number {
  const o = parseJsonObject(line);
  if (!o) return 0;
  const p = obj(o.jsonPayload) ?? o;
  if (!obj(p.connection) || !("src_ip" in (obj(p.connection) ?? {}))) return 0;
  const logName = typeof o.logName === "string" ? o.logName : "";
  return /%2F(vpc_flows|firewall)$/.test(logName) || "reporter" in p || "disposition" in p ? 1 : 0.8;
}

/** The GCP VPC flow-log format. */
export const gcpVpcFormat: FlowFormat = {
  name: GCP_VPC_FORMAT_NAME,
  description: "GCP VPC flow logs and firewall logs: Cloud Logging entries, JSON lines or a JSON array",
  detect(firstLines) {
    const lines = firstLines.map((l) => l.trim()).filter((l) => l.length > 0);
    if (lines.length === 0) return 0;
    if (startsJsonDocument(lines)) {
      const head = lines.join("\n");
      if (/googleapis\.com%2F(vpc_flows|firewall)/.test(head)) return 0.9;
      return /"connection"\s*:/.test(head) && /"src_ip"/.test(head) ? 0.7 : 0;
    }
    return lines.reduce((s, l) => s + gcpLineScore(l), 0) / lines.length;
  },
  createParser(file): FlowParser {
    return { parse: (line, lineNo) => parseGcpLine(line, file, lineNo) };
  },
  jsonDocument: gcpDocument,
  isDocument: startsJsonDocument,
};

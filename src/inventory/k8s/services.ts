/**
 * Services: their ports and selectors, and which workloads they select (a Service selects the
 * pods of its namespace whose labels include its non-empty selector).
 */
import { labelsInclude } from "../../model/labels.js";
import { isPortNumber, parseProtocol } from "../../model/ports.js";
import { type Problem, problem } from "../../model/problems.js";
import type { ServicePort, ServiceRef, Workload } from "../../model/workload.js";
import type { K8sResource } from "../types.js";
import { isObject } from "./resource.js";

/** A Service as the inventory reads it. */
export interface ParsedService {
  name: string;
  namespace: string;
  type: string;
  /** The selector; undefined or empty selects nothing (ExternalName, manual Endpoints). */
  selector?: Record<string, string>;
  ports: ServicePort[];
  resource: K8sResource;
}

/** Reads a Service's type, selector and ports; a bad port is an error problem at its line. */
export function parseService(res: K8sResource, problems: Problem[]): ParsedService {
  const spec = isObject(res.raw.spec) ? res.raw.spec : {};
  const out: ParsedService = {
    name: res.metadata.name,
    namespace: res.metadata.namespace ?? "default",
    type: typeof spec.type === "string" && spec.type !== "" ? spec.type : "ClusterIP",
    ports: [],
    resource: res,
  };
  if (isObject(spec.selector) && Object.keys(spec.selector).length > 0) {
    out.selector = Object.fromEntries(Object.entries(spec.selector).map(([k, v]) => [k, String(v ?? "")]));
  }
  if (Array.isArray(spec.ports)) {
    spec.ports.forEach((p, i) => {
      const sp = servicePort(res, p, i, problems);
      if (sp) out.ports.push(sp);
    });
  }
  return out;
}

function servicePort(res: K8sResource, p: unknown, i: number, problems: Problem[]): ServicePort | undefined {
  const path = ["spec", "ports", i];
  const where = { file: res.location.file, line: res.lineAt?.(path) ?? res.location.line };
  const port = isObject(p) ? p.port : undefined;
  const protocol = parseProtocol(isObject(p) && p.protocol !== undefined ? String(p.protocol) : "TCP");
  if (!isObject(p) || !isPortNumber(port) || !protocol) {
    const msg = `Service ${res.metadata.name}: port ${i} needs a port number 1..65535 and protocol TCP, UDP or SCTP`;
    problems.push(problem("resource-invalid", "error", msg, where));
    return undefined;
  }
  const out: ServicePort = { port, targetPort: targetPortOf(p.targetPort, port), protocol };
  if (typeof p.name === "string" && p.name !== "") out.name = p.name;
  if (isPortNumber(p.nodePort)) out.nodePort = p.nodePort;
  return out;
}

/** targetPort as a number or a port name; missing means the Service port. */
function targetPortOf(v: unknown, port: number): number | string {
  if (isPortNumber(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v) && isPortNumber(Number(v))) return Number(v);
  if (typeof v === "string" && v !== "") return v;
  return port;
}

/** True when the Service selects the workload (same namespace, non-empty selector included in its labels). */
export function serviceSelects(svc: ParsedService, w: Workload): boolean {
  return !!svc.selector && w.namespace === svc.namespace && labelsInclude(w.labels, svc.selector);
}

/**
 * The Service as seen from one workload: a named targetPort becomes the number of the workload's
 * container port with that name and protocol; a name the workload does not define stays a name.
 */
export function serviceRefFor(svc: ParsedService, w: Workload): ServiceRef {
  const ports = svc.ports.map((p) => {
    if (typeof p.targetPort === "number") return { ...p };
    const named = (w.ports ?? []).find((cp) => cp.name === p.targetPort && cp.protocol === p.protocol);
    return named ? { ...p, targetPort: named.port } : { ...p };
  });
  return { name: svc.name, namespace: svc.namespace, type: svc.type, ports };
}

/** Every Service that selects the workload, sorted by name. */
export function servicesFor(services: readonly ParsedService[], w: Workload): ServiceRef[] {
  return services
    .filter((s) => serviceSelects(s, w))
    .map((s) => serviceRefFor(s, w))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

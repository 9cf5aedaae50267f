/**
 * Traffic from the cluster's ingress controller (`{ingress-controller}`, netpol-analyzer's name) to
 * the workloads behind Ingress and Route objects. A backend Service selects workloads of its
 * namespace; the port asked for picks the first Service port whose name, port or targetPort equals
 * it (no port: every Service port), and that port's targetPort (else its port) is the pod port. A
 * named targetPort is looked up among the workload's container ports and must be TCP; a numbered one
 * must be a TCP container port of the workload (a VirtualMachine declares none: any numbered port).
 * The result is TCP only.
 *
 * The controller itself is unknown, so it is modelled as a pod without labels in its own namespace
 * `ingress-controller-ns`; the policies then decide what of those ports it may reach (a rule with
 * `namespaceSelector: {}` admits it, a rule naming other namespaces does not).
 */
import type { PodEndpoint } from "../../eval/endpoint.js";
import type { ParsedService } from "../../inventory/k8s/services.js";
import { labelsInclude } from "../../model/labels.js";
import { ConnSet, PortSet } from "../../model/ports.js";
import type { Workload } from "../../model/workload.js";
import type { IngressBackend } from "./backends.js";

/** The display name of the ingress controller peer. */
export const INGRESS_CONTROLLER = "{ingress-controller}";
/** The name and namespace the controller is modelled with (focus options match them). */
export const INGRESS_CONTROLLER_NAME = "ingress-controller";
/** The namespace of the modelled controller. */
export const INGRESS_CONTROLLER_NAMESPACE = "ingress-controller-ns";

/** The modelled ingress controller as an evaluator endpoint. */
export function ingressControllerEndpoint(): PodEndpoint {
  return {
    kind: "pod",
    id: `${INGRESS_CONTROLLER_NAMESPACE}/${INGRESS_CONTROLLER_NAME}`,
    namespace: INGRESS_CONTROLLER_NAMESPACE,
    labels: {},
    namespaceLabels: { "kubernetes.io/metadata.name": INGRESS_CONTROLLER_NAMESPACE },
    ports: [],
  };
}

/** A workload the ingress controller is sent to, with the TCP ports Ingress/Route objects open. */
export interface IngressTarget {
  workload: Workload;
  conns: ConnSet;
  /** The Ingress/Route objects (`Kind ns/name`) that lead to it, sorted. */
  objects: string[];
}

/** The pod ports a Service backend leads to (numbers or container-port names). */
function podAccessPorts(svc: ParsedService, wanted: number | string | undefined): (number | string)[] {
  const access = (p: ParsedService["ports"][number]) => p.targetPort;
  if (wanted === undefined) return svc.ports.map(access);
  const hit = svc.ports.find(
    (p) => (p.name !== undefined && p.name === wanted) || p.port === wanted || p.targetPort === wanted,
  );
  return hit ? [access(hit)] : [];
}

/**
 * The TCP ports of `w` that the access ports reach (named ports resolved, non-TCP or unknown dropped).
 * A VirtualMachine declares no container ports: every numbered port reaches it.
 */
function tcpPorts(w: Workload, access: readonly (number | string)[]): PortSet {
  let out = PortSet.EMPTY;
  const vm = w.ownerKind === "VirtualMachine";
  const tcp = (w.ports ?? []).filter((p) => p.protocol === "TCP");
  for (const a of access) {
    if (typeof a === "string") {
      const named = (w.ports ?? []).find((p) => p.name === a);
      if (named && named.protocol === "TCP") out = out.union(PortSet.single(named.port));
    } else if (vm || tcp.some((p) => p.port === a)) out = out.union(PortSet.single(a));
  }
  return out;
}

/** Options of {@link ingressTargets}. */
export interface IngressTargetsInput {
  backends: readonly IngressBackend[];
  services: readonly ParsedService[];
  workloads: readonly Workload[];
}

/** Every workload behind an Ingress/Route with the ports it is reached on, sorted by workload id. */
export function ingressTargets(input: IngressTargetsInput): IngressTarget[] {
  const byId = new Map<string, IngressTarget>();
  const services = new Map(input.services.map((s) => [`${s.namespace}/${s.name}`, s]));
  for (const b of input.backends) {
    const svc = services.get(`${b.namespace}/${b.service}`);
    if (!svc?.selector) continue;
    const access = podAccessPorts(svc, b.port);
    for (const w of input.workloads) {
      if (w.kind !== "pod-owner" && w.kind !== "vm") continue;
      if (w.namespace !== svc.namespace || !labelsInclude(w.labels, svc.selector)) continue;
      const ports = tcpPorts(w, access);
      const t = byId.get(w.id) ?? { workload: w, conns: ConnSet.NONE, objects: [] };
      t.conns = t.conns.union(ConnSet.of([["TCP", ports]]));
      const obj = `${b.via} ${b.object}`;
      if (!t.objects.includes(obj)) t.objects.push(obj);
      byId.set(w.id, t);
    }
  }
  return [...byId.keys()].sort().map((id) => {
    const t = byId.get(id)!;
    return { ...t, objects: t.objects.sort() };
  });
}

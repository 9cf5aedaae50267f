/**
 * Workloads: the unit users think in (a Deployment, not a pod), plus entities and address peers.
 * Ids follow DESIGN: `namespace/name`, `entity:world`, `cidr:203.0.113.7/32`.
 */
import type { Protocol } from "./ports.js";

/** What a workload is. */
export type WorkloadKind = "pod-owner" | "vm" | "cloud-instance" | "external" | "entity";

/** The reserved entities. */
export const ENTITIES = [
  "world",
  "host",
  "remote-node",
  "kube-apiserver",
  "ingress",
  "health",
  "unknown",
] as const;
/** One reserved entity. */
export type EntityName = (typeof ENTITIES)[number];

/** A named (or unnamed) container port. */
export interface ContainerPort {
  name?: string;
  port: number;
  protocol: Protocol;
}

/** A port of a Service. */
export interface ServicePort {
  name?: string;
  port: number;
  /** The pod port: a number, or a container port name. */
  targetPort: number | string;
  protocol: Protocol;
  nodePort?: number;
}

/** A Service that selects a workload. */
export interface ServiceRef {
  name: string;
  namespace: string;
  type: string;
  ports: ServicePort[];
}

/** A workload or peer as the map and the evaluators see it. */
export interface Workload {
  /** `namespace/name`, `entity:<name>` or `cidr:<cidr>`. */
  id: string;
  kind: WorkloadKind;
  /** For pod owners: Deployment, StatefulSet, DaemonSet, CronJob, Job, ReplicaSet, Pod… */
  ownerKind?: string;
  namespace?: string;
  name: string;
  serviceAccount?: string;
  /** Pod template labels. */
  labels: Record<string, string>;
  /** Labels of the workload's namespace (at least `kubernetes.io/metadata.name`). */
  namespaceLabels?: Record<string, string>;
  spiffeId?: string;
  zone?: string;
  dataClasses?: string[];
  images?: string[];
  /** Container ports (named where the pod spec names them). */
  ports?: ContainerPort[];
  /** Services that select this workload. */
  services?: ServiceRef[];
  /** Addresses seen for this workload (pod IPs, instance IPs). */
  addresses?: string[];
  /** Where the workload was defined (file:line). */
  source?: string;
}

/** The workload id for a namespaced owner. */
export function workloadId(namespace: string | undefined, name: string): string {
  return `${namespace || "default"}/${name}`;
}

/** The id of an entity. */
export function entityId(name: string): string {
  return `entity:${name}`;
}

/** The id of an address peer. */
export function cidrId(cidr: string): string {
  return `cidr:${cidr}`;
}

/** True when the id names an entity or address peer (not an in-cluster workload). */
export function isOutsidePeer(id: string): boolean {
  return id.startsWith("entity:") || id.startsWith("cidr:") || id.startsWith("external:");
}

/** The display form `namespace/name[Kind]` (the peer corpora's form). */
export function displayName(w: Pick<Workload, "id" | "ownerKind" | "kind">): string {
  if (w.kind === "entity" || w.kind === "external") return w.id;
  return `${w.id}[${w.ownerKind ?? "Workload"}]`;
}

/** Namespace labels as Kubernetes sets them by default. */
export function defaultNamespaceLabels(ns: string): Record<string, string> {
  return { "kubernetes.io/metadata.name": ns };
}

/** Removes the ReplicaSet hash and pod suffix from a pod name (`reviews-v1-545db77b95-2xv6j` → `reviews-v1`). */
export function ownerNameFromPodName(pod: string): { name: string; ownerKind?: string } {
  const parts = pod.split("-");
  // Deployment pod: <deploy>-<rs hash (6-10 alnum)>-<5 alnum>
  if (
    parts.length >= 3 &&
    /^[a-z0-9]{5}$/.test(parts[parts.length - 1]) &&
    /^[a-z0-9]{6,10}$/.test(parts[parts.length - 2]) &&
    /\d/.test(parts[parts.length - 2])
  ) {
    return { name: parts.slice(0, -2).join("-"), ownerKind: "Deployment" };
  }
  // StatefulSet pod: <sts>-<ordinal>
  if (parts.length >= 2 && /^\d+$/.test(parts[parts.length - 1])) {
    return { name: parts.slice(0, -1).join("-"), ownerKind: "StatefulSet" };
  }
  // DaemonSet / Job / bare ReplicaSet pod: <owner>-<5 alnum>
  if (parts.length >= 2 && /^[a-z0-9]{5}$/.test(parts[parts.length - 1])) {
    return { name: parts.slice(0, -1).join("-") };
  }
  return { name: pod, ownerKind: "Pod" };
}

/**
 * Owner resolution (DESIGN "Names and identities"): a workload is named by the top-most owner
 * present in the input. Pod → ReplicaSet → Deployment and Pod → Job → CronJob follow
 * ownerReferences; a reference to an owner that is not in the input still names the workload
 * (a pod of an absent ReplicaSet is that ReplicaSet); a pod with no owner is itself.
 */
import { workloadId } from "../../model/workload.js";
import type { K8sResource } from "../types.js";
import { NON_WORKLOAD_OWNER_KINDS, normalOwnerKind, WORKLOAD_KINDS } from "./kinds.js";

/** The owner that names a workload. */
export interface OwnerKey {
  kind: string;
  namespace: string;
  name: string;
  /** The owner object, when it is in the input. */
  resource?: K8sResource;
}

/** A workload's members: the owner (when present) and every object below it. */
export interface OwnerGroup {
  id: string;
  owner: OwnerKey;
  /** Intermediate owners and the owner itself (ReplicaSets, Jobs, the Deployment), input order. */
  controllers: K8sResource[];
  /** The pods, sorted by name. */
  pods: K8sResource[];
  /** Owners of another kind that map to the same id (a conflict the caller reports). */
  conflicts: OwnerKey[];
}

/** Index of workload-kind objects by `kind/namespace/name`. */
export type OwnerIndex = ReadonlyMap<string, K8sResource>;

function key(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** Indexes the workload-kind resources (the first of duplicates wins). */
export function indexOwners(resources: readonly K8sResource[]): OwnerIndex {
  const index = new Map<string, K8sResource>();
  for (const r of resources) {
    if (!WORKLOAD_KINDS.has(r.kind)) continue;
    const k = key(r.kind, r.metadata.namespace ?? "default", r.metadata.name);
    if (!index.has(k)) index.set(k, r);
  }
  return index;
}

/** The reference that controls an object: the `controller: true` one, else the first workload-like one. */
export function controllerRef(res: K8sResource): { kind: string; name: string } | undefined {
  const refs = (res.metadata.ownerReferences ?? []).filter((r) => !NON_WORKLOAD_OWNER_KINDS.has(r.kind));
  return refs.find((r) => r.controller === true) ?? refs[0];
}

/** Walks ownerReferences up to the top-most owner (at most 10 steps; cycles stop the walk). */
export function topOwner(res: K8sResource, index: OwnerIndex): OwnerKey {
  const namespace = res.metadata.namespace ?? "default";
  let cur: OwnerKey = { kind: res.kind, namespace, name: res.metadata.name, resource: res };
  const visited = new Set([key(res.kind, namespace, res.metadata.name)]);
  for (let step = 0; step < 10 && cur.resource; step++) {
    const ref = controllerRef(cur.resource);
    if (!ref) break;
    const kind = normalOwnerKind(ref.kind);
    const k = key(kind, namespace, ref.name);
    if (visited.has(k)) break;
    visited.add(k);
    cur = { kind, namespace, name: ref.name, resource: index.get(k) };
  }
  return cur;
}

/**
 * Groups the workload-kind resources by the workload they belong to. Two different owners with the
 * same id (a Deployment and a StatefulSet both named `web`) share one group; the caller reports it.
 */
export function groupByOwner(resources: readonly K8sResource[]): OwnerGroup[] {
  const index = indexOwners(resources);
  const groups = new Map<string, OwnerGroup>();
  for (const r of resources) {
    if (!WORKLOAD_KINDS.has(r.kind)) continue;
    const owner = topOwner(r, index);
    const id = workloadId(owner.namespace, owner.name);
    let g = groups.get(id);
    if (!g) {
      g = { id, owner, controllers: [], pods: [], conflicts: [] };
      groups.set(id, g);
    } else if (g.owner.kind !== owner.kind) {
      if (!g.conflicts.some((c) => c.kind === owner.kind)) g.conflicts.push(owner);
    } else if (!g.owner.resource && owner.resource) {
      g.owner = owner;
    }
    if (r.kind === "Pod") g.pods.push(r);
    else g.controllers.push(r);
  }
  for (const g of groups.values()) g.pods.sort((a, b) => compareNames(a.metadata.name, b.metadata.name));
  return [...groups.values()].sort((a, b) => compareNames(a.id, b.id));
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

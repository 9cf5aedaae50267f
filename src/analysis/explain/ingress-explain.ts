/**
 * Explanations of `{ingress-controller}` pairs: the ingress side of such a pair is decided by the
 * policies (as for any source) and by the Ingress/Route objects that lead to the workload: a part
 * is allowed when the policies allow it and some object's Service port reaches it. The objects
 * name themselves in the explanation: "Route 'ns/r' allows ingress connections through service s",
 * or, for a part no object reaches, "... allows ingress to service s, but the protocols and ports
 * do not match".
 */
import type { ParsedService } from "../../inventory/k8s/services.js";
import { ConnSet } from "../../model/ports.js";
import type { Workload } from "../../model/workload.js";
import type { IngressBackend } from "../ingress/backends.js";
import { ingressTargets } from "../ingress/ingress.js";
import type { PairSegment, SideReasons } from "./explain.js";

/** One Ingress/Route object's access to a workload through one Service. */
export interface IngressAccess {
  via: "Ingress" | "Route";
  /** `namespace/name` of the object. */
  object: string;
  service: string;
  /** The TCP ports of the workload it reaches. */
  conns: ConnSet;
}

/** A workload behind Ingress/Route objects, with each object's access. */
export interface IngressExplainTarget {
  workload: Workload;
  accesses: IngressAccess[];
}

/** An ingress object named in an explanation. */
export interface IngressObjectReason {
  kind: "ingress-object";
  via: "Ingress" | "Route";
  object: string;
  service: string;
  /** True when the object reaches this part. */
  matched: boolean;
}

/** Every workload behind an Ingress/Route, with the access of each (object, Service), sorted. */
export function ingressExplainTargets(input: {
  backends: readonly IngressBackend[];
  services: readonly ParsedService[];
  workloads: readonly Workload[];
}): IngressExplainTarget[] {
  const byWorkload = new Map<string, IngressExplainTarget>();
  const groups = new Map<string, IngressBackend[]>();
  for (const b of input.backends) {
    const key = `${b.via}\u0000${b.object}\u0000${b.namespace}\u0000${b.service}`;
    groups.set(key, [...(groups.get(key) ?? []), b]);
  }
  for (const list of groups.values()) {
    const first = list[0];
    for (const t of ingressTargets({
      backends: list,
      services: input.services,
      workloads: input.workloads,
    })) {
      const entry = byWorkload.get(t.workload.id) ?? { workload: t.workload, accesses: [] };
      entry.accesses.push({ via: first.via, object: first.object, service: first.service, conns: t.conns });
      byWorkload.set(t.workload.id, entry);
    }
  }
  const key = (a: IngressAccess) => `${a.via} ${a.object} ${a.service}`;
  return [...byWorkload.keys()].sort().map((id) => {
    const e = byWorkload.get(id)!;
    return { ...e, accesses: e.accesses.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)) };
  });
}

/** The parts of the connection space that the same objects reach. */
function accessAtoms(accesses: readonly IngressAccess[]): { conns: ConnSet; by: IngressAccess[] }[] {
  let atoms: { conns: ConnSet; by: IngressAccess[] }[] = [{ conns: ConnSet.ALL, by: [] }];
  for (const a of accesses) {
    const next: typeof atoms = [];
    for (const atom of atoms) {
      const inside = atom.conns.intersect(a.conns);
      const outside = atom.conns.subtract(a.conns);
      if (!inside.isEmpty()) next.push({ conns: inside, by: [...atom.by, a] });
      if (!outside.isEmpty()) next.push({ conns: outside, by: atom.by });
    }
    atoms = next;
  }
  return atoms;
}

function objectReasons(
  accesses: readonly IngressAccess[],
  by: readonly IngressAccess[],
): IngressObjectReason[] {
  const list = by.length > 0 ? by : accesses;
  return list.map((a) => ({
    kind: "ingress-object",
    via: a.via,
    object: a.object,
    service: a.service,
    matched: by.length > 0,
  }));
}

/** Refines a controller pair's segments by what the objects reach (policy reasons first). */
export function withIngressObjects(
  segments: readonly PairSegment[],
  accesses: readonly IngressAccess[],
): PairSegment[] {
  const atoms = accessAtoms(accesses);
  const merged = new Map<string, PairSegment>();
  for (const s of segments)
    for (const atom of atoms) {
      const conns = s.conns.intersect(atom.conns);
      if (conns.isEmpty()) continue;
      const policy = s.ingress.reasons.filter((r) => r.kind !== "default");
      const ingress: SideReasons = {
        allowed: s.ingress.allowed && atom.by.length > 0,
        reasons: [...policy, ...objectReasons(accesses, atom.by)],
      };
      const key = `${JSON.stringify(s.egress)}|${JSON.stringify(ingress)}`;
      const prev = merged.get(key);
      if (prev) prev.conns = prev.conns.union(conns);
      else
        merged.set(key, { conns, allowed: s.egress.allowed && ingress.allowed, egress: s.egress, ingress });
    }
  return [...merged.values()];
}

/**
 * Choosing selectors for generated policies: the identifying labels of a workload, extended with
 * version-like labels (then every stable label) only where needed to tell apart workloads whose
 * peers differ; workloads that cannot be told apart and behave alike share one policy unit.
 */
import {
  compileSelector,
  identifyingLabels,
  type Labels,
  labelsInclude,
  stableLabels,
  VERSION_KEYS,
} from "../../model/labels.js";
import type { MapWorkload } from "../../model/map.js";

/** A set of workloads that one generated policy selects, with the labels that select them. */
export interface PolicyUnit {
  /** A readable name: the workload name, or the shared label value of a merged group. */
  name: string;
  namespace: string;
  /** The workload ids this unit selects, sorted. */
  members: string[];
  /**
   * matchLabels selecting exactly the members among the namespace's known workloads; empty when
   * the data has no labels for the workload (the unit then covers the whole namespace).
   */
  labels: Record<string, string>;
  /** Why the selector is wider than one workload, when it is. */
  note?: string;
}

/** What choosing the units yields: unit per workload id, and notes for the report. */
export interface UnitAssignment {
  unitOf: Map<string, PolicyUnit>;
  units: PolicyUnit[];
  notes: string[];
}

/** Does `labels` select exactly `members` among `all` (the namespace's workloads)? */
function selectsExactly(labels: Labels, members: Set<string>, all: MapWorkload[]): boolean {
  if (Object.keys(labels).length === 0) return false;
  const match = compileSelector({ matchLabels: { ...labels } });
  return all.every((w) => match(w.labels) === members.has(w.id));
}

/** The identifying labels plus version-like labels present on the workload. */
function withVersion(w: MapWorkload): Record<string, string> {
  const out = { ...identifyingLabels(w.labels) };
  for (const k of VERSION_KEYS) if (w.labels[k] !== undefined) out[k] = w.labels[k];
  return out;
}

/**
 * Assigns every in-cluster workload of the map to a policy unit.
 * @param signature how a workload behaves (its peers and ports); equal signatures may share a unit.
 */
export function assignUnits(workloads: MapWorkload[], signature: (id: string) => string): UnitAssignment {
  const unitOf = new Map<string, PolicyUnit>();
  const units: PolicyUnit[] = [];
  const notes: string[] = [];
  const byNs = new Map<string, MapWorkload[]>();
  for (const w of workloads) {
    if (w.kind === "entity" || w.kind === "external" || !w.namespace) continue;
    const list = byNs.get(w.namespace) ?? [];
    list.push(w);
    byNs.set(w.namespace, list);
  }
  for (const [ns, all] of [...byNs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const groups = new Map<string, MapWorkload[]>();
    for (const w of all) {
      const key = JSON.stringify(Object.entries(identifyingLabels(w.labels)).sort());
      const g = groups.get(key) ?? [];
      g.push(w);
      groups.set(key, g);
    }
    for (const group of [...groups.values()]) {
      group.sort((a, b) => (a.id < b.id ? -1 : 1));
      const add = (u: PolicyUnit) => {
        units.push(u);
        for (const m of u.members) unitOf.set(m, u);
      };
      const ids = new Set(group.map((w) => w.id));
      const sameBehaviour = new Set(group.map((w) => signature(w.id))).size === 1;
      const idLabels = identifyingLabels(group[0].labels);
      if (group.length > 1 && sameBehaviour && selectsExactly(idLabels, ids, all)) {
        const value = Object.values(idLabels)[0] ?? group[0].name;
        add({ name: value, namespace: ns, members: [...ids], labels: idLabels });
        continue;
      }
      for (const w of group) {
        const one = new Set([w.id]);
        const candidates = [identifyingLabels(w.labels), withVersion(w), stableLabels(w.labels)];
        const exact = candidates.find((c) => selectsExactly(c, one, all));
        if (exact) {
          add({ name: w.name, namespace: ns, members: [w.id], labels: exact });
          continue;
        }
        // No label set singles the workload out: fall back to the widest unit that its labels select.
        const labels = stableLabels(w.labels);
        if (Object.keys(labels).length === 0) {
          // Nothing in the data tells its pods apart: its rules, and rules naming it as a peer,
          // apply to every pod of its namespace — wider than wanted, but never an IP rule and
          // never a silent break of observed traffic.
          add({
            name: w.name,
            namespace: ns,
            members: [w.id],
            labels: {},
            note: "the data has no labels for it: its rules, and rules naming it as a peer, cover every pod of the namespace",
          });
          continue;
        }
        const shared = all.filter((o) => labelsInclude(o.labels, labels)).map((o) => o.id);
        const existing = unitOf.get(w.id);
        if (existing) continue;
        notes.push(
          `${w.id} cannot be told apart from ${shared.filter((s) => s !== w.id).join(", ")} by labels: their rules are merged`,
        );
        add({
          name: w.name,
          namespace: ns,
          members: shared.sort(),
          labels,
          note: "labels do not tell these workloads apart",
        });
      }
    }
  }
  units.sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
  return { unitOf, units, notes };
}

/**
 * Resources → Inventory: workloads (by top-most owner), namespaces with their labels, the
 * Services that select each workload, and pod-IP bindings. Pure: no I/O.
 */
import { stableLabels } from "../../model/labels.js";
import { type Problem, problem } from "../../model/problems.js";
import { defaultNamespaceLabels, displayName, type Workload } from "../../model/workload.js";
import type { AddressBinding, Inventory, K8sResource } from "../types.js";
import { KNOWN_KINDS } from "./kinds.js";
import { groupByOwner, type OwnerGroup } from "./owners.js";
import { type PodTemplate, podSpecFacts, podTemplateOf, sortPorts } from "./pod-spec.js";
import { type ParsedService, parseService, servicesFor } from "./services.js";

/** Inputs of {@link buildK8sInventory} besides the resources. */
export interface BuildInventoryOptions {
  /** The files read, in order. */
  files?: string[];
  /** Problems found while reading (kept first in the result). */
  problems?: Problem[];
}

/** Builds the inventory from resources (in input order). */
export function buildK8sInventory(resources: K8sResource[], opts: BuildInventoryOptions = {}): Inventory {
  const problems: Problem[] = [...(opts.problems ?? [])];
  reportUnknownKinds(resources, problems);
  reportDuplicates(resources, problems);
  const namespaces = collectNamespaces(resources);
  const services = resources.filter((r) => r.kind === "Service").map((r) => parseService(r, problems));
  const workloads: Workload[] = [];
  const bindings: AddressBinding[] = [];
  const workloadResources = new Map<string, K8sResource[]>();
  for (const group of groupByOwner(resources)) {
    const w = buildWorkload(group, problems);
    if (!namespaces.has(w.namespace!)) namespaces.set(w.namespace!, defaultNamespaceLabels(w.namespace!));
    w.namespaceLabels = { ...namespaces.get(w.namespace!)! };
    workloads.push(w);
    workloadResources.set(w.id, [...group.controllers, ...group.pods]);
    bindings.push(...podBindings(group, w.id));
  }
  for (const w of workloads) attachServices(w, services);
  for (const w of workloads) {
    const ips = bindings.filter((b) => b.workloadId === w.id).map((b) => b.ip);
    if (ips.length) w.addresses = [...new Set(ips)].sort(compareStrings);
  }
  return {
    workloads,
    namespaces: sortedMap(namespaces),
    resources,
    bindings: bindings.sort(compareBindings),
    files: [...(opts.files ?? [])],
    problems,
    workloadResources,
  };
}

function reportUnknownKinds(resources: readonly K8sResource[], problems: Problem[]): void {
  for (const r of resources) {
    if (KNOWN_KINDS.has(r.kind)) continue;
    const msg = `${r.kind} ${r.metadata.name}: kind not read by microseg; skipped`;
    problems.push(problem("resource-unknown-kind", "info", msg, r.location));
  }
}

/**
 * Kinds whose duplicates are fatal: two policies or namespaces with one name leave the policies that
 * apply undefined (the API server keeps one object per name; netpol-analyzer rejects such input).
 */
const FATAL_DUPLICATE_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "NetworkPolicy",
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
]);

function reportDuplicates(resources: readonly K8sResource[], problems: Problem[]): void {
  const seen = new Map<string, K8sResource>();
  for (const r of resources) {
    const k = `${r.kind}/${r.metadata.namespace ?? ""}/${r.metadata.name}`;
    const first = seen.get(k);
    if (!first) {
      seen.set(k, r);
      continue;
    }
    const where = `${first.location.file}:${first.location.line}`;
    const name = r.metadata.namespace ? `${r.metadata.namespace}/${r.metadata.name}` : r.metadata.name;
    const fatal = FATAL_DUPLICATE_KINDS.has(r.kind);
    const msg = `${r.kind} ${name} is also defined at ${where}${fatal ? ": which one applies is ambiguous" : ""}`;
    problems.push(problem("resource-duplicate", fatal ? "error" : "warning", msg, r.location));
  }
}

/** Namespace → labels from Namespace objects (always with `kubernetes.io/metadata.name`) and every namespace used. */
function collectNamespaces(resources: readonly K8sResource[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const r of resources) {
    if (r.kind !== "Namespace" || out.has(r.metadata.name)) continue;
    out.set(r.metadata.name, { ...(r.metadata.labels ?? {}), ...defaultNamespaceLabels(r.metadata.name) });
  }
  for (const r of resources) {
    const ns = r.metadata.namespace;
    if (ns !== undefined && !out.has(ns)) out.set(ns, defaultNamespaceLabels(ns));
  }
  return out;
}

/** The resource whose pod template defines the workload: the owner when present, else the first pod. */
function templateSource(group: OwnerGroup): { res: K8sResource; tpl: PodTemplate } | undefined {
  const candidates = group.owner.resource ? [group.owner.resource, ...group.pods] : group.pods;
  for (const res of candidates) {
    const tpl = podTemplateOf(res);
    if (tpl) return { res, tpl };
  }
  return undefined;
}

function buildWorkload(group: OwnerGroup, problems: Problem[]): Workload {
  const { owner } = group;
  const w: Workload = {
    id: group.id,
    kind: "pod-owner",
    ownerKind: owner.kind,
    namespace: owner.namespace,
    name: owner.name,
    labels: {},
  };
  reportConflicts(group, w, problems);
  const source = templateSource(group);
  if (!source) return w;
  w.source = `${source.res.location.file}:${source.res.location.line}`;
  w.labels = stableLabels(source.tpl.labels);
  const facts = podSpecFacts(source.res, source.tpl, problems);
  w.serviceAccount = facts.serviceAccount;
  const images = new Set(facts.images);
  const ports = [...facts.ports];
  for (const pod of group.pods) {
    if (pod === source.res) continue;
    const tpl = podTemplateOf(pod)!;
    const podFacts = podSpecFacts(pod, tpl, problems);
    for (const i of podFacts.images) images.add(i);
    ports.push(...podFacts.ports);
  }
  if (images.size) w.images = [...images].sort(compareStrings);
  if (ports.length) w.ports = sortPorts(ports);
  if (!owner.resource) reportLabelDifferences(group, w, problems);
  return w;
}

function reportConflicts(group: OwnerGroup, w: Workload, problems: Problem[]): void {
  for (const c of group.conflicts) {
    const msg = `${c.kind} ${group.id} has the same workload id as ${displayName(w)}; read as one workload`;
    problems.push(problem("resource-duplicate", "warning", msg, c.resource?.location));
  }
}

/** Pods of one owner must carry the same (stable) labels; netpol-analyzer rejects inputs where they do not. */
function reportLabelDifferences(group: OwnerGroup, w: Workload, problems: Problem[]): void {
  const [first, ...rest] = group.pods;
  if (!first) return;
  const want = JSON.stringify(w.labels);
  for (const pod of rest) {
    const got = stableLabels(pod.metadata.labels ?? {});
    if (JSON.stringify(got) === want) continue;
    const msg =
      `pods of ${displayName(w)} carry different labels: ${first.metadata.name} ${JSON.stringify(w.labels)}, ` +
      `${pod.metadata.name} ${JSON.stringify(got)}; the workload takes the labels of ${first.metadata.name}`;
    problems.push(problem("owner-labels-differ", "warning", msg, pod.location));
    return;
  }
}

function attachServices(w: Workload, services: readonly ParsedService[]): void {
  const refs = servicesFor(services, w);
  if (refs.length) w.services = refs;
}

/** Pod IPs as bindings over the pod's lifetime; none for host-network pods or finished pods. */
function podBindings(group: OwnerGroup, workloadId: string): AddressBinding[] {
  const out: AddressBinding[] = [];
  for (const pod of group.pods) {
    const spec = pod.raw.spec as Record<string, unknown> | undefined;
    const status = pod.raw.status as Record<string, unknown> | undefined;
    if (!status || spec?.hostNetwork === true) continue;
    if (status.phase === "Succeeded" || status.phase === "Failed") continue;
    const source = `${pod.location.file}:${pod.location.line}`;
    const from = parseTime(pod.metadata.creationTimestamp);
    const to = parseTime(pod.metadata.deletionTimestamp);
    for (const ip of podIps(status)) {
      const b: AddressBinding = { ip, workloadId, source };
      if (from !== undefined) b.from = from;
      if (to !== undefined) b.to = to;
      out.push(b);
    }
  }
  return out;
}

function podIps(status: Record<string, unknown>): string[] {
  const ips = new Set<string>();
  if (typeof status.podIP === "string" && status.podIP !== "") ips.add(status.podIP);
  if (Array.isArray(status.podIPs)) {
    for (const e of status.podIPs) {
      const ip = (e as { ip?: unknown } | null)?.ip;
      if (typeof ip === "string" && ip !== "") ips.add(ip);
    }
  }
  return [...ips];
}

function parseTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBindings(a: AddressBinding, b: AddressBinding): number {
  return (
    compareStrings(a.ip, b.ip) || (a.from ?? 0) - (b.from ?? 0) || compareStrings(a.workloadId, b.workloadId)
  );
}

function sortedMap<V>(m: Map<string, V>): Map<string, V> {
  return new Map([...m.entries()].sort(([a], [b]) => compareStrings(a, b)));
}

/**
 * Istio mesh membership from labels: a namespace is in the mesh when labelled
 * `istio-injection=enabled` or `istio.io/rev=<revision>`; `istio-injection=disabled`, or known
 * namespace labels without either, put it outside; a pod label `sidecar.istio.io/inject`
 * overrides its namespace. Only `kubernetes.io/metadata.name` (the label every namespace has) means
 * the labels are unknown.
 */
import type { Labels } from "../../model/labels.js";

/** In the mesh, outside it, or unknown (the data has no namespace labels). */
export type MeshState = "in" | "out" | "unknown";

const INJECTION = "istio-injection";
const REVISION = "istio.io/rev";
const POD_INJECT = "sidecar.istio.io/inject";
const NAME_LABEL = "kubernetes.io/metadata.name";

/** The mesh state of a namespace from its labels. */
export function namespaceMeshState(labels: Labels | undefined): MeshState {
  const l = labels ?? {};
  if (l[INJECTION] === "enabled" || (l[REVISION] !== undefined && l[INJECTION] !== "disabled")) return "in";
  if (l[INJECTION] === "disabled") return "out";
  return Object.keys(l).some((k) => k !== NAME_LABEL) ? "out" : "unknown";
}

/** The mesh state of a workload: its pod label, else its namespace's state. */
export function workloadMeshState(w: { labels: Labels; namespaceLabels?: Labels }): MeshState {
  const ns = namespaceMeshState(w.namespaceLabels);
  if (w.labels[POD_INJECT] === "false") return "out";
  if (w.labels[POD_INJECT] === "true" && ns !== "out") return "in";
  return ns;
}

/** Why a namespace is outside the mesh, for messages. */
export function outsideMeshReason(labels: Labels | undefined): string {
  const l = labels ?? {};
  if (l[INJECTION] === "disabled") return "its namespace is labelled istio-injection=disabled";
  return "its namespace labels have no istio-injection=enabled or istio.io/rev";
}

/** The union of the namespace labels the workloads of each namespace carry. */
export function namespaceLabelsOf(
  workloads: readonly { namespace?: string; namespaceLabels?: Labels }[],
): Map<string, Labels> {
  const out = new Map<string, Labels>();
  for (const w of workloads) {
    if (!w.namespace) continue;
    out.set(w.namespace, { ...(out.get(w.namespace) ?? {}), ...(w.namespaceLabels ?? {}) });
  }
  return out;
}

/**
 * Exposure through Ingress objects: the workloads behind a Service that an Ingress routes to
 * face the outside (a zone heuristic). Reads the objects' raw specs; pure.
 */
import type { K8sResource } from "../inventory/types.js";
import type { MapWorkload } from "../model/map.js";

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The Service names an Ingress (networking.k8s.io/v1 or v1beta1) sends traffic to. */
export function ingressServiceNames(res: K8sResource): string[] {
  const spec = isObj(res.raw.spec) ? res.raw.spec : {};
  const names: string[] = [];
  const backend = (b: unknown) => {
    if (!isObj(b)) return;
    if (isObj(b.service) && typeof b.service.name === "string") names.push(b.service.name);
    if (typeof b.serviceName === "string") names.push(b.serviceName);
  };
  backend(spec.defaultBackend);
  backend(spec.backend);
  for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
    const paths = isObj(rule) && isObj(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
    for (const p of paths) if (isObj(p)) backend(p.backend);
  }
  return [...new Set(names)].sort();
}

/** Workload id → `Ingress ns/name routes to Service s` for every workload behind an Ingress. */
export function ingressExposures(
  resources: readonly K8sResource[],
  workloads: readonly MapWorkload[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of resources) {
    if (r.kind !== "Ingress") continue;
    const ns = r.metadata.namespace ?? "default";
    for (const svc of ingressServiceNames(r))
      for (const w of workloads)
        if ((w.services ?? []).some((s) => s.namespace === ns && s.name === svc)) {
          const list = out.get(w.id) ?? [];
          list.push(`Ingress ${ns}/${r.metadata.name} routes to Service ${svc}`);
          out.set(w.id, list);
        }
  }
  return out;
}

/**
 * Ingress and OpenShift Route objects → the Services they send traffic to (their backends).
 * Kubernetes Ingress: `spec.defaultBackend.service` and every `spec.rules[].http.paths[].backend.service`
 * (port by `number` or `name`). Route: `spec.to` and `spec.alternateBackends[]` of kind Service (or no
 * kind), all with the Route's `spec.port.targetPort` (absent: every port of the Service). Backends
 * that are not Services are skipped with a warning. Pure: reads parsed objects.
 */
import type { K8sResource } from "../../inventory/types.js";
import { type Problem, problem } from "../../model/problems.js";

/** One Service an Ingress or Route sends traffic to. */
export interface IngressBackend {
  /** `Ingress` or `Route`. */
  via: "Ingress" | "Route";
  /** The Ingress/Route as `namespace/name`. */
  object: string;
  namespace: string;
  service: string;
  /** The Service port asked for (number or name); undefined = every port of the Service. */
  port?: number | string;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The port of an Ingress service backend: `number` (non-zero) else `name`. */
function ingressPort(svc: Obj): number | string | undefined {
  const port = isObject(svc.port) ? svc.port : {};
  if (typeof port.name === "string" && port.name !== "") return port.name;
  if (typeof port.number === "number" && port.number !== 0) return port.number;
  return undefined;
}

/** An Ingress/Route `targetPort`: a number, a numeric string, or a name. */
function intOrString(v: unknown): number | string | undefined {
  if (typeof v === "number" && v !== 0) return v;
  if (typeof v === "string" && /^\d+$/.test(v) && Number(v) !== 0) return Number(v);
  if (typeof v === "string" && v !== "") return v;
  return undefined;
}

function ingressBackends(res: K8sResource, problems: Problem[]): IngressBackend[] {
  const spec = isObject(res.raw.spec) ? res.raw.spec : {};
  const namespace = res.metadata.namespace ?? "default";
  const object = `${namespace}/${res.metadata.name}`;
  const out: IngressBackend[] = [];
  const add = (backend: unknown, what: string) => {
    const svc = isObject(backend) && isObject(backend.service) ? backend.service : undefined;
    if (!svc || typeof svc.name !== "string") {
      const msg = `Ingress ${object}: ${what} has no Service backend; ignored`;
      problems.push(problem("resource-invalid", "warning", msg, res.location));
      return;
    }
    const port = ingressPort(svc);
    out.push({ via: "Ingress", object, namespace, service: svc.name, ...(port !== undefined && { port }) });
  };
  if (spec.defaultBackend !== undefined) add(spec.defaultBackend, "the default backend");
  for (const rule of list(spec.rules)) {
    const http = isObject(rule) && isObject(rule.http) ? rule.http : {};
    for (const path of list(http.paths)) add(isObject(path) ? path.backend : undefined, "a rule");
  }
  return out;
}

function routeBackends(res: K8sResource, problems: Problem[]): IngressBackend[] {
  const spec = isObject(res.raw.spec) ? res.raw.spec : {};
  const namespace = res.metadata.namespace ?? "default";
  const object = `${namespace}/${res.metadata.name}`;
  const port = intOrString(isObject(spec.port) ? spec.port.targetPort : undefined);
  const out: IngressBackend[] = [];
  const add = (to: unknown, what: string) => {
    const kind = isObject(to) ? to.kind : undefined;
    if (
      !isObject(to) ||
      typeof to.name !== "string" ||
      (kind !== undefined && kind !== "" && kind !== "Service")
    ) {
      const msg = `Route ${object}: ${what} is not a Service; ignored`;
      problems.push(problem("resource-invalid", "warning", msg, res.location));
      return;
    }
    out.push({ via: "Route", object, namespace, service: to.name, ...(port !== undefined && { port }) });
  };
  add(spec.to, "the target");
  for (const b of list(spec.alternateBackends)) add(b, "an alternate backend");
  return out;
}

/** Every backend of the Ingress (`networking.k8s.io`) and Route (`route.openshift.io`) objects. */
export function readIngressBackends(
  resources: readonly K8sResource[],
  problems: Problem[],
): IngressBackend[] {
  const out: IngressBackend[] = [];
  for (const res of resources) {
    if (res.kind === "Ingress" && res.apiVersion.startsWith("networking.k8s.io/"))
      out.push(...ingressBackends(res, problems));
    else if (res.kind === "Route" && res.apiVersion.startsWith("route.openshift.io/"))
      out.push(...routeBackends(res, problems));
  }
  return out;
}

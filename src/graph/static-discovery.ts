/**
 * Static discovery: with no flows, infer edges from manifests. A container env value that names a
 * Service (`svc:port`, `svc.ns:port`, `svc.ns.svc.cluster.local:port`, `http://svc…:port/path`,
 * a bare `svc` under an ADDR/HOST/URL-like name when the Service has one port) becomes an edge from
 * the workload to every workload the Service selects, on the Service's target port; a workload
 * naming its own Service makes no edge. A Service of type LoadBalancer or NodePort, or an Ingress /
 * Route backend, exposes its workloads: an edge from `entity:world` on the target port. Pure: it
 * reads the Inventory only.
 */
import type { Inventory, K8sResource } from "../inventory/types.js";
import type { Edge, EdgePort } from "../model/map.js";
import { isPortNumber, type Protocol } from "../model/ports.js";
import { type Problem, problem } from "../model/problems.js";
import type { ServicePort, ServiceRef, Workload } from "../model/workload.js";

/** Edges inferred from manifests, and the env values that looked like addresses but did not resolve. */
export interface StaticDiscoveryResult {
  edges: Edge[];
  problems: Problem[];
}

/** A host (and maybe port) read from an env value. */
export interface ServiceAddress {
  host: string;
  port?: number;
  /** URL scheme, lower case, when the value was a URL. */
  scheme?: string;
}

/** A DNS name split into the Service it names. */
interface ServiceName {
  service: string;
  /** Undefined: the client's own namespace. */
  namespace?: string;
  /** True when the name has the cluster form (`….svc` / `….svc.cluster.local`), so it must be a Service. */
  clusterForm: boolean;
}

/** One env var of one container, with where it is. */
interface EnvEntry {
  name: string;
  value: string;
  container: string;
  evidence: string;
  where: { file?: string; line?: number };
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  grpc: 80,
  redis: 6379,
  amqp: 5672,
  mongodb: 27017,
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  nats: 4222,
};

/** Env names under which a bare host name is taken as an address. */
const ADDRESS_NAME = /(ADDR|ADDRESS|HOST|HOSTNAME|URL|URI|ENDPOINT|SERVER|SERVICE)S?$|(ADDR|HOST|URL)_/i;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Infers edges from the container env of every workload of the inventory (sorted by src, dst). */
export function discoverStaticEdges(inv: Inventory): StaticDiscoveryResult {
  const problems: Problem[] = [];
  const targets = serviceTargets(inv.workloads);
  const serviceNames = new Set(
    inv.resources
      .filter((r) => r.kind === "Service")
      .map((r) => `${r.metadata.namespace}/${r.metadata.name}`),
  );
  const namespaces = new Set(inv.namespaces.keys());
  const edges = new Map<string, Edge>();
  for (const w of inv.workloads) {
    for (const env of envOfWorkload(w, inv.workloadResources?.get(w.id) ?? [])) {
      for (const addr of parseServiceAddresses(env.value)) {
        const ctx = { w, env, addr, targets, serviceNames, namespaces, problems };
        for (const e of resolveAddress(ctx)) mergeEdge(edges, e);
      }
    }
  }
  for (const e of exposureEdges(inv, targets)) mergeEdge(edges, e);
  return { edges: [...edges.values()].sort(compareEdges), problems };
}

/** The peer standing for every client outside the cluster. */
export const WORLD_ID = "entity:world";

/**
 * Workloads exposed outside the cluster by declaration: a Service of type LoadBalancer or
 * NodePort, or an Ingress / OpenShift Route backend, admits outside clients on the Service's
 * target port. Each becomes an inferred edge from `entity:world`, with the object as evidence.
 */
function exposureEdges(inv: Inventory, targets: ServiceTargets): Edge[] {
  const out: Edge[] = [];
  for (const r of inv.resources) {
    const ns = r.metadata.namespace ?? "default";
    const where = `${r.location.file}:${r.location.line ?? 1}`;
    if (r.kind === "Service") {
      const type = String(getPath(r.raw, ["spec", "type"]) ?? "ClusterIP");
      if (type !== "LoadBalancer" && type !== "NodePort") continue;
      const evidence = `Service ${r.metadata.name} type ${type} (${where})`;
      out.push(...serviceExposure(targets, ns, r.metadata.name, undefined, evidence));
    } else if (r.kind === "Ingress") {
      for (const { path, backend } of ingressBackends(r.raw)) {
        const line = r.lineAt?.(path) ?? r.location.line ?? 1;
        const evidence = `Ingress ${r.metadata.name} backend ${backend.name} (${r.location.file}:${line})`;
        out.push(...serviceExposure(targets, ns, backend.name, backend.port, evidence));
      }
    } else if (r.kind === "Route" && getPath(r.raw, ["spec", "to", "kind"]) !== "Other") {
      const name = getPath(r.raw, ["spec", "to", "name"]);
      if (typeof name !== "string") continue;
      const target = getPath(r.raw, ["spec", "port", "targetPort"]);
      const port = typeof target === "number" || typeof target === "string" ? target : undefined;
      const evidence = `Route ${r.metadata.name} to Service ${name} (${where})`;
      out.push(...serviceExposure(targets, ns, name, port, evidence, true));
    }
  }
  return out;
}

/** Ingress backends (`spec.defaultBackend` and every rule path) with their JSON paths. */
function ingressBackends(
  raw: unknown,
): { path: (string | number)[]; backend: { name: string; port?: number | string } }[] {
  const out: { path: (string | number)[]; backend: { name: string; port?: number | string } }[] = [];
  const add = (path: (string | number)[]) => {
    const svc = getPath(raw, [...path, "service"]);
    const name = getPath(svc, ["name"]);
    if (typeof name !== "string") return;
    const num = getPath(svc, ["port", "number"]);
    const named = getPath(svc, ["port", "name"]);
    const port = typeof num === "number" ? num : typeof named === "string" ? named : undefined;
    out.push({ path, backend: port === undefined ? { name } : { name, port } });
  };
  if (getPath(raw, ["spec", "defaultBackend"])) add(["spec", "defaultBackend"]);
  const rules = getPath(raw, ["spec", "rules"]);
  for (let i = 0; Array.isArray(rules) && i < rules.length; i++) {
    const paths = getPath(rules, [i, "http", "paths"]);
    for (let j = 0; Array.isArray(paths) && j < paths.length; j++)
      add(["spec", "rules", i, "http", "paths", j, "backend"]);
  }
  return out;
}

/**
 * Edges from outside to the workloads a Service selects, on the target port of each Service port
 * (or only the one `port` names: a Service port number or name; for a Route, a target port).
 */
function serviceExposure(
  targets: ServiceTargets,
  ns: string,
  service: string,
  port: number | string | undefined,
  evidence: string,
  byTargetPort = false,
): Edge[] {
  const edges: Edge[] = [];
  for (const { w, ref } of targets.get(`${ns}/${service}`) ?? []) {
    const chosen = ref.ports.filter(
      (p) =>
        port === undefined ||
        (byTargetPort ? p.targetPort === port || p.name === port : p.port === port || p.name === port),
    );
    for (const sp of chosen) {
      const target = targetPortNumber(sp, w);
      if (target !== undefined)
        edges.push(inferredEdge(WORLD_ID, w.id, { protocol: sp.protocol, port: target }, evidence));
    }
  }
  return edges;
}

/** `namespace/service` → the workloads it selects, with the Service as each sees it. */
type ServiceTargets = ReadonlyMap<string, { w: Workload; ref: ServiceRef }[]>;

function serviceTargets(workloads: readonly Workload[]): Map<string, { w: Workload; ref: ServiceRef }[]> {
  const out = new Map<string, { w: Workload; ref: ServiceRef }[]>();
  for (const w of workloads) {
    for (const ref of w.services ?? []) {
      const k = `${ref.namespace}/${ref.name}`;
      out.set(k, [...(out.get(k) ?? []), { w, ref }]);
    }
  }
  return out;
}

/** The env vars of the workload's pod template: from its owner object, else from its first pod. */
function envOfWorkload(w: Workload, resources: readonly K8sResource[]): EnvEntry[] {
  const res = resources.find((r) => r.kind === w.ownerKind) ?? resources.find((r) => r.kind === "Pod");
  if (!res) return [];
  const specPath = podSpecPath(res.kind);
  if (!specPath) return [];
  const spec = getPath(res.raw, specPath);
  const out: EnvEntry[] = [];
  for (const group of ["initContainers", "containers"]) {
    const list = getPath(spec, [group]);
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      out.push(...containerEnv(res, c, [...specPath, group, i]));
    });
  }
  return out;
}

function containerEnv(res: K8sResource, c: unknown, path: (string | number)[]): EnvEntry[] {
  const name = String(getPath(c, ["name"]) ?? path.at(-1));
  const env = getPath(c, ["env"]);
  if (!Array.isArray(env)) return [];
  const known = new Map<string, string>();
  const out: EnvEntry[] = [];
  env.forEach((e, i) => {
    const key = getPath(e, ["name"]);
    const raw = getPath(e, ["value"]);
    if (typeof key !== "string" || (typeof raw !== "string" && typeof raw !== "number")) return;
    const value = expandRefs(String(raw), known);
    known.set(key, value);
    const line = res.lineAt?.([...path, "env", i]) ?? res.location.line;
    out.push({
      name: key,
      value,
      container: name,
      evidence: `${res.location.file}:${line} ${name} env ${key}=${String(raw)}`,
      where: { file: res.location.file, line },
    });
  });
  return out.filter((e) => e.value.includes(":") || e.value.includes("/") || ADDRESS_NAME.test(e.name));
}

/** Kubernetes expands `$(VAR)` in env values from the vars defined before it. */
function expandRefs(value: string, known: ReadonlyMap<string, string>): string {
  return value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => known.get(v) ?? m);
}

function podSpecPath(kind: string): (string | number)[] | undefined {
  if (kind === "Pod") return ["spec"];
  if (kind === "CronJob") return ["spec", "jobTemplate", "spec", "template", "spec"];
  return ["spec", "template", "spec"];
}

function getPath(root: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/**
 * The host[:port] candidates in an env value: a URL, `host:port`, or a bare host; a comma or
 * space separated list gives several. IP addresses, `localhost` and non-DNS hosts are left out.
 */
export function parseServiceAddresses(value: string): ServiceAddress[] {
  const out: ServiceAddress[] = [];
  for (const part of value.split(/[\s,;]+/)) {
    const a = parseOneAddress(part.trim());
    if (a) out.push(a);
  }
  return out;
}

function parseOneAddress(s: string): ServiceAddress | undefined {
  if (s === "") return undefined;
  const url = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?([^/:?#]+)(?::(\d+))?/i.exec(s);
  if (url) {
    const scheme = url[1].toLowerCase();
    const port = url[3] ? Number(url[3]) : DEFAULT_PORTS[scheme];
    return hostAddress(url[2], port, scheme);
  }
  const hp = /^([^/:]+):(\d+)$/.exec(s);
  if (hp) return hostAddress(hp[1], Number(hp[2]));
  if (/^[a-z0-9.-]+$/i.test(s)) return hostAddress(s, undefined);
  return undefined;
}

function hostAddress(host: string, port: number | undefined, scheme?: string): ServiceAddress | undefined {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (h === "localhost" || /^[\d.]+$/.test(h) || !h.split(".").every((l) => DNS_LABEL.test(l)))
    return undefined;
  if (port !== undefined && !isPortNumber(port)) return undefined;
  const out: ServiceAddress = { host: h };
  if (port !== undefined) out.port = port;
  if (scheme) out.scheme = scheme;
  return out;
}

/** Splits `svc`, `svc.ns`, `svc.ns.svc[.cluster.local]`, `pod.svc.ns.svc.cluster.local`. */
function serviceName(host: string): ServiceName | undefined {
  const labels = host.split(".");
  const svcAt = labels.indexOf("svc", 2);
  if (svcAt >= 2) return { service: labels[svcAt - 2], namespace: labels[svcAt - 1], clusterForm: true };
  if (labels.length === 1) return { service: labels[0], clusterForm: false };
  if (labels.length === 2) return { service: labels[0], namespace: labels[1], clusterForm: false };
  return undefined;
}

interface ResolveContext {
  w: Workload;
  env: EnvEntry;
  addr: ServiceAddress;
  targets: ReadonlyMap<string, { w: Workload; ref: ServiceRef }[]>;
  serviceNames: ReadonlySet<string>;
  namespaces: ReadonlySet<string>;
  problems: Problem[];
}

function resolveAddress(ctx: ResolveContext): Edge[] {
  const { w, env, addr } = ctx;
  const name = serviceName(addr.host);
  if (!name) return [];
  const ns = name.namespace ?? w.namespace ?? "default";
  const key = `${ns}/${name.service}`;
  const bare = addr.port === undefined && addr.scheme === undefined;
  if (bare && !ADDRESS_NAME.test(env.name)) return [];
  if (!ctx.serviceNames.has(key)) {
    if (looksLikeService(name, addr, ctx)) unresolved(ctx, `no Service ${key} in the inventory`);
    return [];
  }
  const selected = ctx.targets.get(key) ?? [];
  if (selected.length === 0) {
    unresolved(ctx, `Service ${key} selects no workload in the inventory`);
    return [];
  }
  const edges: Edge[] = [];
  for (const { w: dst, ref } of selected) {
    const sp = servicePortFor(ref.ports, addr, bare);
    if (!sp) {
      const have = ref.ports.map((p) => p.port).join(", ") || "none";
      unresolved(ctx, `Service ${key} has no port ${addr.port ?? "(unnamed, single)"} (ports: ${have})`);
      return [];
    }
    // A workload naming its own Service (an advertised host name, a public URL) is not a call.
    if (dst.id === w.id) continue;
    const port = targetPortNumber(sp, dst);
    if (port === undefined) {
      unresolved(ctx, `Service ${key} targets port "${sp.targetPort}", which ${dst.id} does not name`);
      continue;
    }
    edges.push(inferredEdge(w.id, dst.id, { protocol: sp.protocol, port }, env.evidence));
  }
  return edges;
}

/** Whether an unresolved name deserves a note: it has a port or scheme, the cluster form, or a known namespace. */
function looksLikeService(name: ServiceName, addr: ServiceAddress, ctx: ResolveContext): boolean {
  if (name.clusterForm) return true;
  if (name.namespace !== undefined) return ctx.namespaces.has(name.namespace);
  return addr.port !== undefined || ADDRESS_NAME.test(ctx.env.name);
}

/** The Service port an address uses: its port number (TCP first), else the only port for a bare name. */
function servicePortFor(
  ports: readonly ServicePort[],
  addr: ServiceAddress,
  bare: boolean,
): ServicePort | undefined {
  if (addr.port !== undefined) {
    const matching = ports.filter((p) => p.port === addr.port);
    return matching.find((p) => p.protocol === "TCP") ?? matching[0];
  }
  return bare && ports.length === 1 ? ports[0] : undefined;
}

/** The pod port: a number, or a container port name resolved against the target's ports. */
function targetPortNumber(sp: ServicePort, dst: Workload): number | undefined {
  if (typeof sp.targetPort === "number") return sp.targetPort;
  const named = (dst.ports ?? []).filter((p) => p.name === sp.targetPort);
  return (named.find((p) => p.protocol === sp.protocol) ?? named[0])?.port;
}

function unresolved(ctx: ResolveContext, why: string): void {
  const { env, w } = ctx;
  const msg = `${w.id} container ${env.container} env ${env.name}=${env.value}: ${why}`;
  ctx.problems.push(problem("env-unresolved", "info", msg, env.where));
}

function inferredEdge(
  src: string,
  dst: string,
  port: EdgePort & { protocol: Protocol },
  evidence: string,
): Edge {
  return { src, dst, ports: [port], flows: 0, provenance: "inferred", evidence: [evidence] };
}

function mergeEdge(edges: Map<string, Edge>, e: Edge): void {
  const k = `${e.src}\u0000${e.dst}`;
  const prev = edges.get(k);
  if (!prev) {
    edges.set(k, e);
    return;
  }
  const ports = new Map([...prev.ports, ...e.ports].map((p) => [`${p.protocol}/${p.port}`, p]));
  prev.ports = [...ports.values()].sort((a, b) => compare(a.protocol, b.protocol) || a.port - b.port);
  prev.evidence = [...new Set([...(prev.evidence ?? []), ...(e.evidence ?? [])])].sort();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareEdges(a: Edge, b: Edge): number {
  return compare(a.src, b.src) || compare(a.dst, b.dst);
}

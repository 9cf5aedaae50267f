/**
 * Pod templates inside workload objects (Pod, Deployment, CronJob…), and what the inventory reads
 * from a pod spec: service account, images, container ports. Pure: works on parsed objects.
 */
import { isPortNumber, parseProtocol } from "../../model/ports.js";
import { type Problem, problem } from "../../model/problems.js";
import type { ContainerPort } from "../../model/workload.js";
import type { K8sResource } from "../types.js";
import { isObject } from "./resource.js";

/** A path inside a resource's raw object. */
export type RawPath = (string | number)[];

/** The pod template of a workload object. */
export interface PodTemplate {
  /** Template labels (for a Pod: its own labels), values as strings. */
  labels: Record<string, string>;
  /** The pod spec, when present. */
  spec?: Record<string, unknown>;
  /** Where the pod spec is inside the resource. */
  specPath: RawPath;
}

/** One container of a pod spec, with where it is. */
export interface ContainerInfo {
  name: string;
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  group: string;
  raw: Record<string, unknown>;
  path: RawPath;
}

/** What a pod spec says about the workload. */
export interface PodSpecFacts {
  serviceAccount: string;
  images: string[];
  ports: ContainerPort[];
}

/** Where the pod template is, per kind (undefined for kinds without one). */
function templatePath(kind: string): RawPath | undefined {
  switch (kind) {
    case "Pod":
      return [];
    case "CronJob":
      return ["spec", "jobTemplate", "spec", "template"];
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "ReplicationController":
    case "Job":
    case "DeploymentConfig":
    case "VirtualMachine":
      return ["spec", "template"];
    default:
      return undefined;
  }
}

/** Reads a value at a path of a plain object tree. */
export function getPath(root: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof key === "number") cur = Array.isArray(cur) ? cur[key] : undefined;
    else cur = isObject(cur) ? cur[key] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** The pod template of a workload resource (a Pod is its own template). */
export function podTemplateOf(res: K8sResource): PodTemplate | undefined {
  const base = templatePath(res.kind);
  if (!base) return undefined;
  const labels =
    res.kind === "Pod"
      ? { ...(res.metadata.labels ?? {}) }
      : toStringMap(getPath(res.raw, [...base, "metadata", "labels"]));
  const specPath = [...base, "spec"];
  const spec = getPath(res.raw, specPath);
  return isObject(spec) ? { labels, spec, specPath } : { labels, specPath };
}

function toStringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, val] of Object.entries(v)) out[k] = val === null ? "" : String(val);
  return out;
}

/** The containers of a pod spec (regular, init, ephemeral), in spec order. */
export function containersOf(tpl: PodTemplate): ContainerInfo[] {
  const out: ContainerInfo[] = [];
  for (const group of ["initContainers", "containers", "ephemeralContainers"]) {
    const list = tpl.spec?.[group];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (!isObject(c)) return;
      out.push({
        name: typeof c.name === "string" ? c.name : `${group}[${i}]`,
        group,
        raw: c,
        path: [...tpl.specPath, group, i],
      });
    });
  }
  return out;
}

/** True when the container serves traffic: a regular container, or a sidecar init container. */
function servesTraffic(c: ContainerInfo): boolean {
  return c.group === "containers" || (c.group === "initContainers" && c.raw.restartPolicy === "Always");
}

/** Kinds whose pod spec must list containers (a KubeVirt VirtualMachine's template has none). */
const CONTAINER_KINDS = new Set([
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "ReplicationController",
  "Job",
  "CronJob",
]);

/**
 * Service account, images and container ports of a pod template. A port that is not a number
 * 1..65535, or has an unknown protocol, is an error problem at its line.
 */
export function podSpecFacts(res: K8sResource, tpl: PodTemplate, problems: Problem[]): PodSpecFacts {
  const spec = tpl.spec ?? {};
  if (CONTAINER_KINDS.has(res.kind) && !Array.isArray(spec.containers)) {
    // a workload without a pod template is not a workload: most often a truncated file
    const path = [...tpl.specPath, "containers"].join(".");
    problems.push(
      problem(
        "resource-invalid",
        "error",
        `${res.kind} ${res.metadata.namespace ?? "default"}/${res.metadata.name} has no ${path} list (truncated or not a workload manifest?)`,
        { file: res.location.file, line: res.lineAt?.(tpl.specPath) ?? res.location.line },
      ),
    );
  }
  const sa = spec.serviceAccountName ?? spec.serviceAccount;
  const images = new Set<string>();
  const ports: ContainerPort[] = [];
  for (const c of containersOf(tpl)) {
    if (typeof c.raw.image === "string" && c.raw.image !== "") images.add(c.raw.image);
    if (servesTraffic(c)) ports.push(...containerPorts(res, c, problems));
  }
  return {
    serviceAccount: typeof sa === "string" && sa !== "" ? sa : "default",
    images: [...images].sort(),
    ports: sortPorts(ports),
  };
}

function containerPorts(res: K8sResource, c: ContainerInfo, problems: Problem[]): ContainerPort[] {
  const list = c.raw.ports;
  if (list === undefined || list === null) return [];
  const where = (path: RawPath) => ({
    file: res.location.file,
    line: res.lineAt?.(path) ?? res.location.line,
  });
  if (!Array.isArray(list)) {
    problems.push(
      problem(
        "resource-invalid",
        "error",
        `${res.kind} ${res.metadata.name}: container ${c.name}: ports must be a list`,
        where([...c.path, "ports"]),
      ),
    );
    return [];
  }
  const out: ContainerPort[] = [];
  list.forEach((p, i) => {
    const path = [...c.path, "ports", i];
    const port = isObject(p) ? p.containerPort : undefined;
    const protocol = parseProtocol(isObject(p) && p.protocol !== undefined ? String(p.protocol) : "TCP");
    if (!isPortNumber(port) || !protocol) {
      // A port entry without containerPort (a misspelt key) carries nothing: warn and skip it.
      const missing = port === undefined;
      const what = missing
        ? "port without containerPort; skipped"
        : !isPortNumber(port)
          ? `containerPort must be a number 1..65535, found ${JSON.stringify(port)}`
          : `protocol must be TCP, UDP or SCTP, found ${JSON.stringify((p as Record<string, unknown>).protocol)}`;
      const msg = `${res.kind} ${res.metadata.name}: container ${c.name}: ${what}`;
      problems.push(problem("resource-invalid", missing ? "warning" : "error", msg, where(path)));
      return;
    }
    const entry: ContainerPort = { port, protocol };
    if (isObject(p) && typeof p.name === "string" && p.name !== "") entry.name = p.name;
    out.push(entry);
  });
  return out;
}

/** Ports sorted by number, protocol and name, duplicates dropped. */
export function sortPorts(ports: readonly ContainerPort[]): ContainerPort[] {
  const seen = new Map<string, ContainerPort>();
  for (const p of ports) seen.set(`${p.port}/${p.protocol}/${p.name ?? ""}`, p);
  return [...seen.values()].sort(
    (a, b) => a.port - b.port || cmp(a.protocol, b.protocol) || cmp(a.name ?? "", b.name ?? ""),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Secondary network attachments of a workload (Multus): which NetworkAttachmentDefinitions its pods
 * join, and the addresses they take there when the manifests say so.
 * - Pods and pod templates: the `k8s.v1.cni.cncf.io/networks` annotation, either a comma-separated
 *   list of `[namespace/]name[@interface]` or a JSON list of network selection elements
 *   (`{"name", "namespace", "interface", "ips"}`); a NAD named without a namespace is in the pod's.
 * - KubeVirt VirtualMachines: `spec.template.spec.networks[].multus.networkName` (`[namespace/]name`;
 *   a `multus.default: true` network replaces the pod network and is not a secondary one). The
 *   guest's static addresses come from the cloud-init `networkData` of the template's volumes
 *   (`ethernets.*.addresses`); cloud-init does not say which interface is which network, so they are
 *   taken as the VM's addresses on each of its secondary networks.
 */
import { parseYamlDocuments } from "../../io/yaml.js";
import { type Problem, problem } from "../../model/problems.js";
import type { K8sResource } from "../types.js";
import { getPath } from "./pod-spec.js";
import { isObject } from "./resource.js";

/** The pod annotation listing the secondary networks (Multus network selection elements). */
export const NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks";

/** One secondary network a workload joins: the NAD and the addresses known there. */
export interface NetworkAttachment {
  /** The NetworkAttachmentDefinition's namespace and name. */
  namespace: string;
  name: string;
  /** IPv4/IPv6 addresses (no prefix length) the workload has on that network, when written. */
  addresses: string[];
}

/** Where the pod template's metadata is, per kind. */
function templateMetadataPath(kind: string): string[] | undefined {
  if (kind === "Pod") return ["metadata"];
  if (kind === "CronJob") return ["spec", "jobTemplate", "spec", "template", "metadata"];
  if (kind === "VirtualMachineInstance") return ["metadata"];
  return ["spec", "template", "metadata"];
}

function address(text: string): string {
  const slash = text.indexOf("/");
  return (slash < 0 ? text : text.slice(0, slash)).trim();
}

function splitRef(ref: string, namespace: string): { namespace: string; name: string } {
  const slash = ref.indexOf("/");
  return slash < 0
    ? { namespace, name: ref }
    : { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

/** Parses a `k8s.v1.cni.cncf.io/networks` value; a malformed JSON list is a warning. */
export function parseNetworksAnnotation(
  value: string,
  namespace: string,
  res: K8sResource,
  problems: Problem[],
): NetworkAttachment[] {
  const text = value.trim();
  if (text === "") return [];
  if (!text.startsWith("[")) {
    return text
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map((s) => ({ ...splitRef(s.split("@")[0], namespace), addresses: [] }));
  }
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list)) {
    problems.push(
      problem(
        "resource-invalid",
        "warning",
        `${res.kind} ${res.metadata.name}: the ${NETWORKS_ANNOTATION} annotation is not a JSON list of networks; ignored`,
        res.location,
      ),
    );
    return [];
  }
  const out: NetworkAttachment[] = [];
  for (const e of list) {
    if (!isObject(e) || typeof e.name !== "string") continue;
    const ns = typeof e.namespace === "string" && e.namespace !== "" ? e.namespace : namespace;
    const ips = Array.isArray(e.ips) ? e.ips.filter((x): x is string => typeof x === "string") : [];
    out.push({ ...splitRef(e.name, ns), addresses: ips.map(address) });
  }
  return out;
}

/** The static guest addresses written in a VM template's cloud-init `networkData`. */
function cloudInitAddresses(volumes: unknown): string[] {
  if (!Array.isArray(volumes)) return [];
  const out: string[] = [];
  for (const v of volumes) {
    if (!isObject(v)) continue;
    for (const key of ["cloudInitNoCloud", "cloudInitConfigDrive"]) {
      const data = getPath(v, [key, "networkData"]);
      if (typeof data !== "string") continue;
      const doc = parseYamlDocuments(data, "networkData", { syntaxErrors: "skip" }).documents[0]?.value;
      const eths = getPath(doc, ["ethernets"]);
      if (!isObject(eths)) continue;
      for (const eth of Object.values(eths)) {
        const addrs = getPath(eth, ["addresses"]);
        if (Array.isArray(addrs)) for (const a of addrs) if (typeof a === "string") out.push(address(a));
      }
    }
  }
  return out;
}

/** The multus networks of a VirtualMachine (or VirtualMachineInstance) spec. */
function vmAttachments(res: K8sResource, namespace: string): NetworkAttachment[] {
  const spec = res.kind === "VirtualMachine" ? getPath(res.raw, ["spec", "template", "spec"]) : res.raw.spec;
  const networks = getPath(spec, ["networks"]);
  if (!Array.isArray(networks)) return [];
  const addresses = cloudInitAddresses(getPath(spec, ["volumes"]));
  const out: NetworkAttachment[] = [];
  for (const n of networks) {
    const name = getPath(n, ["multus", "networkName"]);
    if (typeof name !== "string" || getPath(n, ["multus", "default"]) === true) continue;
    out.push({ ...splitRef(name, namespace), addresses: [...addresses] });
  }
  return out;
}

/**
 * The secondary networks a workload's objects (owner, controllers, pods) attach to, merged by
 * NAD (addresses united, sorted), sorted by namespace/name.
 */
export function readNetworkAttachments(
  resources: readonly K8sResource[],
  problems: Problem[],
): NetworkAttachment[] {
  const byKey = new Map<string, NetworkAttachment>();
  for (const res of resources) {
    const namespace = res.metadata.namespace || "default";
    const found: NetworkAttachment[] = [];
    if (res.kind === "VirtualMachine" || res.kind === "VirtualMachineInstance")
      found.push(...vmAttachments(res, namespace));
    const metaPath = templateMetadataPath(res.kind);
    const value = metaPath && getPath(res.raw, [...metaPath, "annotations", NETWORKS_ANNOTATION]);
    if (typeof value === "string") found.push(...parseNetworksAnnotation(value, namespace, res, problems));
    for (const a of found) {
      const key = `${a.namespace}/${a.name}`;
      const prev = byKey.get(key);
      if (prev) prev.addresses = [...new Set([...prev.addresses, ...a.addresses])].sort();
      else byKey.set(key, { ...a, addresses: [...new Set(a.addresses)].sort() });
    }
  }
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

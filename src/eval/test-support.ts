/**
 * Helpers shared by the evaluator tests: hand-made resources and endpoints (no loader needed).
 */
import type { K8sResource } from "../inventory/types.js";
import type { Protocol } from "../model/ports.js";
import type { ContainerPort } from "../model/workload.js";
import { type Endpoint, type IpEndpoint, ipEndpoint, type PodEndpoint } from "./endpoint.js";
import type { RefEndpoint, RefPod } from "./reference.js";

/** A K8sResource around a raw object, located at `file:line`. */
export function resourceOf(raw: Record<string, unknown>, file = "policies.yaml", line = 1): K8sResource {
  const metadata = (raw.metadata ?? {}) as K8sResource["metadata"];
  return {
    apiVersion: String(raw.apiVersion ?? ""),
    kind: String(raw.kind ?? ""),
    metadata,
    raw,
    location: { file, line },
  };
}

/** A NetworkPolicy resource from its namespace, name and spec. */
export function netpol(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  line = 1,
): K8sResource {
  return resourceOf(
    { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec },
    "policies.yaml",
    line,
  );
}

/** A pod endpoint; namespace labels default to `kubernetes.io/metadata.name` (plus `extra`). */
export function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ports: ContainerPort[] = [],
  nsLabels: Record<string, string> = {},
): PodEndpoint {
  return {
    kind: "pod",
    id: `${namespace}/${name}`,
    namespace,
    labels,
    namespaceLabels: { "kubernetes.io/metadata.name": namespace, ...nsLabels },
    ports,
  };
}

/** An IP endpoint (throws on a bad address: tests only). */
export function ip(text: string): IpEndpoint {
  const e = ipEndpoint(text);
  if (!e) throw new Error(`bad address ${text}`);
  return e;
}

/** A container port. */
export function cport(port: number, name?: string, protocol: Protocol = "TCP"): ContainerPort {
  return name === undefined ? { port, protocol } : { name, port, protocol };
}

/**
 * For the differential tests: turns a random case's endpoint (a pod index or an IP) into the
 * reference evaluator's endpoint and the engine's, from the same pods and namespace labels.
 */
export function endpointPicker(
  refPods: readonly RefPod[],
  namespaces: Record<string, Record<string, string>>,
): (x: number | string) => [RefEndpoint, Endpoint] {
  return (x) => {
    if (typeof x === "string") return [{ ip: x }, ipEndpoint(x)!];
    const pod = refPods[x % refPods.length];
    const ep: PodEndpoint = {
      kind: "pod",
      id: `${pod.namespace}/${pod.name}`,
      namespace: pod.namespace,
      labels: pod.labels,
      namespaceLabels: namespaces[pod.namespace],
      ports: pod.ports,
    };
    return [{ pod }, ep];
  };
}

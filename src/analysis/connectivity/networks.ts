/**
 * Primary networks for multi-network analysis (OVN-Kubernetes user-defined networks, as
 * netpol-analyzer reads them): a UserDefinedNetwork (`k8s.ovn.org`) with role `Primary` makes its
 * namespace a network of its own; a ClusterUserDefinedNetwork with role `Primary` makes one network
 * of every namespace its `namespaceSelector` selects that carries the primary-UDN label. Workloads of other namespaces are on the pod
 * network. Networks are isolated from each other: connectivity is analysed per network (addresses
 * outside the cluster are reachable from all of them), and policies apply inside each as usual.
 * Secondary networks (NetworkAttachmentDefinition, MultiNetworkPolicy) are in secondary-networks.ts.
 * UDN/CUDN objects are recognised by kind, whatever their API group (the corpus also writes them
 * as `nmstate.io/v1`).
 */
import type { K8sResource } from "../../inventory/types.js";
import { compileSelector, type LabelSelector, type Labels } from "../../model/labels.js";
import { type Problem, problem } from "../../model/problems.js";

/** A primary network: the pod network, a namespace's UDN, or a CUDN. */
export interface PrimaryNetwork {
  kind: "pod-network" | "UDN" | "CUDN";
  /** The namespace (UDN), the CUDN name, or `pod-network`. */
  name: string;
}

/** The pod network. */
export const POD_NETWORK: PrimaryNetwork = { kind: "pod-network", name: "pod-network" };

/**
 * The label a namespace needs, from its creation, to take a primary user-defined network
 * (OVN-Kubernetes: `k8s.ovn.org/primary-user-defined-network`); a CUDN skips namespaces without it.
 */
export const PRIMARY_LABEL = "k8s.ovn.org/primary-user-defined-network";

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The role of a `{topology, layer2|layer3: {role}}` network spec. */
function role(net: Obj): unknown {
  const topo = typeof net.topology === "string" ? net.topology.toLowerCase() : "";
  const body = topo === "layer2" ? net.layer2 : topo === "layer3" ? net.layer3 : undefined;
  return isObject(body) ? body.role : undefined;
}

/** Namespace → its primary user-defined network (namespaces not listed are on the pod network). */
export function primaryNetworks(
  resources: readonly K8sResource[],
  namespaces: ReadonlyMap<string, Labels>,
): Map<string, PrimaryNetwork> {
  const out = new Map<string, PrimaryNetwork>();
  for (const r of resources) {
    if (r.kind !== "UserDefinedNetwork") continue;
    const spec = isObject(r.raw.spec) ? r.raw.spec : {};
    const ns = r.metadata.namespace ?? "default";
    if (role(spec) === "Primary") out.set(ns, { kind: "UDN", name: ns });
  }
  for (const r of resources) {
    if (r.kind !== "ClusterUserDefinedNetwork") continue;
    const spec = isObject(r.raw.spec) ? r.raw.spec : {};
    if (!isObject(spec.network) || role(spec.network) !== "Primary") continue;
    const select = compileSelector((spec.namespaceSelector ?? {}) as LabelSelector);
    for (const [ns, labels] of namespaces)
      if (!out.has(ns) && PRIMARY_LABEL in labels && select(labels))
        out.set(ns, { kind: "CUDN", name: r.metadata.name });
  }
  return out;
}

/** The key of a network (for grouping). */
export function networkKey(n: PrimaryNetwork): string {
  return `${n.kind}:${n.name}`;
}

/** Orders networks as the listing prints them: pod network, UDNs by name, then CUDNs by name. */
export function compareNetworks(a: PrimaryNetwork, b: PrimaryNetwork): number {
  const rank = (n: PrimaryNetwork) => (n.kind === "pod-network" ? 0 : n.kind === "UDN" ? 1 : 2);
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** How a workload of a namespace-scoped UDN is shown in listings: `ns[udn]/name[Kind]`. */
export function udnDisplayName(display: string, namespace: string): string {
  return display.startsWith(`${namespace}/`)
    ? `${namespace}[udn]${display.slice(namespace.length)}`
    : display;
}

function udnProblem(r: K8sResource, message: string): Problem {
  return problem("resource-invalid", "error", message, r.location);
}

/** Shape checks of one UDN spec (`{topology, layer2|layer3: {role}}`); `name` as printed. */
function networkSpecProblems(r: K8sResource, net: Obj, name: string): Problem[] {
  const topology = net.topology;
  if (topology !== "Layer2" && topology !== "Layer3")
    return [
      udnProblem(r, `${name}: invalid value "${String(topology)}" for key "topology" (Layer2 or Layer3)`),
    ];
  const key = topology === "Layer2" ? "layer2" : "layer3";
  if (!isObject(net[key]))
    return [udnProblem(r, `${name}: topology is "${topology}" but the network has no ${key} configuration`)];
  const roleValue = (net[key] as Obj).role;
  if (roleValue !== "Primary" && roleValue !== "Secondary")
    return [
      udnProblem(r, `${name}: invalid value "${String(roleValue)}" for key "role" (Primary or Secondary)`),
    ];
  return [];
}

/**
 * What makes user-defined networks unusable (multi-network analysis only): a bad topology or role,
 * a layer configuration that does not match the topology, a UDN named `default` or in namespace
 * `default` or an `openshift-*` namespace (OVN-Kubernetes reserves them), and a namespace with two
 * primary networks.
 */
export function userDefinedNetworkProblems(
  resources: readonly K8sResource[],
  namespaces: ReadonlyMap<string, Labels>,
): Problem[] {
  const out: Problem[] = [];
  const primaries = new Map<string, string[]>();
  const addPrimary = (ns: string, name: string) => primaries.set(ns, [...(primaries.get(ns) ?? []), name]);
  for (const r of resources) {
    if (r.kind === "UserDefinedNetwork") {
      const ns = r.metadata.namespace ?? "default";
      const name = `${ns}/${r.metadata.name}`;
      const spec = isObject(r.raw.spec) ? r.raw.spec : {};
      const shape = networkSpecProblems(r, spec, `UserDefinedNetwork ${name}`);
      out.push(...shape);
      if (r.metadata.name === "default")
        out.push(
          udnProblem(r, `UserDefinedNetwork ${name}: a user-defined network may not be named "default"`),
        );
      if (ns === "default" || ns.startsWith("openshift-"))
        out.push(
          udnProblem(
            r,
            `UserDefinedNetwork ${r.metadata.name}: a user-defined network may not be in namespace "${ns}"`,
          ),
        );
      if (shape.length === 0 && role(spec) === "Primary") addPrimary(ns, name);
    } else if (r.kind === "ClusterUserDefinedNetwork") {
      const spec = isObject(r.raw.spec) ? r.raw.spec : {};
      const net = isObject(spec.network) ? spec.network : {};
      const shape = networkSpecProblems(r, net, `ClusterUserDefinedNetwork ${r.metadata.name}`);
      out.push(...shape);
      if (shape.length || role(net) !== "Primary") continue;
      const select = compileSelector((spec.namespaceSelector ?? {}) as LabelSelector);
      for (const [ns, labels] of namespaces) if (select(labels)) addPrimary(ns, r.metadata.name);
    }
  }
  for (const [ns, names] of [...primaries].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (names.length > 1)
      out.push(
        problem(
          "resource-invalid",
          "error",
          `namespace ${ns} has more than one primary user-defined network: ${names.join(", ")}`,
        ),
      );
  return out;
}

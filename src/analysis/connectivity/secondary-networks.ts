/**
 * Secondary networks for multi-network analysis: NetworkAttachmentDefinitions (Multus) that
 * workloads join besides their primary network, and the MultiNetworkPolicies that apply there.
 *
 * - A network is named by its NAD's name: NADs of one name in several namespaces are one network
 *   (as netpol-analyzer groups them; OVN-Kubernetes likewise joins NADs that carry one network name).
 * - Its members are the workloads attached to a NAD of that name that exists in the input.
 * - Only MultiNetworkPolicies whose `policy-for` names the network (with a NAD of that name in the
 *   named namespace, or the policy's own) apply there; NetworkPolicies, AdminNetworkPolicies and
 *   Ingress objects do not, and there are no addresses outside the cluster on it. A MultiNetworkPolicy
 *   has NetworkPolicy semantics (a selected pod is isolated for the policy's directions; rules allow).
 * - An ipBlock peer selects the members whose address on this network (Multus `ips`, VM cloud-init)
 *   lies in the block and outside its excepts. The IR's ipblock peers match addresses only, so each
 *   distinct block becomes a pod peer on a label that only the members inside the block carry.
 */
import { IpSet, parseCidr, parseIp } from "../../model/ipset.js";
import { type Problem, problem } from "../../model/problems.js";
import { displayName, type Workload } from "../../model/workload.js";
import type { Peer, Policy, PolicySet } from "../../policy/ir/types.js";
import type { MultiNetworkPolicyIR } from "../../policy/k8s/multi-network-policy.js";

/** A NetworkAttachmentDefinition in the input. */
export interface NadRef {
  namespace: string;
  name: string;
}

/** A workload's attachment to a NAD, with the addresses it has there. */
export interface SecondaryAttachment {
  namespace: string;
  name: string;
  addresses: readonly string[];
}

/** One secondary network, ready for connectivity analysis. */
export interface SecondaryNetwork {
  /** The NAD name. */
  name: string;
  /** Members, labels extended with the ipBlock membership labels of this network. */
  workloads: Workload[];
  /** The MultiNetworkPolicies for this network, in one NetworkPolicy-like layer. */
  policies: PolicySet;
}

/** What the secondary networks are built from. */
export interface SecondaryNetworksInput {
  workloads: readonly Workload[];
  /** Workload id → its attachments. */
  attachments: ReadonlyMap<string, readonly SecondaryAttachment[]>;
  nads: readonly NadRef[];
  policies: readonly MultiNetworkPolicyIR[];
}

/** The label prefix that stands for "address in ipBlock #n of this network". */
export const IPBLOCK_LABEL_PREFIX = "ipblock.network.microseg.io/";

/** True when a MultiNetworkPolicy is for the network `name` (see the module comment). */
export function policyTargetsNetwork(
  m: MultiNetworkPolicyIR,
  name: string,
  nadKeys: ReadonlySet<string>,
): boolean {
  const ns = m.policy.namespace ?? "default";
  return m.networks.some((r) => r.name === name && nadKeys.has(`${r.namespace ?? ns}/${name}`));
}

/** The members of each network name (sorted by name), and warnings for attachments to missing NADs. */
function membersByNetwork(input: SecondaryNetworksInput, nadKeys: ReadonlySet<string>) {
  const members = new Map<string, { w: Workload; addresses: string[] }[]>();
  const problems: Problem[] = [];
  for (const w of input.workloads) {
    for (const a of input.attachments.get(w.id) ?? []) {
      if (!nadKeys.has(`${a.namespace}/${a.name}`)) {
        problems.push(
          problem(
            "data-missing",
            "warning",
            `${displayName(w)} attaches to NetworkAttachmentDefinition ${a.namespace}/${a.name}, which is not in the input: attachment ignored`,
          ),
        );
        continue;
      }
      const list = members.get(a.name) ?? [];
      const prev = list.find((m) => m.w.id === w.id);
      if (prev) prev.addresses.push(...a.addresses);
      else list.push({ w, addresses: [...a.addresses] });
      members.set(a.name, list);
    }
  }
  return { members, problems };
}

function blockSet(cidr: string, except: readonly string[]): IpSet {
  const c = parseCidr(cidr);
  if (!c) return IpSet.EMPTY;
  const ex = except.map(parseCidr).filter((x) => x !== undefined);
  return IpSet.fromCidrs([c]).subtract(IpSet.fromCidrs(ex));
}

/**
 * Rewrites the ipblock peers of the network's policies into membership-label peers and returns the
 * members with those labels added.
 */
function lowerIpBlocks(
  policies: Policy[],
  members: { w: Workload; addresses: string[] }[],
): { policies: Policy[]; workloads: Workload[] } {
  const keys = new Map<string, string>();
  const extra = new Map<string, Record<string, string>>(members.map((m) => [m.w.id, {}]));
  const lowerPeer = (p: Peer): Peer => {
    if (p.kind !== "ipblock") return p;
    const id = JSON.stringify([p.cidr, p.except]);
    let key = keys.get(id);
    if (key === undefined) {
      key = `${IPBLOCK_LABEL_PREFIX}${keys.size}`;
      keys.set(id, key);
      const set = blockSet(p.cidr, p.except);
      for (const m of members)
        if (
          m.addresses.some((a) => {
            const ip = parseIp(a);
            return ip !== undefined && set.has(ip);
          })
        )
          extra.get(m.w.id)![key] = "";
    }
    return { kind: "pods", namespaces: { kind: "all" }, pods: { matchLabels: { [key]: "" } } };
  };
  const lowered = policies.map((pol) => ({
    ...pol,
    rules: pol.rules.map((r) => ({ ...r, peers: r.peers.map(lowerPeer) })),
  }));
  const workloads = members.map((m) => {
    const add = extra.get(m.w.id)!;
    return Object.keys(add).length ? { ...m.w, labels: { ...m.w.labels, ...add } } : m.w;
  });
  return { policies: lowered, workloads };
}

/** The secondary networks with members, sorted by name, and the problems found. */
export function secondaryNetworks(input: SecondaryNetworksInput): {
  networks: SecondaryNetwork[];
  problems: Problem[];
} {
  const nadKeys = new Set(input.nads.map((n) => `${n.namespace}/${n.name}`));
  const { members, problems } = membersByNetwork(input, nadKeys);
  const networks: SecondaryNetwork[] = [];
  for (const name of [...members.keys()].sort()) {
    const list = members.get(name)!;
    const mine = input.policies.filter((m) => policyTargetsNetwork(m, name, nadKeys)).map((m) => m.policy);
    const lowered = lowerIpBlocks(mine, list);
    networks.push({
      name,
      workloads: lowered.workloads,
      policies: {
        target: "k8s",
        layers: [{ stage: "k8s-np", combining: "union-when-selected", policies: lowered.policies }],
      },
    });
  }
  return { networks, problems };
}

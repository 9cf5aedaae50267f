/**
 * Loads what multi-network analysis needs beyond the primary networks: the
 * NetworkAttachmentDefinitions of the input, each workload's secondary attachments (Multus
 * annotation, KubeVirt multus networks) and the MultiNetworkPolicies, and builds the secondary
 * networks (see analysis/connectivity/secondary-networks.ts). Invalid MultiNetworkPolicies are
 * fatal; attachments to NADs not in the input are warnings.
 */
import {
  type SecondaryAttachment,
  type SecondaryNetwork,
  secondaryNetworks,
} from "../../analysis/connectivity/secondary-networks.js";
import { readNetworkAttachments } from "../../inventory/k8s/network-attachments.js";
import type { Inventory } from "../../inventory/types.js";
import { MicrosegError, type Problem, ProblemSink } from "../../model/problems.js";
import { parseMultiNetworkPolicies } from "../../policy/k8s/multi-network-policy.js";
import { reportProblems } from "../report.js";

/** The secondary networks and every workload's attachments (workload id → NAD names, sorted). */
export interface SecondaryNetworks {
  networks: SecondaryNetwork[];
  /** Workload id → the names of the secondary networks it is a member of. */
  memberships: Map<string, string[]>;
}

/** Builds the secondary networks of an inventory; fatal problems throw, warnings are logged. */
export function loadSecondaryNetworks(inv: Inventory, log: (s: string) => void): SecondaryNetworks {
  const problems: Problem[] = [];
  const attachments = new Map<string, SecondaryAttachment[]>();
  for (const w of inv.workloads) {
    const found = readNetworkAttachments(inv.workloadResources?.get(w.id) ?? [], problems);
    if (found.length) attachments.set(w.id, found);
  }
  const nads = inv.resources
    .filter((r) => r.kind === "NetworkAttachmentDefinition")
    .map((r) => ({ namespace: r.metadata.namespace || "default", name: r.metadata.name }));
  const sink = new ProblemSink();
  const policies = parseMultiNetworkPolicies(inv.resources, sink);
  if (sink.hasErrors()) throw new MicrosegError(sink.errors());
  const built = secondaryNetworks({ workloads: inv.workloads, attachments, nads, policies });
  reportProblems([...problems, ...sink.items, ...built.problems], log);
  const memberships = new Map<string, string[]>();
  for (const n of built.networks)
    for (const w of n.workloads) memberships.set(w.id, [...(memberships.get(w.id) ?? []), n.name]);
  return { networks: built.networks, memberships };
}

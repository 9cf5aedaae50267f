/**
 * `microseg connectivity --multiple-networks`: the listing per primary network (pod network, each
 * namespace's primary UserDefinedNetwork, each primary ClusterUserDefinedNetwork), in
 * netpol-analyzer's sectioned text form, then the workload-to-network mapping. JSON is one flat
 * array of every section's pairs. Workloads of a namespace UDN are shown as `ns[udn]/name[Kind]`.
 */
import { analyzeConnectivity, type ConnectivityPair } from "../../analysis/connectivity/connectivity.js";
import { type FocusOptions, focusPairs, formatFocusConn } from "../../analysis/connectivity/focus.js";
import {
  compareNetworks,
  networkKey,
  POD_NETWORK,
  type PrimaryNetwork,
  primaryNetworks,
  udnDisplayName,
} from "../../analysis/connectivity/networks.js";
import { fail } from "../../model/problems.js";
import { displayName, type Workload } from "../../model/workload.js";
import { renderConnlistJson, renderConnlistTxt } from "../../render/connlist.js";
import type { ConnectivityOptions } from "./connectivity.js";
import type { ConnectivityInputs } from "./connectivity-inputs.js";

/** One network's share of the listing. */
interface Section {
  network: PrimaryNetwork;
  workloads: Workload[];
  pairs: ConnectivityPair[];
}

function sectionHeader(n: PrimaryNetwork): string {
  if (n.kind === "pod-network") return "Permitted connectivity analyzed in Pod network:";
  return `Permitted connectivity analyzed in primary ${n.kind} ${n.name}:`;
}

function networkLabel(n: PrimaryNetwork): string {
  return n.kind === "pod-network" ? "pod-network" : `${n.name}[${n.kind}]`;
}

/** Computes the sections (pod network always first), each focused and with UDN names applied. */
function sections(inputs: ConnectivityInputs, focus: FocusOptions, empty: boolean): Section[] {
  const inv = inputs.inventory;
  const nets = primaryNetworks(inv.resources, inv.namespaces);
  const byKey = new Map<string, Section>([
    [networkKey(POD_NETWORK), { network: POD_NETWORK, workloads: [], pairs: [] }],
  ]);
  for (const w of inv.workloads) {
    if (w.kind === "entity" || w.kind === "external") continue;
    const net = nets.get(w.namespace ?? "default") ?? POD_NETWORK;
    const s = byKey.get(networkKey(net)) ?? { network: net, workloads: [], pairs: [] };
    s.workloads.push(w);
    byKey.set(networkKey(net), s);
  }
  const out = [...byKey.values()].sort((a, b) => compareNetworks(a.network, b.network));
  for (const s of out) {
    if (empty || s.workloads.length === 0) continue;
    const ids = new Set(s.workloads.map((w) => w.id));
    const all = analyzeConnectivity({
      workloads: s.workloads,
      namespaces: inv.namespaces,
      policies: inputs.policies,
      ingress: inputs.ingress.filter((t) => ids.has(t.workload.id)),
    });
    s.pairs = focusPairs(all, focus, inputs.names);
    if (s.network.kind === "UDN") {
      const ns = s.network.name;
      const rename = (d: string) => (inputs.names.get(d)?.namespace === ns ? udnDisplayName(d, ns) : d);
      s.pairs = s.pairs.map((p) => ({ ...p, src: rename(p.src), dst: rename(p.dst) }));
    }
  }
  return out;
}

function mappingText(secs: readonly Section[]): string {
  const rows = secs.flatMap((s) =>
    s.workloads.map((w) => [displayName(w), networkLabel(s.network)] as const),
  );
  rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `Workload-to-Networks Mapping:\n${rows.map(([w, n]) => `${w}: \n\tPrimary Network: ${n}\n`).join("")}`;
}

function sectionsText(secs: readonly Section[], focusConn: string | undefined): string {
  const userNetworks = secs.some((s) => s.network.kind !== "pod-network");
  if (focusConn !== undefined) {
    const parts = secs
      .filter((s) => s.pairs.length > 0)
      .map(
        (s) =>
          `${userNetworks ? `${sectionHeader(s.network)}\n` : ""}${s.pairs.map((p) => `${p.src} => ${p.dst}\n`).join("")}`,
      );
    return `Permitted connections on ${focusConn}:\n\n${parts.join("\n")}`;
  }
  if (!userNetworks) return `${renderConnlistTxt(secs[0].pairs)}\n${mappingText(secs)}`;
  const parts = secs.map((s) => {
    let body = renderConnlistTxt(s.pairs);
    if (body === "" && s.network.kind === "pod-network")
      body =
        s.workloads.length === 0
          ? "all input workloads are configured with (C)UDN as their primary network interface\n"
          : "All connections are not allowed for the workloads in the pod-network\n";
    return `${sectionHeader(s.network)}\n${body}\n`;
  });
  return `${parts.join("")}${mappingText(secs)}`;
}

/** Renders the multi-network listing (txt or json). */
export function renderMultiNetwork(
  o: Pick<ConnectivityOptions, "output">,
  inputs: ConnectivityInputs,
  focus: FocusOptions,
  empty: boolean,
): string {
  if (o.output !== "txt" && o.output !== "json")
    fail("usage", `--multiple-networks prints txt or json, not ${o.output}`);
  const secs = sections(inputs, focus, empty);
  const focusConn = focus.conn ? formatFocusConn(focus.conn) : undefined;
  if (o.output === "json") {
    const pairs = secs.flatMap((s) => s.pairs);
    pairs.sort((a, b) =>
      a.src !== b.src ? (a.src < b.src ? -1 : 1) : a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0,
    );
    return renderConnlistJson(pairs, focusConn !== undefined ? { focusConn } : {});
  }
  return sectionsText(secs, focusConn);
}

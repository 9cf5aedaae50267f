/**
 * `microseg connectivity --multiple-networks`: the listing per network (pod network, each
 * namespace's primary UserDefinedNetwork, each primary ClusterUserDefinedNetwork, then each
 * secondary network of NetworkAttachmentDefinitions), in netpol-analyzer's sectioned text form,
 * then the workload-to-network mapping. JSON is one flat array of every section's pairs. Workloads
 * of a namespace UDN are shown as `ns[udn]/name[Kind]` in their UDN's section.
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
import { loadSecondaryNetworks, type SecondaryNetworks } from "./connectivity-secondary.js";

/** A network analysed on its own: a primary network or a secondary (NAD) network. */
export type AnalyzedNetwork = PrimaryNetwork | { kind: "NAD"; name: string };

/** One network's share of the listing. */
interface Section {
  network: AnalyzedNetwork;
  workloads: Workload[];
  pairs: ConnectivityPair[];
}

/** The listing's section title of a network. */
export function sectionHeader(n: AnalyzedNetwork): string {
  if (n.kind === "pod-network") return "Permitted connectivity analyzed in Pod network:";
  if (n.kind === "NAD") return `Permitted connectivity analyzed in secondary NAD ${n.name}:`;
  return `Permitted connectivity analyzed in primary ${n.kind} ${n.name}:`;
}

function networkLabel(n: PrimaryNetwork): string {
  return n.kind === "pod-network" ? "pod-network" : `${n.name}[${n.kind}]`;
}

/** The pairs of a secondary network: between its members only (no external addresses there). */
function secondarySection(
  inputs: ConnectivityInputs,
  n: SecondaryNetworks["networks"][number],
  focus: FocusOptions,
): Section {
  const names = new Set(n.workloads.map((w) => displayName(w)));
  const all = analyzeConnectivity({
    workloads: n.workloads,
    namespaces: inputs.inventory.namespaces,
    policies: n.policies,
  }).filter((p) => names.has(p.src) && names.has(p.dst));
  return {
    network: { kind: "NAD", name: n.name },
    workloads: n.workloads,
    pairs: focusPairs(all, focus, inputs.names),
  };
}

/** The workloads of each primary network, pod network first (even when it has none). */
export function primaryGroups(
  inputs: ConnectivityInputs,
): { network: PrimaryNetwork; workloads: Workload[] }[] {
  const inv = inputs.inventory;
  const nets = primaryNetworks(inv.resources, inv.namespaces);
  const byKey = new Map<string, { network: PrimaryNetwork; workloads: Workload[] }>([
    [networkKey(POD_NETWORK), { network: POD_NETWORK, workloads: [] }],
  ]);
  for (const w of inv.workloads) {
    if (w.kind === "entity" || w.kind === "external") continue;
    const net = nets.get(w.namespace ?? "default") ?? POD_NETWORK;
    const s = byKey.get(networkKey(net)) ?? { network: net, workloads: [] };
    s.workloads.push(w);
    byKey.set(networkKey(net), s);
  }
  return [...byKey.values()].sort((a, b) => compareNetworks(a.network, b.network));
}

/** The display name of a workload in its primary network's section (`ns[udn]/name[Kind]` in a UDN). */
export function primaryRenamer(inputs: ConnectivityInputs, network: PrimaryNetwork): (d: string) => string {
  if (network.kind !== "UDN") return (d) => d;
  const ns = network.name;
  return (d) => (inputs.names.get(d)?.namespace === ns ? udnDisplayName(d, ns) : d);
}

/** Computes the primary sections (pod network always first), each focused and with UDN names applied. */
function sections(inputs: ConnectivityInputs, focus: FocusOptions, empty: boolean): Section[] {
  const inv = inputs.inventory;
  const out: Section[] = primaryGroups(inputs).map((g) => ({ ...g, pairs: [] }));
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
      const rename = primaryRenamer(inputs, s.network);
      s.pairs = s.pairs.map((p) => ({ ...p, src: rename(p.src), dst: rename(p.dst) }));
    }
  }
  return out;
}

function mappingText(secs: readonly Section[], secondary: SecondaryNetworks): string {
  const rows: [string, string][] = [];
  for (const s of secs) {
    if (s.network.kind === "NAD") continue;
    const primary = networkLabel(s.network);
    for (const w of s.workloads) {
      const nads = secondary.memberships.get(w.id) ?? [];
      const second = nads.length ? `\tSecondary Networks: ${nads.map((n) => `${n}[NAD]`).join(",")}\n` : "";
      rows.push([displayName(w), `\tPrimary Network: ${primary}\n${second}`]);
    }
  }
  rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `Workload-to-Networks Mapping:\n${rows.map(([w, n]) => `${w}: \n${n}`).join("")}`;
}

function sectionsText(
  secs: readonly Section[],
  secondary: SecondaryNetworks,
  focusConn: string | undefined,
): string {
  const userNetworks = secs.some(
    (s) => s.network.kind !== "pod-network" && (s.network.kind !== "NAD" || s.pairs.length > 0),
  );
  if (focusConn !== undefined) {
    const parts = secs
      .filter((s) => s.pairs.length > 0)
      .map(
        (s) =>
          `${userNetworks ? `${sectionHeader(s.network)}\n` : ""}${s.pairs.map((p) => `${p.src} => ${p.dst}\n`).join("")}`,
      );
    return `Permitted connections on ${focusConn}:\n\n${parts.join("\n")}`;
  }
  if (!userNetworks) return `${renderConnlistTxt(secs[0].pairs)}\n${mappingText(secs, secondary)}`;
  const parts = secs.map((s) => {
    if (s.network.kind === "NAD" && s.pairs.length === 0) return "";
    let body = renderConnlistTxt(s.pairs);
    if (body === "" && s.network.kind === "pod-network")
      body =
        s.workloads.length === 0
          ? "all input workloads are configured with (C)UDN as their primary network interface\n"
          : "All connections are not allowed for the workloads in the pod-network\n";
    return `${sectionHeader(s.network)}\n${body}\n`;
  });
  return `${parts.join("")}${mappingText(secs, secondary)}`;
}

/** Renders the multi-network listing (txt or json). */
export function renderMultiNetwork(
  o: Pick<ConnectivityOptions, "output">,
  inputs: ConnectivityInputs,
  focus: FocusOptions,
  empty: boolean,
  log: (s: string) => void,
): string {
  if (o.output !== "txt" && o.output !== "json")
    fail("usage", `--multiple-networks prints txt or json, not ${o.output}`);
  const secondary = loadSecondaryNetworks(inputs.inventory, log);
  const secs: Section[] = sections(inputs, focus, empty);
  if (!empty) secs.push(...secondary.networks.map((n) => secondarySection(inputs, n, focus)));
  const focusConn = focus.conn ? formatFocusConn(focus.conn) : undefined;
  if (o.output === "json") {
    const pairs = secs.flatMap((s) => s.pairs);
    pairs.sort((a, b) =>
      a.src !== b.src ? (a.src < b.src ? -1 : 1) : a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0,
    );
    return renderConnlistJson(pairs, focusConn !== undefined ? { focusConn } : {});
  }
  return sectionsText(secs, secondary, focusConn);
}

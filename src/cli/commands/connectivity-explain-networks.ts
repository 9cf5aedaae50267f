/**
 * `microseg connectivity --explain --multiple-networks`: the explanations per network, in
 * netpol-analyzer's form: for each network (pod network, primary UDNs, primary CUDNs, secondary
 * NADs) its "Specific connections and their reasons in <network>" and "All Connections due to the
 * system default (Allow all) in <network>" sections. Pairs across isolated primary networks are not
 * listed; a closing note says so when there are any (and no `--focus-conn`). In a secondary network
 * only MultiNetworkPolicies decide, and a side that no MultiNetworkPolicy selects is not printed.
 */

import type { FocusOptions } from "../../analysis/connectivity/focus.js";
import { focusPairs } from "../../analysis/connectivity/focus.js";
import { networkKey, type PrimaryNetwork } from "../../analysis/connectivity/networks.js";
import { explainConnectivity, type PairExplanation } from "../../analysis/explain/explain.js";
import type { IngressExplainTarget } from "../../analysis/explain/ingress-explain.js";
import { ConnSet, PortSet } from "../../model/ports.js";
import { displayName, type Workload } from "../../model/workload.js";
import { type IsolatedPair, renderExplainTxt } from "../../render/explain.js";
import { plural } from "../../render/plural.js";
import type { ConnectivityOptions } from "./connectivity.js";
import { restrictPair } from "./connectivity-explain.js";
import type { ConnectivityInputs } from "./connectivity-inputs.js";
import { primaryGroups, primaryRenamer } from "./connectivity-networks.js";
import { loadSecondaryNetworks } from "./connectivity-secondary.js";

/** The note closing a multi-network explanation with pairs across isolated networks. */
export const CROSS_NETWORK_NOTE =
  "*** Note: Connections between any peers from separate isolated networks are denied by default and therefore not listed in this report.";

/** What the per-network explanation needs. */
export interface ExplainNetworksInput {
  inputs: ConnectivityInputs;
  focus: FocusOptions;
  ingressTargets: readonly IngressExplainTarget[];
  only?: "allow" | "deny";
  /** True when the focus names nothing (no pairs at all). */
  empty: boolean;
  log: ConnectivityOptions["log"];
}

function focused(all: PairExplanation[], x: ExplainNetworksInput): PairExplanation[] {
  const { conn, ...byName } = x.focus;
  const kept = new Set(
    focusPairs(
      all.map((p) => ({ src: p.src, dst: p.dst, conns: ConnSet.ALL })),
      byName,
      x.inputs.names,
    ).map((p) => `${p.src} => ${p.dst}`),
  );
  let pairs = all.filter((p) => kept.has(`${p.src} => ${p.dst}`));
  if (conn) {
    const c = ConnSet.of([[conn.protocol, PortSet.single(conn.port)]]);
    pairs = pairs.map((p) => restrictPair(p, c)).filter((p) => p.segments.length > 0);
  }
  return pairs;
}

/** True when some focused ordered pair of workloads lies in two different primary networks. */
function hasCrossNetworkPairs(groups: readonly Workload[][], x: ExplainNetworksInput): boolean {
  if (x.focus.conn || x.empty) return false;
  const { conn: _c, ...byName } = x.focus;
  for (let i = 0; i < groups.length; i++)
    for (let j = 0; j < groups.length; j++) {
      if (i === j) continue;
      const pairs = groups[i].flatMap((a) =>
        groups[j].map((b) => ({ src: displayName(a), dst: displayName(b), conns: ConnSet.ALL })),
      );
      if (focusPairs(pairs, byName, x.inputs.names).length > 0) return true;
    }
  return false;
}

const NETWORK_KIND = { UDN: "UserDefinedNetwork", CUDN: "ClusterUserDefinedNetwork" } as const;

/**
 * With `--focus-conn`, the pairs across isolated primary networks, each listed in the section of the
 * source's user-defined network (the destination's when the source is on the pod network).
 */
function isolatedPairs(
  groups: readonly { network: PrimaryNetwork; workloads: Workload[] }[],
  x: ExplainNetworksInput,
): Map<string, IsolatedPair[]> {
  const out = new Map<string, IsolatedPair[]>();
  const conn = x.focus.conn;
  if (!conn || x.empty) return out;
  const conns = ConnSet.of([[conn.protocol, PortSet.single(conn.port)]]);
  const { conn: _c, ...byName } = x.focus;
  const shown = groups.map((g) => primaryRenamer(x.inputs, g.network));
  const isolates = (i: number, w: Workload) => {
    const n = groups[i].network;
    return n.kind === "pod-network"
      ? []
      : [`${NETWORK_KIND[n.kind]} '${n.name}' isolates ${shown[i](displayName(w))}`];
  };
  for (const [i, gi] of groups.entries())
    for (const [j, gj] of groups.entries()) {
      if (i === j) continue;
      const home = networkKey(gi.network.kind === "pod-network" ? gj.network : gi.network);
      for (const a of gi.workloads)
        for (const b of gj.workloads) {
          const pair = { src: displayName(a), dst: displayName(b), conns: ConnSet.ALL };
          if (focusPairs([pair], byName, x.inputs.names).length === 0) continue;
          const list = out.get(home) ?? [];
          list.push({
            src: shown[i](pair.src),
            dst: shown[j](pair.dst),
            conns,
            reason: [...isolates(i, a), ...isolates(j, b)].join("; and "),
          });
          out.set(home, list);
        }
    }
  return out;
}

/** The explanation text of every network, with the cross-network note when it applies. */
export function explainNetworksTxt(x: ExplainNetworksInput): string {
  const inv = x.inputs.inventory;
  const groups = primaryGroups(x.inputs);
  let out = "";
  let count = 0;
  const isolated = isolatedPairs(groups, x);
  for (const g of groups) {
    if (x.empty || g.workloads.length === 0) continue;
    const ids = new Set(g.workloads.map((w) => w.id));
    const all = explainConnectivity({
      workloads: g.workloads,
      namespaces: inv.namespaces,
      policies: x.inputs.policies,
      ingressTargets: x.ingressTargets.filter((t) => ids.has(t.workload.id)),
    });
    const rename = primaryRenamer(x.inputs, g.network);
    const pairs = focused(all, x).map((p) => ({ ...p, src: rename(p.src), dst: rename(p.dst) }));
    count += pairs.length;
    const network =
      g.network.kind === "pod-network" ? "pod-network" : `primary ${g.network.kind} ${g.network.name}`;
    out += renderExplainTxt(pairs, {
      ...(x.only && { only: x.only }),
      network,
      defaultsAsSpecific: x.focus.conn !== undefined,
      ...(x.only !== "allow" && { isolated: isolated.get(networkKey(g.network)) ?? [] }),
    });
  }
  const secondary = loadSecondaryNetworks(inv, x.log);
  for (const n of x.empty ? [] : secondary.networks) {
    const names = new Set(x.inputs.names.keys());
    const members = new Set(n.workloads.map((w) => `${w.namespace ?? "default"}/${w.name}`));
    const all = explainConnectivity({
      workloads: n.workloads,
      namespaces: inv.namespaces,
      policies: n.policies,
    });
    const isMember = (d: string) => {
      const ref = x.inputs.names.get(d);
      return names.has(d) && ref !== undefined && members.has(`${ref.namespace}/${ref.name}`);
    };
    const pairs = focused(
      all.filter((p) => isMember(p.src) && isMember(p.dst)),
      x,
    );
    count += pairs.length;
    out += renderExplainTxt(pairs, {
      ...(x.only && { only: x.only }),
      network: `secondary NAD ${n.name}`,
      omitDefaultSides: true,
      defaultsAsSpecific: x.focus.conn !== undefined,
    });
  }
  if (
    hasCrossNetworkPairs(
      groups.map((g) => g.workloads),
      x,
    )
  )
    out += `\n${CROSS_NETWORK_NOTE}\n`;
  x.log(`${plural(count, "pair")} explained`);
  return out;
}

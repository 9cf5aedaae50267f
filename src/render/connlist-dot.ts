/**
 * Connectivity as a Graphviz digraph (netpol-analyzer's dot form): workloads grouped in one
 * `subgraph cluster_<namespace>` per namespace, address ranges in red, `{ingress-controller}` in
 * blue, one labelled edge per pair. Nodes with no edge are kept so that isolated workloads show.
 */
import type { ConnectivityPair } from "../analysis/connectivity/connectivity.js";

/** A node of the graph: its display name and, for workloads, namespace and short label. */
export interface DotNode {
  id: string;
  namespace?: string;
  label: string;
}

function q(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function sortedUnique(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort();
}

/** Renders pairs (and extra workload nodes) as a dot digraph, deterministic and sorted. */
export function renderConnlistDot(
  pairs: readonly ConnectivityPair[],
  workloads: readonly DotNode[],
  o: { focusConn?: string } = {},
): string {
  const nodes = new Map<string, DotNode>(workloads.map((w) => [w.id, w]));
  for (const p of pairs)
    for (const id of [p.src, p.dst]) if (!nodes.has(id)) nodes.set(id, { id, label: id });
  const byNs = new Map<string, DotNode[]>();
  const loose: DotNode[] = [];
  for (const n of nodes.values()) {
    if (n.namespace === undefined) loose.push(n);
    else byNs.set(n.namespace, [...(byNs.get(n.namespace) ?? []), n]);
  }
  const out = ["digraph {"];
  for (const ns of sortedUnique(byNs.keys())) {
    out.push(`\tsubgraph ${q(`cluster_${ns}`)} {`);
    for (const n of byNs.get(ns)!.sort((a, b) => (a.id < b.id ? -1 : 1)))
      out.push(`\t\t${q(n.id)} [label=${q(n.label)} color="blue" fontcolor="blue"]`);
    out.push(`\t\tlabel=${q(ns)}`, "\t}");
  }
  for (const n of loose.sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const color = n.id.endsWith("[External]") ? "red2" : "blue";
    out.push(`\t${q(n.id)} [label=${q(n.label)} color="${color}" fontcolor="${color}"]`);
  }
  for (const p of pairs) {
    const label = o.focusConn ?? p.conns.toString();
    out.push(`\t${q(p.src)} -> ${q(p.dst)} [label=${q(label)} color="gold2" fontcolor="darkgreen"]`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

/**
 * Focus options of the connectivity listing, as netpol-analyzer defines them:
 * - `workloads`: keep pairs with a focus workload at one end (a workload matches by its name or
 *   `namespace/name`; `ingress-controller` names `{ingress-controller}`);
 * - `peers`: with focus workloads, the other end must be one of these;
 * - `direction`: `ingress` keeps pairs whose destination is a focus workload, `egress` pairs whose
 *   source is;
 * - `conn` (`tcp-80`): keep pairs that allow that connection (the listing then prints pairs only).
 * When every focus workload (or every focus peer) is unknown, the listing is empty and a warning says
 * why.
 */
import { type ConnSet, type Protocol, parseProtocol } from "../../model/ports.js";
import {
  INGRESS_CONTROLLER,
  INGRESS_CONTROLLER_NAME,
  INGRESS_CONTROLLER_NAMESPACE,
} from "../ingress/ingress.js";
import type { ConnectivityPair } from "./connectivity.js";

/** One connection to focus on. */
export interface FocusConn {
  protocol: Protocol;
  port: number;
}

/** The focus options. */
export interface FocusOptions {
  workloads?: readonly string[];
  peers?: readonly string[];
  direction?: "ingress" | "egress";
  conn?: FocusConn;
}

/** What a display name stands for: a workload's namespace and name (absent for address ranges). */
export type PeerNames = ReadonlyMap<string, { namespace: string; name: string }>;

/** Parses `tcp-80` / `UDP-53`; undefined when it is not `<protocol>-<port>`. */
export function parseFocusConn(s: string): FocusConn | undefined {
  const m = /^([A-Za-z]+)-(\d+)$/.exec(s.trim());
  const protocol = m ? parseProtocol(m[1].toUpperCase()) : undefined;
  const port = m ? Number(m[2]) : Number.NaN;
  if (!protocol || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { protocol, port };
}

/** `UDP 52` (the corpus header form). */
export function formatFocusConn(c: FocusConn): string {
  return `${c.protocol} ${c.port}`;
}

function namesOf(display: string, names: PeerNames): { namespace: string; name: string } | undefined {
  if (display === INGRESS_CONTROLLER)
    return { namespace: INGRESS_CONTROLLER_NAMESPACE, name: INGRESS_CONTROLLER_NAME };
  return names.get(display);
}

function matches(display: string, list: readonly string[] | undefined, names: PeerNames): boolean {
  if (!list || list.length === 0) return true;
  const n = namesOf(display, names);
  return !!n && list.some((f) => f === n.name || f === `${n.namespace}/${n.name}`);
}

/** The focus names (of `list`) that name no peer; `ingress-controller` exists only with ingress pairs. */
export function unknownFocusNames(
  list: readonly string[],
  names: PeerNames,
  hasIngressController: boolean,
): string[] {
  const known = [...names.values()];
  return list.filter((f) => {
    if (f === INGRESS_CONTROLLER_NAME) return !hasIngressController;
    return !known.some((n) => f === n.name || f === `${n.namespace}/${n.name}`);
  });
}

/** Edit distance (insertions, deletions, substitutions) between two strings. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/**
 * The peers a mistyped focus name most likely meant, best first (at most `max`): names that start
 * with it, then names that contain it, then names within a small edit distance. A name with a `/`
 * is compared with `namespace/name`, else with the name. Each as `name (display)`, e.g.
 * `frontend-99684f7f8 (default/frontend-99684f7f8[ReplicaSet])`.
 */
export function closestFocusNames(query: string, names: PeerNames, max = 3): string[] {
  const q = query.toLowerCase();
  const found: { text: string; score: number }[] = [];
  for (const [display, n] of names) {
    const key = (q.includes("/") ? `${n.namespace}/${n.name}` : n.name).toLowerCase();
    const at = key.indexOf(q);
    let score: number;
    if (at >= 0) score = (at === 0 ? 0 : 1) + (key.length - q.length) / 1e6;
    else {
      const d = editDistance(key, q);
      if (d > Math.max(2, Math.floor(q.length / 3))) continue;
      score = 2 + d;
    }
    found.push({ text: `${q.includes("/") ? `${n.namespace}/${n.name}` : n.name} (${display})`, score });
  }
  found.sort((a, b) => a.score - b.score || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return found.slice(0, max).map((f) => f.text);
}

/** The warning for a focus name that names no peer, with the closest names when there are any. */
export function unknownFocusMessage(name: string, names: PeerNames): string {
  if (name === INGRESS_CONTROLLER_NAME)
    return "the ingress-controller is not a peer: the input has no Ingress/Route objects";
  const close = closestFocusNames(name, names);
  return `workload ${name} does not exist in the input resources${close.length ? `; closest: ${close.join(", ")}` : ""}`;
}

/** True when the pair survives the workload, peer and direction options. */
function keepPair(p: ConnectivityPair, o: FocusOptions, names: PeerNames): boolean {
  const focus = o.workloads ?? [];
  const src = matches(p.src, focus, names);
  const dst = matches(p.dst, focus, names);
  if (o.direction === "ingress" && !dst) return false;
  if (o.direction === "egress" && !src) return false;
  const peer = (d: string) => focus.length === 0 || matches(d, o.peers, names);
  return (src && peer(p.dst)) || (dst && peer(p.src));
}

/** True when the pair allows the focus connection (or there is none). */
function allowsConn(conns: ConnSet, c: FocusConn | undefined): boolean {
  return !c || conns.has(c.protocol, c.port);
}

/** The pairs that the focus options keep (order kept). */
export function focusPairs(
  pairs: readonly ConnectivityPair[],
  o: FocusOptions,
  names: PeerNames,
): ConnectivityPair[] {
  return pairs.filter((p) => keepPair(p, o, names) && allowsConn(p.conns, o.conn));
}

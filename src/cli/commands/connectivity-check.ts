/**
 * `microseg connectivity --src A --dst B [--conn tcp-80]`: one connection instead of the listing.
 * A peer is `namespace/name` of a workload (its owner name), of one of its pods, or an IPv4/IPv6
 * address. The answer is one line, `A => B : TCP 80 allowed` / `denied` (or, without `--conn`,
 * `A => B : <allowed conns>`), or with `-o json` an object `{src, dst, conn, allowed}`. Exit 0 either
 * way: a denied connection is an answer, not a finding. With `--multiple-networks`, pods on different
 * primary networks (pod network, UDNs, CUDNs) cannot connect at all.
 */

import { networkKey, POD_NETWORK, primaryNetworks } from "../../analysis/connectivity/networks.js";
import { type Endpoint, ipEndpoint, podEndpoint } from "../../eval/endpoint.js";
import { createEvaluator } from "../../eval/evaluate.js";
import { ConnSet } from "../../model/ports.js";
import { fail } from "../../model/problems.js";
import { displayName, type Workload } from "../../model/workload.js";
import type { ConnectivityOptions } from "./connectivity.js";
import { checkNetworks, emitResult, parseConn } from "./connectivity.js";
import { type ConnectivityInputs, loadConnectivityInputs } from "./connectivity-inputs.js";

/** A resolved peer: the evaluator endpoint and its display name. */
interface ResolvedPeer {
  endpoint: Endpoint;
  display: string;
}

function findWorkload(inputs: ConnectivityInputs, ns: string, name: string): Workload | undefined {
  const inv = inputs.inventory;
  const byOwner = inv.workloads.find((w) => (w.namespace ?? "default") === ns && w.name === name);
  if (byOwner) return byOwner;
  for (const w of inv.workloads) {
    const pods = (inv.workloadResources?.get(w.id) ?? []).filter((r) => r.kind === "Pod");
    if (pods.some((p) => (p.metadata.namespace ?? "default") === ns && p.metadata.name === name)) return w;
  }
  return undefined;
}

/** Resolves `ns/name` (workload or pod) or an address; unknown peers are a usage error. */
export function resolvePeer(inputs: ConnectivityInputs, text: string, flag: string): ResolvedPeer {
  const ip = ipEndpoint(text);
  if (ip) return { endpoint: ip, display: text };
  const slash = text.indexOf("/");
  const ns = slash > 0 ? text.slice(0, slash) : "default";
  const name = slash > 0 ? text.slice(slash + 1) : text;
  const w = findWorkload(inputs, ns, name);
  if (!w) fail("usage", `${flag} ${text}: no workload or pod ${ns}/${name} in the input, and not an address`);
  const nsLabels = inputs.inventory.namespaces.get(ns);
  return { endpoint: podEndpoint(w, nsLabels), display: displayName(w) };
}

/** With multiple networks: true when both ends are pods on different primary networks (isolated). */
function onDifferentNetworks(inputs: ConnectivityInputs, a: Endpoint, b: Endpoint): boolean {
  if (a.kind !== "pod" || b.kind !== "pod") return false;
  const nets = primaryNetworks(inputs.inventory.resources, inputs.inventory.namespaces);
  const key = (e: Endpoint & { kind: "pod" }) => networkKey(nets.get(e.namespace) ?? POD_NETWORK);
  return key(a) !== key(b);
}

/** Runs the single-connection form; returns the exit code. */
export async function runConnectivityCheck(o: ConnectivityOptions): Promise<number> {
  if (o.src === undefined || o.dst === undefined)
    fail("usage", "--src and --dst go together (and --conn needs both)");
  const conn = o.conn !== undefined ? parseConn(o.conn, "--conn") : undefined;
  const inputs = await loadConnectivityInputs(o, o.log);
  if (o.multipleNetworks) checkNetworks(inputs);
  const src = resolvePeer(inputs, o.src, "--src");
  const dst = resolvePeer(inputs, o.dst, "--dst");
  const isolated = o.multipleNetworks === true && onDifferentNetworks(inputs, src.endpoint, dst.endpoint);
  const allowedConns = isolated
    ? ConnSet.NONE
    : createEvaluator(inputs.policies).allowedConns(src.endpoint, dst.endpoint);
  const head = `${src.display} => ${dst.display}`;
  if (!conn) {
    const text =
      o.output === "json"
        ? `${JSON.stringify({ src: src.display, dst: dst.display, conn: allowedConns.toString() }, null, 2)}\n`
        : `${head} : ${allowedConns.toString()}\n`;
    await emitResult(o, text);
    return 0;
  }
  const allowed = allowedConns.has(conn.protocol, conn.port);
  const what = `${conn.protocol} ${conn.port}`;
  const text =
    o.output === "json"
      ? `${JSON.stringify({ src: src.display, dst: dst.display, conn: what, allowed }, null, 2)}\n`
      : `${head} : ${what} ${allowed ? "allowed" : "denied"}\n`;
  await emitResult(o, text);
  return 0;
}

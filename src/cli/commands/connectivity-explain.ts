/**
 * `microseg connectivity --explain [--explain-only allow|deny] [--exposure]`: for every pair of
 * peers, which connections are allowed and which denied, and the policies and rules that decide
 * each part (netpol-analyzer's explanation text). Focus options pick the pairs; `--focus-conn`
 * restricts each pair to that connection. With `--exposure`, the exposure section follows.
 */
import { focusPairs } from "../../analysis/connectivity/focus.js";
import { explainConnectivity, type PairExplanation } from "../../analysis/explain/explain.js";
import { ingressExplainTargets } from "../../analysis/explain/ingress-explain.js";
import { readIngressBackends } from "../../analysis/ingress/backends.js";
import { parseService } from "../../inventory/k8s/services.js";
import { ConnSet, PortSet } from "../../model/ports.js";
import type { Problem } from "../../model/problems.js";
import { fail, formatProblem, problem } from "../../model/problems.js";
import { renderExplainTxt } from "../../render/explain.js";
import { plural } from "../../render/plural.js";
import { type ConnectivityOptions, checkNetworks, emitResult, focusOptions } from "./connectivity.js";
import { explainNetworksTxt } from "./connectivity-explain-networks.js";
import { exposureSectionTxt, focusNamesUnknown } from "./connectivity-exposure.js";
import { loadConnectivityInputs } from "./connectivity-inputs.js";

/** Restricts a pair's segments to the given connections (segments left empty are dropped). */
export function restrictPair(p: PairExplanation, conns: ConnSet): PairExplanation {
  const segments = p.segments
    .map((s) => ({ ...s, conns: s.conns.intersect(conns) }))
    .filter((s) => !s.conns.isEmpty());
  return { ...p, segments };
}

/** Runs `connectivity --explain`; returns the exit code. */
export async function runExplain(o: ConnectivityOptions): Promise<number> {
  const only = o.explainOnly;
  if (only !== undefined && only !== "allow" && only !== "deny")
    fail("usage", `--explain-only must be allow or deny, not "${only}"`);
  if (o.output !== "txt")
    o.log(
      `microseg: ${formatProblem(problem("usage", "warning", `--explain prints txt only; -o ${o.output} is ignored`))}`,
    );
  const focus = focusOptions(o);
  const inputs = await loadConnectivityInputs(o, o.log);
  const problems: Problem[] = [];
  const resources = inputs.inventory.resources;
  const input = {
    workloads: inputs.inventory.workloads,
    namespaces: inputs.inventory.namespaces,
    policies: inputs.policies,
    ingressTargets: ingressExplainTargets({
      backends: readIngressBackends(resources, problems),
      services: resources.filter((r) => r.kind === "Service").map((r) => parseService(r, problems)),
      workloads: inputs.inventory.workloads,
    }),
  };
  if (o.multipleNetworks) {
    checkNetworks(inputs);
    let text = explainNetworksTxt({
      inputs,
      focus,
      ingressTargets: input.ingressTargets,
      ...(only !== undefined && { only }),
      empty: focusNamesUnknown(inputs, focus, o.log),
      log: o.log,
    });
    if (o.exposure) text += `\n${await exposureSectionTxt(o)}`;
    await emitResult(o, text);
    return 0;
  }
  let pairs: PairExplanation[] = [];
  if (!focusNamesUnknown(inputs, focus, o.log)) {
    const all = explainConnectivity(input);
    const { conn: _conn, ...byName } = focus;
    const kept = new Set(
      focusPairs(
        all.map((p) => ({ src: p.src, dst: p.dst, conns: ConnSet.ALL })),
        byName,
        inputs.names,
      ).map((p) => `${p.src} => ${p.dst}`),
    );
    pairs = all.filter((p) => kept.has(`${p.src} => ${p.dst}`));
    if (focus.conn) {
      const c = ConnSet.of([[focus.conn.protocol, PortSet.single(focus.conn.port)]]);
      pairs = pairs.map((p) => restrictPair(p, c)).filter((p) => p.segments.length > 0);
    }
  }
  let text = renderExplainTxt(pairs, only !== undefined ? { only } : {});
  if (o.exposure) text += `\n${await exposureSectionTxt(o)}`;
  await emitResult(o, text);
  o.log(`${plural(pairs.length, "pair")} explained`);
  return 0;
}

/**
 * `microseg connectivity --exposure`: the connectivity listing followed by exposure analysis (which
 * potential peers beyond the input each workload is exposed to), in netpol-analyzer's txt and json
 * forms. Focus options restrict both parts: exposure lines of a workload are shown when it is a focus
 * workload and the focus direction (if any) is the line's direction.
 */
import { analyzeConnectivity } from "../../analysis/connectivity/connectivity.js";
import {
  type FocusOptions,
  focusPairs,
  type PeerNames,
  unknownFocusMessage,
  unknownFocusNames,
} from "../../analysis/connectivity/focus.js";
import { analyzeExposure } from "../../analysis/exposure/exposure.js";
import { formatProblem, problem } from "../../model/problems.js";
import {
  type ExposureView,
  renderExposureJson,
  renderExposureSectionTxt,
  renderExposureTxt,
} from "../../render/exposure.js";
import { plural } from "../../render/plural.js";
import { type ConnectivityOptions, emitResult, focusOptions, renderConnlist } from "./connectivity.js";
import { type ConnectivityInputs, loadConnectivityInputs } from "./connectivity-inputs.js";

/** True when a workload display name is one of the focus names (by name or `ns/name`). */
export function isFocusWorkload(display: string, list: readonly string[], names: PeerNames): boolean {
  if (list.length === 0) return true;
  const n = names.get(display);
  return !!n && list.some((f) => f === n.name || f === `${n.namespace}/${n.name}`);
}

/** Which directions of which workloads the focus options show. */
export function exposureFilter(
  f: FocusOptions,
  names: PeerNames,
): (workload: string, direction: "ingress" | "egress") => boolean {
  const workloads = f.workloads ?? [];
  // representative peers are never focus peers: with --focusworkload-peer no exposure line is kept
  if (workloads.length > 0 && (f.peers ?? []).length > 0) return () => false;
  return (w, d) => isFocusWorkload(w, workloads, names) && (f.direction === undefined || f.direction === d);
}

/** True when every focus workload is unknown (the analysis then lists nothing). */
export function focusNamesUnknown(
  inputs: ConnectivityInputs,
  f: FocusOptions,
  log: (s: string) => void,
): boolean {
  const list = f.workloads ?? [];
  if (list.length === 0) return false;
  const unknown = unknownFocusNames(list, inputs.names, inputs.hasIngressController);
  for (const u of unknown)
    log(
      `microseg: ${formatProblem(problem("data-missing", "warning", unknownFocusMessage(u, inputs.names)))}`,
    );
  return unknown.length === list.length;
}

/** Builds the exposure view (listing pairs after focus, every workload's exposure, the filter). */
export async function exposureView(o: ConnectivityOptions): Promise<ExposureView> {
  const focus = focusOptions(o);
  const inputs = await loadConnectivityInputs(o, o.log);
  const input = {
    workloads: inputs.inventory.workloads,
    namespaces: inputs.inventory.namespaces,
    policies: inputs.policies,
    ingress: inputs.ingress,
  };
  if (focusNamesUnknown(inputs, focus, o.log)) return { pairs: [], exposures: [] };
  const view: ExposureView = {
    pairs: focusPairs(analyzeConnectivity(input), focus, inputs.names),
    exposures: analyzeExposure(input),
    include: exposureFilter(focus, inputs.names),
  };
  if (focus.conn) view.focusConn = focus.conn;
  return view;
}

/** The exposure section alone (after an explanation, `--explain --exposure`). */
export async function exposureSectionTxt(o: ConnectivityOptions): Promise<string> {
  return renderExposureSectionTxt(await exposureView(o));
}

/** Runs `connectivity --exposure`; returns the exit code. */
export async function runExposure(o: ConnectivityOptions): Promise<number> {
  if (o.output !== "txt" && o.output !== "json")
    o.log(
      `microseg: ${formatProblem(problem("usage", "warning", `--exposure prints txt or json; -o ${o.output} shows the txt form`))}`,
    );
  const view = await exposureView(o);
  const focusConn = view.focusConn ? `${view.focusConn.protocol} ${view.focusConn.port}` : undefined;
  const text =
    o.output === "json"
      ? renderExposureJson(view)
      : renderExposureTxt(view, renderConnlist(view.pairs, "txt", focusConn ? { focusConn } : {}));
  await emitResult(o, text);
  o.log(`${plural(view.exposures.length, "workload")} analysed for exposure`);
  return 0;
}

/**
 * `microseg connectivity`: who can reach whom under the policies, in netpol-analyzer's forms
 * (`src => dst : conns` lines, JSON, CSV, Markdown, dot), with its focus options
 * (`--focusworkload`, `--focusworkload-peer`, `--focus-direction`, `--focus-conn`). With `--src` and
 * `--dst` it answers for one connection instead (see connectivity-check.ts). `--exposure` and
 * `--explain` are separate analyses (connectivity-exposure.ts, connectivity-explain.ts).
 */
import { analyzeConnectivity, type ConnectivityPair } from "../../analysis/connectivity/connectivity.js";
import {
  type FocusConn,
  type FocusOptions,
  focusPairs,
  formatFocusConn,
  parseFocusConn,
  unknownFocusMessage,
  unknownFocusNames,
} from "../../analysis/connectivity/focus.js";
import { userDefinedNetworkProblems } from "../../analysis/connectivity/networks.js";
import { writeFileAtomic } from "../../io/write.js";
import { fail, formatProblem, MicrosegError, problem } from "../../model/problems.js";
import {
  renderConnlistCsv,
  renderConnlistJson,
  renderConnlistMd,
  renderConnlistTxt,
} from "../../render/connlist.js";
import { type DotNode, renderConnlistDot } from "../../render/connlist-dot.js";
import { plural } from "../../render/plural.js";
import { countPolicies } from "../inputs.js";
import type { CliIo } from "../main.js";
import { runConnectivityCheck } from "./connectivity-check.js";
import { runExplain } from "./connectivity-explain.js";
import { runExposure } from "./connectivity-exposure.js";
import { type ConnectivityInputs, loadConnectivityInputs } from "./connectivity-inputs.js";
import { renderMultiNetwork } from "./connectivity-networks.js";

/** Output formats of `connectivity`. */
export const CONNECTIVITY_FORMATS = ["txt", "json", "csv", "md", "dot"] as const;
/** One output format. */
export type ConnectivityFormat = (typeof CONNECTIVITY_FORMATS)[number];

/** Options of `connectivity` (flag names as netpol-analyzer's `list`). */
export interface ConnectivityOptions {
  dir?: string[];
  policies?: string[];
  inventory?: string[];
  output: ConnectivityFormat;
  out?: string;
  /** Focus workloads (`name` or `ns/name`; comma lists already split). */
  focusworkload?: string[];
  focusworkloadPeer?: string[];
  focusDirection?: string;
  focusConn?: string;
  /** Analyse secondary and user-defined networks separately (netpol-analyzer's default is on). */
  multipleNetworks?: boolean;
  exposure?: boolean;
  explain?: boolean;
  explainOnly?: string;
  /** Single-connection check: source and destination (`ns/name`, a pod name, or an IP). */
  src?: string;
  dst?: string;
  /** Single-connection check: `tcp-80` (else every allowed connection of the pair). */
  conn?: string;
  io: CliIo;
  log: (s: string) => void;
}

/** Splits repeated and comma-separated flag values (`--focusworkload a,b --focusworkload c`). */
export function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Validates the focus flags into focus options; a bad value is a usage error. */
export function focusOptions(o: ConnectivityOptions): FocusOptions {
  const out: FocusOptions = { workloads: splitList(o.focusworkload), peers: splitList(o.focusworkloadPeer) };
  if (o.focusDirection !== undefined) {
    if (o.focusDirection !== "ingress" && o.focusDirection !== "egress")
      fail("usage", `--focus-direction must be ingress or egress, not "${o.focusDirection}"`);
    out.direction = o.focusDirection;
  }
  if (o.focusConn !== undefined) out.conn = parseConn(o.focusConn, "--focus-conn");
  return out;
}

/** Parses a `tcp-80` flag value or fails with a usage error naming the flag. */
export function parseConn(value: string, flag: string): FocusConn {
  const c = parseFocusConn(value);
  if (!c)
    fail("usage", `${flag} must be <protocol>-<port> (tcp, udp or sctp; port 1..65535), not "${value}"`);
  return c;
}

/** The focus workloads and peers that name nothing, as warnings; true when the listing must be empty. */
function checkFocusNames(inputs: ConnectivityInputs, f: FocusOptions, log: (s: string) => void): boolean {
  const check = (list: readonly string[]) => {
    const unknown = unknownFocusNames(list, inputs.names, inputs.hasIngressController);
    for (const u of unknown)
      log(
        `microseg: ${formatProblem(problem("data-missing", "warning", unknownFocusMessage(u, inputs.names)))}`,
      );
    return list.length > 0 && unknown.length === list.length;
  };
  if (check(f.workloads ?? [])) return true;
  return (f.workloads ?? []).length > 0 && check(f.peers ?? []);
}

/** The workloads a dot graph shows: all, or the focus workloads and focus peers. */
function dotNodes(inputs: ConnectivityInputs, f: FocusOptions): DotNode[] {
  const wanted = [...(f.workloads ?? []), ...(f.peers ?? [])];
  const out: DotNode[] = [];
  for (const [id, n] of inputs.names) {
    if (wanted.length && !wanted.some((w) => w === n.name || w === `${n.namespace}/${n.name}`)) continue;
    out.push({ id, namespace: n.namespace, label: id.slice(n.namespace.length + 1) });
  }
  return out;
}

/** Renders pairs in the chosen format. */
export function renderConnlist(
  pairs: readonly ConnectivityPair[],
  format: ConnectivityFormat,
  o: { focusConn?: string; nodes?: DotNode[] } = {},
): string {
  const ro = o.focusConn !== undefined ? { focusConn: o.focusConn } : {};
  switch (format) {
    case "json":
      return renderConnlistJson(pairs, ro);
    case "csv":
      return renderConnlistCsv(pairs, ro);
    case "md":
      return renderConnlistMd(pairs, ro);
    case "dot":
      return renderConnlistDot(pairs, o.nodes ?? [], ro);
    default:
      return renderConnlistTxt(pairs, ro);
  }
}

/** Writes the result to `--out` (atomically) or stdout. */
export async function emitResult(o: Pick<ConnectivityOptions, "out" | "io">, text: string): Promise<void> {
  if (o.out) await writeFileAtomic(o.out, text);
  else o.io.stdout(text);
}

/** With multiple networks: user-defined network errors are fatal. */
export function checkNetworks(inputs: ConnectivityInputs): void {
  const problems = userDefinedNetworkProblems(inputs.inventory.resources, inputs.inventory.namespaces);
  if (problems.length) throw new MicrosegError(problems);
}

/** Runs `connectivity`; returns the exit code. */
export async function runConnectivity(o: ConnectivityOptions): Promise<number> {
  if (o.explainOnly !== undefined && !o.explain) fail("usage", "--explain-only needs --explain");
  // --explain (with or without --exposure) and --exposure are their own analyses
  if (o.explain) return runExplain(o);
  if (o.exposure) return runExposure(o);
  if (o.src !== undefined || o.dst !== undefined || o.conn !== undefined) return runConnectivityCheck(o);
  const focus = focusOptions(o);
  const inputs = await loadConnectivityInputs(o, o.log);
  if (o.multipleNetworks) checkNetworks(inputs);
  const { inventory, policies } = inputs;
  const empty = checkFocusNames(inputs, focus, o.log);
  if (o.multipleNetworks) {
    await emitResult(o, renderMultiNetwork(o, inputs, focus, empty, o.log));
    return 0;
  }
  const all = analyzeConnectivity({
    workloads: inventory.workloads,
    namespaces: inventory.namespaces,
    policies,
    ingress: inputs.ingress,
  });
  const pairs = empty ? [] : focusPairs(all, focus, inputs.names);
  const focusConn = focus.conn ? formatFocusConn(focus.conn) : undefined;
  const nodes = o.output === "dot" ? dotNodes(inputs, focus) : undefined;
  await emitResult(
    o,
    renderConnlist(pairs, o.output, { ...(focusConn && { focusConn }), ...(nodes && { nodes }) }),
  );
  o.log(
    `${plural(inventory.workloads.length, "workload")}, ${plural(countPolicies(policies), "policy", "policies")}: ${plural(pairs.length, "pair")} with allowed connections`,
  );
  return 0;
}

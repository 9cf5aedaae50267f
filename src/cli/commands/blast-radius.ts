/**
 * `microseg blast-radius [--policies DIR --inventory F... | --map map.json] [--workload W]
 * [-o table|json|md|html] [--out FILE]`: per workload, what an attacker who owns it reaches in one
 * hop and transitively, under the policies (permitted) and in the map (used), with the data
 * classes reached, ranked by reach.
 */
import {
  type BlastReport,
  type BlastWorkload,
  blastRadius,
} from "../../analysis/blast-radius/blast-radius.js";
import { permittedGraph, type ReachGraph, usedGraph } from "../../analysis/blast-radius/graph.js";
import type { MicrosegConfig } from "../../config/schema.js";
import { toMapWorkload } from "../../graph/inventory-map.js";
import { readMapFile } from "../../io/map-file.js";
import { writeFileAtomic } from "../../io/write.js";
import type { CommunicationMap, MapWorkload } from "../../model/map.js";
import { fail } from "../../model/problems.js";
import { renderBlastHtml } from "../../render/html-blast-radius.js";
import { blastTable, renderBlastMarkdown } from "../../render/markdown-blast-radius.js";
import { plural } from "../../render/plural.js";
import { renderTextTable } from "../../render/table.js";
import { classifyZones } from "../../zones/classify.js";
import { ingressExposures } from "../../zones/ingress-exposure.js";
import { loadPolicyInputs } from "../inputs.js";
import type { CliIo } from "../main.js";

/** Options of `blast-radius`. */
export interface BlastOptions {
  policies?: string[];
  inventory?: string[];
  map?: string;
  workload?: string;
  output: "table" | "json" | "md" | "html";
  out?: string;
  config?: MicrosegConfig;
  /** The report's timestamp (tests pass a fixed one). */
  now?: Date;
  io: CliIo;
  log: (s: string) => void;
}

/** The inputs resolved into graphs and workloads. */
export interface BlastInputs {
  workloads: BlastWorkload[];
  permitted?: ReachGraph;
  used?: ReachGraph;
  inputs: string[];
}

/** Loads policies/inventory and/or a map into the analysis inputs. */
export async function loadBlastInputs(o: Omit<BlastOptions, "output" | "io">): Promise<BlastInputs> {
  if (!o.map && !o.policies?.length)
    fail("usage", "give --policies with --inventory (permitted reach), --map (used reach), or both");
  if (o.inventory?.length && !o.policies?.length && !o.map)
    fail("usage", "--inventory needs --policies (or give --map)");
  const workloads = new Map<string, MapWorkload>();
  let map: CommunicationMap | undefined;
  let permitted: ReachGraph | undefined;
  let exposures = new Map<string, string[]>();
  if (o.policies?.length) {
    const { inventory, policies } = await loadPolicyInputs(
      { policies: o.policies, inventory: o.inventory },
      o.log,
    );
    for (const w of inventory.workloads)
      if (w.kind === "pod-owner" || w.kind === "vm") workloads.set(w.id, toMapWorkload(w));
    permitted = permittedGraph({
      workloads: inventory.workloads,
      namespaces: inventory.namespaces,
      policies,
    });
    exposures = ingressExposures(inventory.resources, [...workloads.values()]);
  }
  if (o.map) {
    map = await readMapFile(o.map);
    for (const w of map.workloads)
      if ((w.kind === "pod-owner" || w.kind === "vm") && !workloads.has(w.id)) workloads.set(w.id, w);
  }
  const list = [...workloads.values()];
  const zoning = classifyZones({ workloads: list, edges: map?.edges, exposures, config: o.config });
  return {
    workloads: zoning.assignments.map((a) => ({ id: a.id, zone: a.zone, dataClasses: a.dataClasses })),
    permitted,
    used: map ? usedGraph(map) : undefined,
    inputs: [...(o.policies ?? []), ...(o.inventory ?? []), ...(o.map ? [o.map] : [])],
  };
}

/** Keeps the entries of one workload (id or bare name); an unknown name is a usage error. */
export function focusReport(r: BlastReport, workload: string | undefined): BlastReport {
  if (!workload) return r;
  const hits = r.entries.filter((e) => e.id === workload || e.id.split("/")[1] === workload);
  if (hits.length === 0) fail("usage", `--workload ${workload}: no such workload in the input`);
  return { ...r, entries: hits };
}

/** Renders a report in one of the output formats. */
export function renderBlast(
  r: BlastReport,
  format: BlastOptions["output"],
  meta: { inputs: string[]; generatedAt: string; highlight?: string; focus?: string },
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify({ generatedAt: meta.generatedAt, inputs: meta.inputs, ...r }, null, 2)}\n`;
    case "md":
      return renderBlastMarkdown(r, { inputs: meta.inputs });
    case "html":
      return renderBlastHtml(r, meta);
    default:
      return `${renderTextTable(blastTable(r))}\n${r.entries
        .flatMap((e) => r.graphs.map((g) => `${g}: ${e.sentences[g]}`))
        .join("\n")}\n`;
  }
}

/** Runs `blast-radius`; exit 0 (the report is information, not a verdict). */
export async function runBlastRadius(o: BlastOptions): Promise<number> {
  const inputs = await loadBlastInputs(o);
  const full = blastRadius(inputs);
  const report = focusReport(full, o.workload);
  const focus = o.workload ? report.entries[0]?.id : undefined;
  // the HTML page needs every entry to draw the chosen workload's reach; it lists that one only
  const shown = o.output === "html" ? full : report;
  const text = renderBlast(shown, o.output, {
    inputs: inputs.inputs,
    generatedAt: (o.now ?? new Date()).toISOString(),
    focus,
  });
  if (o.out) {
    await writeFileAtomic(o.out, text);
    o.log(`blast-radius: ${plural(report.entries.length, "workload")}; report written to ${o.out}`);
  } else o.io.stdout(text);
  return 0;
}

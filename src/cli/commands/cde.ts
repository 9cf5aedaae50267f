/**
 * `microseg cde --policies DIR --inventory F... --config microseg.yaml [--out DIR] [-o text|json|md]`:
 * proves CDE isolation and writes the evidence (cde-evidence.md + cde-evidence.json) for an
 * assessor. Exit 1 when isolation fails, 2 on bad input.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { analyzeCde } from "../../analysis/cde/cde.js";
import { type CdeEvidence, cdeEvidence, type InputDigest } from "../../analysis/cde/evidence.js";
import type { MicrosegConfig } from "../../config/schema.js";
import { writeDirAtomic } from "../../io/write.js";
import { fail } from "../../model/problems.js";
import { renderCdeMarkdown, renderCdeSummary } from "../../render/markdown-cde.js";
import { loadPolicyInputs } from "../inputs.js";
import type { CliIo } from "../main.js";
import { VERSION } from "../version.js";

/** Options of `cde`. */
export interface CdeOptions {
  policies?: string[];
  inventory?: string[];
  config?: MicrosegConfig;
  configPath?: string;
  out?: string;
  output: "text" | "json" | "md";
  now?: Date;
  io: CliIo;
  log: (s: string) => void;
}

async function digest(path: string): Promise<InputDigest> {
  const data = await readFile(path);
  return { path, sha256: createHash("sha256").update(data).digest("hex"), bytes: data.length };
}

/** Runs the analysis and builds the evidence (no output written). */
export async function cdeEvidenceFor(o: Omit<CdeOptions, "output" | "io">): Promise<CdeEvidence> {
  if (!o.policies?.length) fail("usage", "give --policies (and --inventory for the workloads)");
  const cde = o.config?.cde;
  if (!cde)
    fail(
      "config-invalid",
      "the configuration has no cde section (members and connectors); give --config",
      o.configPath ? { file: o.configPath } : undefined,
    );
  const { inventory, policies } = await loadPolicyInputs(
    { policies: o.policies, inventory: o.inventory },
    o.log,
  );
  const result = analyzeCde({
    workloads: inventory.workloads,
    namespaces: inventory.namespaces,
    policies,
    cde,
  });
  if (result.members.length === 0)
    fail(
      "config-invalid",
      "cde.members selects no workload of the inventory",
      o.configPath ? { file: o.configPath } : undefined,
    );
  const inputs = await Promise.all(inventory.files.map(digest));
  return cdeEvidence(result, {
    version: VERSION,
    generatedAt: (o.now ?? new Date()).toISOString(),
    inputs,
    config: o.configPath ? await digest(o.configPath) : undefined,
    cde,
  });
}

/** Runs `cde`: exit 0 when isolated, 1 when not. */
export async function runCde(o: CdeOptions): Promise<number> {
  const evidence = await cdeEvidenceFor(o);
  const json = `${JSON.stringify(evidence, null, 2)}\n`;
  const md = renderCdeMarkdown(evidence);
  if (o.out) {
    await writeDirAtomic(o.out, [
      { path: "cde-evidence.json", content: json },
      { path: "cde-evidence.md", content: md },
    ]);
    o.log(`cde: evidence written to ${o.out} (cde-evidence.md, cde-evidence.json)`);
  }
  o.io.stdout(o.output === "json" ? json : o.output === "md" ? md : renderCdeSummary(evidence));
  return evidence.result === "isolated" ? 0 : 1;
}

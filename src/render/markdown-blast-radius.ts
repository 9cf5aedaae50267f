/**
 * The blast-radius report as a table (text/CSV/Markdown through render/table) and as a Markdown
 * document: ranking, the sentence per workload, and the path to each data holder.
 */
import type { BlastEntry, BlastReport, Reach } from "../analysis/blast-radius/blast-radius.js";
import { mdCell, renderMarkdownTable, type Table } from "./table.js";

/** The ranking as a table (one row per workload). */
export function blastTable(r: BlastReport): Table {
  const cols: Table["columns"] = [
    { name: "rank", type: "number" },
    { name: "workload", type: "string" },
    { name: "zone", type: "string" },
    { name: "data", type: "string" },
  ];
  for (const g of r.graphs)
    cols.push(
      { name: `${g} 1-hop`, type: "number" },
      { name: `${g} reach`, type: "number" },
      { name: `${g} data reached`, type: "string" },
    );
  const rows = r.entries.map((e, i) => {
    const row: (string | number)[] = [i + 1, e.id, e.zone, e.dataClasses.join(",") || "-"];
    for (const g of r.graphs) {
      const reach = e[g]!;
      row.push(reach.oneHop.length, reach.transitive.length, reach.dataClasses.join(",") || "-");
    }
    return row;
  });
  return { columns: cols, rows };
}

function holderLines(reach: Reach): string[] {
  return reach.holders.map(
    (h) =>
      `  - \`${mdCell(h.id)}\` (${h.classes.join(", ")}): ${reach.paths[h.id].map((x) => `\`${mdCell(x)}\``).join(" → ")}`,
  );
}

function entrySection(e: BlastEntry, graphs: BlastReport["graphs"]): string[] {
  const out = [
    `### ${mdCell(e.id)}`,
    "",
    `Zone **${mdCell(e.zone)}**${e.dataClasses.length ? `, holds ${e.dataClasses.join(", ")}` : ""}${e.exposed ? ", reachable from outside the cluster" : ""}.`,
    "",
  ];
  for (const g of graphs) {
    const reach = e[g]!;
    out.push(
      `- ${g === "permitted" ? "Permitted by the policies" : "Used (observed map)"}: ${mdCell(e.sentences[g]!)}`,
    );
    if (reach.oneHop.length)
      out.push(
        `  - one hop: ${reach.oneHop.map((d) => `\`${mdCell(d)}\` (${mdCell(reach.conns[d] ?? "")})`).join(", ")}`,
      );
    out.push(...holderLines(reach));
  }
  return [...out, ""];
}

/** The Markdown report. */
export function renderBlastMarkdown(
  r: BlastReport,
  opts: { title?: string; inputs?: string[] } = {},
): string {
  const lines = [`# ${mdCell(opts.title ?? "Blast radius")}`, ""];
  if (opts.inputs?.length) lines.push(`Inputs: ${opts.inputs.map((i) => `\`${mdCell(i)}\``).join(", ")}`, "");
  lines.push(
    `Reach: ${r.graphs.map((g) => (g === "permitted" ? "**permitted** (what the policies allow)" : "**used** (what the map shows in use)")).join(" and ")}; transitive reach pivots through every workload reached.`,
    "",
    "## Ranking",
    "",
    renderMarkdownTable(blastTable(r)),
    "## Per workload",
    "",
  );
  for (const e of r.entries) lines.push(...entrySection(e, r.graphs));
  return `${lines.join("\n").trimEnd()}\n`;
}

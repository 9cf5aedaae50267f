/**
 * The blast-radius report as one self-contained HTML page: inline CSS, an inline SVG graph laid
 * out by zone, the ranking table and the sentence per workload. No script, no external resource;
 * every untrusted string is escaped.
 */
import type { BlastReport } from "../analysis/blast-radius/blast-radius.js";
import { html, Raw } from "./html-escape.js";
import { renderGraphSvg } from "./html-graph.js";

const STYLE = `
body{font-family:system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}
.meta{color:#57606a;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin-top:8px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right}
.graph{border:1px solid #d0d7de;background:#fcfcfd;margin-top:8px}
.graph .zone{font-weight:600;font-size:14px;fill:#57606a;text-transform:uppercase}
.graph .node rect{fill:#ddf4ff;stroke:#54aeff;stroke-width:1.5}
.graph .node.data rect{fill:#ffebe9;stroke:#cf222e;stroke-width:2}
.graph .node.highlight rect{fill:#fff8c5;stroke:#9a6700;stroke-width:3}
.graph .outside-node rect{fill:#eaeef2;stroke:#6e7781}
.graph text{font-size:12px;fill:#1b1f24}
.graph path.permitted{fill:none;stroke:#8c959f;stroke-width:1.2;stroke-dasharray:4 3}
.graph path.used{fill:none;stroke:#0969da;stroke-width:2}
.graph path.outside{fill:none;stroke:#cf222e;stroke-width:1.5}
.graph .head-permitted{fill:#8c959f}.graph .head-used{fill:#0969da}.graph .head-outside{fill:#cf222e}
.legend span{display:inline-block;margin-right:16px;font-size:13px}
.sentence{margin:4px 0}.data-classes{color:#cf222e;font-weight:600}
`;

function rankingTable(r: Pick<BlastReport, "graphs" | "entries">): Raw {
  const head = r.graphs.map((g) => html`<th>${g} 1-hop</th><th>${g} reach</th><th>${g} data reached</th>`);
  const rows = r.entries.map((e, i) => {
    const cells = r.graphs.map((g) => {
      const reach = e[g]!;
      return html`<td class="num">${reach.oneHop.length}</td><td class="num">${reach.transitive.length}</td><td class="data-classes">${reach.dataClasses.join(", ") || "–"}</td>`;
    });
    return html`<tr data-workload="${e.id}"><td class="num">${i + 1}</td><td>${e.id}</td><td>${e.zone}</td><td>${e.dataClasses.join(", ") || "–"}</td>${cells}</tr>`;
  });
  return html`<table id="ranking"><thead><tr><th>#</th><th>workload</th><th>zone</th><th>holds</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function sentences(r: Pick<BlastReport, "graphs" | "entries">): Raw {
  const items = r.entries.map((e) => {
    const lines = r.graphs.map(
      (g) => html`<p class="sentence" data-graph="${g}"><strong>${g}:</strong> ${e.sentences[g] ?? ""}</p>`,
    );
    return html`<li data-workload="${e.id}">${lines}</li>`;
  });
  return html`<ul id="sentences">${items}</ul>`;
}

/** Options of the page. */
export interface BlastHtmlOptions {
  title?: string;
  generatedAt?: string;
  inputs?: string[];
  /** A workload drawn highlighted. */
  highlight?: string;
  /**
   * One workload's report (`--workload`): the ranking and sentences list it alone, the graph draws
   * it and the workloads it reaches (permitted or used), with the edges among them.
   */
  focus?: string;
}

/** The HTML page. */
export function renderBlastHtml(r: BlastReport, opts: BlastHtmlOptions = {}): string {
  const title = opts.title ?? "Blast radius";
  const focus = opts.focus ? r.entries.find((e) => e.id === opts.focus) : undefined;
  const reach = focus && new Set([focus.id, ...r.graphs.flatMap((g) => focus[g]?.transitive ?? [])]);
  const drawn = reach ? r.entries.filter((e) => reach.has(e.id)) : r.entries;
  const listed = { graphs: r.graphs, entries: focus ? [focus] : r.entries };
  const exposed = drawn.filter((e) => e.exposed).map((e) => e.id);
  const svg = renderGraphSvg({
    nodes: drawn.map((e) => ({ id: e.id, zone: e.zone, dataClasses: e.dataClasses })),
    permitted: r.edges.permitted,
    used: r.edges.used,
    exposed,
    highlight: opts.highlight ?? opts.focus,
  });
  const legend = html`<p class="legend">${r.graphs.includes("permitted") ? html`<span>┄ permitted by the policies</span>` : ""}${r.graphs.includes("used") ? html`<span style="color:#0969da">━ used (map)</span>` : ""}${exposed.length ? html`<span class="legend-outside" style="color:#cf222e">→ reachable from outside (internet / outside → exposed workload)</span>` : ""}<span style="color:#cf222e">▭ holds classified data</span></p>`;
  const meta = html`<p class="meta">${opts.generatedAt ? `Generated ${opts.generatedAt}. ` : ""}${opts.inputs?.length ? `Inputs: ${opts.inputs.join(", ")}` : ""}</p>`;
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>${title}</title><style>${new Raw(STYLE)}</style></head>
<body><h1>${title}</h1>${meta}
<h2>Reach graph</h2>${legend}${svg}
<h2>Ranking</h2>${rankingTable(listed)}
<h2>If compromised</h2>${sentences(listed)}
</body></html>
`;
  return page.value;
}

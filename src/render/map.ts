/**
 * Renderings of a communication map: a table of edges and a Mermaid flowchart.
 */
import type { CommunicationMap } from "../model/map.js";
import type { Table } from "./table.js";

/** The map's edges as a table. */
export function mapEdgeTable(map: CommunicationMap): Table {
  return {
    columns: [
      { name: "src", type: "string" },
      { name: "dst", type: "string" },
      { name: "ports", type: "string" },
      { name: "flows", type: "number" },
      { name: "provenance", type: "string" },
      { name: "http", type: "string" },
    ],
    rows: map.edges.map((e) => [
      e.src,
      e.dst,
      e.ports.map((p) => `${p.protocol}/${p.port}`).join(","),
      e.flows,
      e.provenance,
      (e.http ?? []).map((h) => `${h.method} ${h.path}`).join(", "),
    ]),
  };
}

/** Escapes text for a Mermaid quoted label: entities for & " < > #, line breaks become spaces. */
function mermaidText(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/"/g, "&quot;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/#/g, "&#35;")
    .replace(/\r\n|[\r\n\u2028\u2029]/g, " ");
}

/** The map as a Mermaid flowchart (node ids are generated, labels escaped). */
export function renderMermaid(map: CommunicationMap): string {
  const ids = new Map<string, string>();
  const nodeId = (w: string) => {
    let id = ids.get(w);
    if (!id) {
      id = `n${ids.size}`;
      ids.set(w, id);
    }
    return id;
  };
  const lines = ["flowchart LR"];
  const used = new Set(map.edges.flatMap((e) => [e.src, e.dst]));
  for (const w of [...used].sort()) lines.push(`  ${nodeId(w)}["${mermaidText(w)}"]`);
  for (const e of map.edges) {
    const label = e.ports.map((p) => `${p.protocol}/${p.port}`).join(",");
    const arrow = e.provenance === "inferred" ? "-.->" : "-->";
    lines.push(`  ${nodeId(e.src)} ${arrow}|"${mermaidText(label)}"| ${nodeId(e.dst)}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Named-question answers as tables (Batfish style): typed columns and rows, which every
 * renderer can print. Here: aligned text tables, CSV and Markdown.
 */

/** A column of a table. */
export interface Column {
  name: string;
  type: "string" | "number" | "boolean";
}

/** A table: columns and rows of cells. */
export interface Table {
  columns: Column[];
  rows: (string | number | boolean | undefined)[][];
}

function cell(v: string | number | boolean | undefined): string {
  return v === undefined ? "" : String(v);
}

/** Renders an aligned plain-text table (numbers right-aligned). */
export function renderTextTable(t: Table): string {
  const widths = t.columns.map((c, i) => Math.max(c.name.length, ...t.rows.map((r) => cell(r[i]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (t.columns[i].type === "number" ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const head = line(t.columns.map((c) => c.name.toUpperCase()));
  return `${[head, ...t.rows.map((r) => line(r.map(cell)))].join("\n")}\n`;
}

/** Quotes a CSV field when needed (RFC 4180). */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Renders RFC 4180 CSV with a header row. */
export function renderCsv(t: Table): string {
  return `${[t.columns.map((c) => csvField(c.name)), ...t.rows.map((r) => r.map((v) => csvField(cell(v))))]
    .map((r) => r.join(","))
    .join("\r\n")}\r\n`;
}

/** Escapes text for a Markdown table cell. */
export function mdCell(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Renders a GitHub-flavoured Markdown table. */
export function renderMarkdownTable(t: Table): string {
  const head = `| ${t.columns.map((c) => mdCell(c.name)).join(" | ")} |`;
  const sep = `| ${t.columns.map((c) => (c.type === "number" ? "---:" : "---")).join(" | ")} |`;
  return `${[head, sep, ...t.rows.map((r) => `| ${r.map((v) => mdCell(cell(v))).join(" | ")} |`)].join("\n")}\n`;
}

/**
 * A reach graph drawn as inline SVG with its own layout: one column per zone (outside, public,
 * application, data, management, then any others), workloads stacked in each column, edges as
 * arrows. Permitted edges are drawn thin and grey, used edges dark; nodes holding data classes
 * are outlined in red, the highlighted workload (if any) filled. Everything untrusted is escaped.
 */
import { html, type Raw } from "./html-escape.js";

/** A node to draw. */
export interface GraphNode {
  id: string;
  zone: string;
  dataClasses: readonly string[];
}

/** What to draw. */
export interface GraphPicture {
  nodes: readonly GraphNode[];
  permitted?: readonly [string, string, string][];
  used?: readonly [string, string, string][];
  /** Workloads reachable from outside: an arrow from the outside column. */
  exposed?: readonly string[];
  highlight?: string;
}

const ZONE_ORDER = ["outside", "public", "application", "data", "management", "infrastructure"];
const COL_W = 250;
const ROW_H = 44;
const NODE_W = 200;
const NODE_H = 30;
const TOP = 50;

function zoneColumns(nodes: readonly GraphNode[], withOutside: boolean): string[] {
  const zones = new Set(nodes.map((n) => n.zone));
  if (withOutside) zones.add("outside");
  const known = ZONE_ORDER.filter((z) => zones.has(z));
  const others = [...zones].filter((z) => !ZONE_ORDER.includes(z)).sort();
  return [...known, ...others];
}

function shortLabel(id: string): string {
  return id.length > 28 ? `${id.slice(0, 27)}…` : id;
}

/** Renders the picture as an `<svg>` element. */
export function renderGraphSvg(p: GraphPicture): Raw {
  const columns = zoneColumns(p.nodes, (p.exposed ?? []).length > 0);
  const pos = new Map<string, { x: number; y: number }>();
  const perColumn = new Map<string, number>();
  const sorted = [...p.nodes].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const n of sorted) {
    const col = columns.indexOf(n.zone);
    const row = perColumn.get(n.zone) ?? 0;
    perColumn.set(n.zone, row + 1);
    pos.set(n.id, { x: 20 + col * COL_W, y: TOP + row * ROW_H });
  }
  const outsideRow = perColumn.get("outside") ?? 0;
  const outside = { x: 20, y: TOP + outsideRow * ROW_H };
  if ((p.exposed ?? []).length) perColumn.set("outside", outsideRow + 1);
  const rows = Math.max(1, ...perColumn.values());
  const width = 40 + columns.length * COL_W;
  const height = TOP + rows * ROW_H + 20;
  const line = (a: { x: number; y: number }, b: { x: number; y: number }, cls: string, title: string) => {
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const back = b.x <= a.x;
    const x2 = back ? b.x + NODE_W : b.x;
    const y2 = b.y + NODE_H / 2;
    const d = back
      ? `M ${x1} ${y1} C ${x1 + 60} ${y1}, ${x2 + 60} ${y2}, ${x2} ${y2}`
      : `M ${x1} ${y1} C ${x1 + 30} ${y1}, ${x2 - 30} ${y2}, ${x2} ${y2}`;
    return html`<path class="${cls}" d="${d}" marker-end="url(#arrow-${cls})"><title>${title}</title></path>`;
  };
  const edges = (list: readonly [string, string, string][] | undefined, cls: string) =>
    (list ?? [])
      .filter(([s, d]) => pos.has(s) && pos.has(d))
      .map(([s, d, c]) => line(pos.get(s)!, pos.get(d)!, cls, `${s} → ${d}: ${c}`));
  const exposed = (p.exposed ?? [])
    .filter((id) => pos.has(id))
    .map((id) => line(outside, pos.get(id)!, "outside", `outside → ${id}`));
  const nodes = sorted.map((n) => {
    const { x, y } = pos.get(n.id)!;
    const cls = ["node", n.dataClasses.length ? "data" : "", n.id === p.highlight ? "highlight" : ""]
      .filter(Boolean)
      .join(" ");
    const classes = n.dataClasses.length ? ` [${n.dataClasses.join(",")}]` : "";
    return html`<g class="${cls.trim()}" data-id="${n.id}"><rect x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="6"/><text x="${x + 8}" y="${y + 19}">${shortLabel(n.id)}${classes}</text><title>${n.id} (${n.zone})${classes}</title></g>`;
  });
  const heads = columns.map(
    (z, i) => html`<text class="zone" x="${20 + i * COL_W}" y="${TOP - 18}">${z}</text>`,
  );
  const outsideNode = (p.exposed ?? []).length
    ? html`<g class="node outside-node"><rect x="${outside.x}" y="${outside.y}" width="${NODE_W}" height="${NODE_H}" rx="6"/><text x="${outside.x + 8}" y="${outside.y + 19}">internet / outside</text></g>`
    : "";
  const marker = (cls: string) =>
    html`<marker id="arrow-${cls}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="head-${cls}" d="M 0 0 L 10 5 L 0 10 z"/></marker>`;
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="graph" role="img" aria-label="reach graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><defs>${["permitted", "used", "outside"].map(marker)}</defs>${heads}${edges(p.permitted, "permitted")}${edges(p.used, "used")}${exposed}${outsideNode}${nodes}</svg>`;
}

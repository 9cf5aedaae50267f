/**
 * The starter `microseg.yaml` that `microseg init` writes: commented, with the zones the
 * heuristics find in a map pinned as selectors, the default zone matrix spelled out, and the
 * CDE, bastions, data classes and flow sources as commented examples. Every value is written as a
 * JSON string (valid YAML), so names from the map cannot break the file.
 */
import type { CommunicationMap } from "../model/map.js";
import type { ZoneAssignment } from "../zones/classify.js";
import { DEFAULT_ZONE_MATRIX } from "../zones/matrix.js";

const q = (s: string) => JSON.stringify(s);
/** A comment line: line breaks in the text cannot end the comment early. */
const comment = (s: string) => `# ${s.replace(/[\r\n\u2028\u2029]+/g, " ")}`;

function zonesSection(assignments: readonly ZoneAssignment[]): string[] {
  const out = [
    comment("Trust zones, first match wins. Every field of a selector must match:"),
    comment("  namespace: a name or a list; labels: all must match; names: ns/name or bare names."),
    comment("Workloads no zone selects are classified by heuristics (`microseg zones` shows the reason)."),
  ];
  const byZone = new Map<string, ZoneAssignment[]>();
  for (const a of assignments) byZone.set(a.zone, [...(byZone.get(a.zone) ?? []), a]);
  const skipped = new Set(["outside", "infrastructure", "application"]);
  const zones = [...byZone.keys()].filter((z) => !skipped.has(z)).sort();
  const rest = (byZone.get("application") ?? []).map((a) => a.id);
  if (rest.length) out.push(comment(`Left to the heuristics (application): ${rest.join(", ")}`));
  if (zones.length === 0) return [...out, "zones: []", ""];
  out.push(comment("Pinned from what the heuristics found in the map:"), "zones:");
  for (const z of zones) {
    out.push(`  - name: ${q(z)}`, "    match:");
    for (const a of byZone.get(z)!) out.push(`      - names: [${q(a.id)}]  ${comment(a.reason)}`);
  }
  return [...out, ""];
}

function matrixSection(): string[] {
  const out = [
    comment("Allowed zone → zone flows: who may open connections to whom. `bastion` = the bastion"),
    comment("workloads below, `*` = any zone; `outside` is the internet, `infrastructure` the cluster's"),
    comment("own namespaces and node entities. `generate` turns no edge the matrix forbids into a rule."),
    "zoneMatrix:",
  ];
  for (const f of DEFAULT_ZONE_MATRIX) {
    if (f.description) out.push(`  ${comment(f.description)}`);
    out.push(`  - from: ${q(f.from)}`, `    to: [${f.to.map(q).join(", ")}]`);
  }
  return [...out, ""];
}

function dataSection(assignments: readonly ZoneAssignment[]): string[] {
  const data = assignments.filter((a) => a.zone === "data");
  const out = [
    comment("Bastions: the only workloads allowed into the management zone (jump hosts, admin consoles)."),
    "bastions: []",
    comment('  - names: ["ops/bastion"]'),
    "",
    comment("Data classes per workload (pci, pii, secrets …): blast-radius reports which are reached."),
    "dataClasses: []",
  ];
  for (const a of data)
    out.push(comment(`  - match: [{names: [${q(a.id)}]}]`), comment("    classes: [pii]"));
  if (!data.length)
    out.push(comment('  - match: [{names: ["shop/orders-db"]}]'), comment("    classes: [pii]"));
  return [...out, ""];
}

function cdeSection(): string[] {
  return [
    comment("The cardholder data environment (PCI-DSS scope) and the only workloads outside it"),
    comment("allowed to connect in. `microseg cde` proves the isolation and writes the evidence."),
    comment("cde:"),
    comment('  members: [{names: ["shop/paymentservice"]}]'),
    comment('  connectors: [{names: ["shop/checkoutservice"]}]'),
    "",
  ];
}

function flowSection(map: CommunicationMap | undefined): string[] {
  const files = map?.sources?.flows ?? [];
  const out = [
    comment("Flow sources watching the cluster; with none, `microseg lint` reports segmentation"),
    comment("without monitoring (nobody would see the traffic the policies deny)."),
  ];
  if (!files.length) return [...out, "flowSources: []", comment('  - {kind: "hubble", path: "flows/"}'), ""];
  out.push("flowSources:");
  for (const f of files) out.push(`  - {kind: "flow-files", path: ${q(f)}}`);
  return [...out, ""];
}

/** The starter configuration text (from a map and its zoning, or a bare template without one). */
export function starterConfig(opts: {
  map?: CommunicationMap;
  mapFile?: string;
  assignments?: readonly ZoneAssignment[];
}): string {
  const assignments = opts.assignments ?? [];
  return [
    comment(
      `microseg configuration, a starter written by \`microseg init\`${opts.mapFile ? ` from ${opts.mapFile}` : ""}.`,
    ),
    comment("Validated on load (unknown keys are errors). Review every section before relying on it."),
    "version: 1",
    "",
    ...zonesSection(assignments),
    ...matrixSection(),
    ...dataSection(assignments),
    ...cdeSection(),
    ...flowSection(opts.map),
  ].join("\n");
}

/**
 * The CDE isolation evidence as Markdown for an assessor, and a short text summary for the
 * terminal. Every value from the inputs is escaped for Markdown.
 */
import type { CdeEvidence } from "../analysis/cde/evidence.js";
import type { HopEvidence, SideReason } from "../analysis/cde/hops.js";
import { plural } from "./plural.js";
import { mdCell, renderMarkdownTable } from "./table.js";

const code = (s: string) => `\`${mdCell(s).replace(/`/g, "'")}\``;

function side(s: SideReason): string {
  if (s.by === "not-a-pod") return `${s.direction}: not a pod (no policy applies)`;
  if (s.by === "default") return `${s.direction}: no policy selects it (allowed by default)`;
  return `${s.direction}: ${s.rules.map(code).join("; ")}`;
}

function hopLines(h: HopEvidence): string[] {
  return [
    `  - ${code(h.src)} → ${code(h.dst)}: ${mdCell(h.conns)}`,
    `    - ${side(h.egress)}`,
    `    - ${side(h.ingress)}`,
  ];
}

/** Why a CDE workload is not isolated, in a few words. */
function notIsolatedWhy(w: CdeEvidence["workloads"][number]): string {
  const why: string[] = [];
  if (w.violations.length) why.push(plural(w.violations.length, "breaking path"));
  if (w.outbound.unrestricted) why.push("unrestricted outbound");
  if (w.outbound.outOfScope.length)
    why.push(`outbound to ${plural(w.outbound.outOfScope.length, "out-of-scope workload")}`);
  return why.join(", ");
}

/** The outbound section of one CDE workload (PCI DSS 1.3.2). */
function outboundLines(o: CdeEvidence["workloads"][number]["outbound"]): string[] {
  const lines = ["Outbound (PCI DSS 1.3.2):", ""];
  if (o.unrestricted)
    lines.push(
      "- **FAIL:** it may connect to every outside address on every port: nothing is specifically denied.",
    );
  if (o.outOfScope.length)
    lines.push(
      `- **FAIL:** it may connect to workloads outside the CDE that are not declared connectors: ${o.outOfScope.map(code).join(", ")}`,
    );
  if (!o.outside.length && !o.workloads.length) lines.push("- It may connect to nothing outside the CDE.");
  if (o.outside.length) lines.push("- To outside addresses:");
  for (const h of o.outside) lines.push(...hopLines(h));
  if (o.workloads.length) lines.push("- To workloads outside the CDE:");
  for (const h of o.workloads) lines.push(...hopLines(h));
  return lines;
}

/** The Markdown evidence report. */
export function renderCdeMarkdown(e: CdeEvidence): string {
  const verdict =
    e.result === "isolated" ? "**PASS: the CDE is isolated.**" : "**FAIL: the CDE is not isolated.**";
  const lines = [
    "# CDE isolation evidence",
    "",
    verdict,
    "",
    `- Generated: ${mdCell(e.generatedAt)} by microseg ${mdCell(e.tool.version)}`,
    `- CDE members: ${e.scope.members.map(code).join(", ") || "(none)"}`,
    `- Declared connectors: ${e.scope.connectors.map(code).join(", ") || "(none)"}`,
    "",
    "## Method",
    "",
    e.method,
    "",
    "## Result per CDE workload",
    "",
  ];
  for (const w of e.workloads) {
    lines.push(`### ${mdCell(w.id)}: ${w.isolated ? "isolated" : `NOT isolated (${notIsolatedWhy(w)})`}`, "");
    lines.push(
      w.connectors.length ? "Reached through declared connectors:" : "No declared connector reaches it.",
    );
    for (const h of w.connectors) lines.push(...hopLines(h));
    if (w.fromCde.length) lines.push(`- Reached from inside the CDE: ${w.fromCde.map(code).join(", ")}`);
    lines.push("", ...outboundLines(w.outbound), "");
    if (w.violations.length) {
      lines.push("Paths that break isolation:", "");
      for (const v of w.violations) {
        lines.push(`- from ${code(v.source)}: ${v.path.map(code).join(" → ")}`);
        for (const h of v.hops) lines.push(...hopLines(h));
      }
      lines.push("");
    }
  }
  lines.push("## Inputs", "");
  lines.push(
    renderMarkdownTable({
      columns: [
        { name: "file", type: "string" },
        { name: "bytes", type: "number" },
        { name: "sha256", type: "string" },
      ],
      rows: [...e.inputs, ...(e.config ? [e.config] : [])].map((i) => [i.path, i.bytes, i.sha256]),
    }),
  );
  lines.push(`## Policies evaluated (${e.policiesEvaluated.length})`, "");
  lines.push(
    renderMarkdownTable({
      columns: [
        { name: "kind", type: "string" },
        { name: "namespace", type: "string" },
        { name: "name", type: "string" },
        { name: "source", type: "string" },
      ],
      rows: e.policiesEvaluated.map((p) => [
        p.kind,
        p.namespace ?? "",
        p.name,
        p.file ? `${p.file}:${p.line ?? ""}` : "",
      ]),
    }),
  );
  return `${lines.join("\n").trimEnd()}\n`;
}

/** A few lines for the terminal. */
export function renderCdeSummary(e: CdeEvidence): string {
  const out = [
    `CDE isolation: ${e.result === "isolated" ? "PASS" : "FAIL"} (${plural(e.scope.members.length, "CDE workload")}, connectors: ${e.scope.connectors.join(", ") || "none"})`,
  ];
  for (const w of e.workloads) {
    out.push(`  ${w.id}: ${w.isolated ? "isolated" : "NOT isolated"}`);
    for (const v of w.violations) out.push(`    ${v.path.join(" -> ")}`);
    const o = w.outbound;
    if (o.unrestricted) out.push("    outbound: every outside address on every port (PCI DSS 1.3.2)");
    for (const d of o.outOfScope)
      out.push(`    outbound to ${d} (not a CDE member nor a declared connector)`);
    const reach = [...o.outside, ...o.workloads].map((h) => `${h.dst} (${h.conns})`);
    if (reach.length && !o.unrestricted && !o.outOfScope.length)
      out.push(`    outbound (restricted): ${reach.join(", ")}`);
  }
  return `${out.join("\n")}\n`;
}

/**
 * What reading flow inputs found, said when it is nothing: not a single flow record in any input.
 */
import { fail, type ProblemSink, problem } from "../model/problems.js";
import { listSome, plural } from "../render/plural.js";
import { type FlowFileStats, type SkippedFlowFile, STDIN_NAME } from "./flow-files.js";

/** What {@link checkFlowsFound} looks at: the inputs as given and what reading them found. */
export interface FlowsFoundInput {
  inputs: readonly string[];
  stats: readonly FlowFileStats[];
  skipped: readonly SkippedFlowFile[];
  problems: ProblemSink;
  /** The formats `--format` accepts (named in the error). */
  formatNames?: readonly string[];
}

/**
 * When the inputs yielded not a single flow record, says so: fatal (`flow-unknown-format`, exit 2)
 * when no file at all was recognised as flows (none found, or all in no known format); a warning
 * (`data-missing`) when some file was read as flows (detected or `--format`) but held none: an
 * empty capture, status records only, or every record malformed (reported line by line).
 */
export function checkFlowsFound(o: FlowsFoundInput): void {
  if (o.stats.some((s) => s.flows > 0)) return;
  const given = o.inputs.map((i) => (i === "-" ? STDIN_NAME : i));
  const where = given.length === 1 ? { file: given[0] } : undefined;
  // names relative to a single directory given, so that the list stays short
  const short = (f: string) =>
    given.length === 1 && f.startsWith(`${given[0]}/`) ? f.slice(given[0].length + 1) : f;
  const names = (files: readonly string[]) => listSome(files.map(short));
  const empty = o.skipped.filter((s) => s.why === "empty").map((s) => s.file);
  const unknown = o.skipped.filter((s) => s.why === "unknown-format").map((s) => s.file);
  const isRead = (s: FlowFileStats) => s.ignored > 0 || s.malformed === 0;
  const read = o.stats.filter(isRead);
  const garbled = o.stats.filter((s) => !isRead(s));
  const parts: string[] = [];
  if (empty.length === 1 && where && empty[0] === where.file) parts.push("the input is empty");
  else if (empty.length) parts.push(`${plural(empty.length, "empty file")} (${names(empty)})`);
  for (const s of read) {
    const status = s.ignored ? ` (${plural(s.ignored, "status record")} only)` : "";
    parts.push(`${short(s.file)} read as ${s.format} holds none${status}`);
  }
  if (unknown.length)
    parts.push(`${plural(unknown.length, "file")} in no known flow format skipped (${names(unknown)})`);
  if (garbled.length) {
    const formats = [...new Set(garbled.map((s) => s.format))].join(", ");
    parts.push(
      `${plural(garbled.length, "file")} with every record malformed as ${formats} (${names(garbled.map((s) => s.file))})`,
    );
  }
  const inputs = given.length === 1 ? "" : ` in ${listSome(given)}`;
  if (o.stats.length === 0 && empty.length === 0) {
    const known = o.formatNames?.length ? `; known formats: ${o.formatNames.join(", ")}` : "";
    const what = parts.length ? parts.join("; ") : "no files found";
    fail(
      "flow-unknown-format",
      `no flow records${inputs}: no file was recognised as flows: ${what}${known} (--format NAME forces one)`,
      where,
    );
  }
  // first, so that the summary is never among the warnings cut from a long list
  o.problems.items.unshift(
    problem("data-missing", "warning", `no flow records${inputs}: ${parts.join("; ")}`, where),
  );
}

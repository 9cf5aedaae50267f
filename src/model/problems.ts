/**
 * Problems are data: every parser and command reports `{code, severity, location, message}`
 * and collects them; only fatal problems stop a command (exit 2).
 */

/** How bad a problem is: `error` is fatal for the command, the others are reported. */
export type Severity = "error" | "warning" | "info";

/** Where a problem is: a file with an optional 1-based line/column, or a JSON path. */
export interface Location {
  file?: string;
  line?: number;
  column?: number;
  /** JSON/YAML path inside the document, e.g. `spec.ingress[0].from[1]`. */
  path?: string;
}

/** One problem found in the input. */
export interface Problem {
  code: ProblemCode;
  severity: Severity;
  location?: Location;
  message: string;
}

/** The catalogue of problem codes with a one-line description each (shown by `--help` and docs). */
export const PROBLEM_CATALOGUE = {
  "yaml-syntax": "a YAML or JSON document could not be parsed",
  "resource-invalid": "a Kubernetes resource does not have the shape its kind requires",
  "resource-unknown-kind": "a resource of a kind microseg does not read was skipped",
  "resource-duplicate": "two resources have the same kind, namespace and name",
  "file-unreadable": "a file or directory could not be read",
  "flow-malformed": "a flow record could not be parsed and was skipped",
  "flow-unknown-format": "the flow format could not be detected or is not known",
  "flow-ignored": "a record of the flow source carries no flow (status, lost events) and was skipped",
  "map-invalid": "a communication map file is not valid",
  "selector-invalid": "a label selector is not valid",
  "cidr-invalid": "an IP address or CIDR is not valid",
  "port-invalid": "a port or port range is not valid",
  "target-unknown": "the policy target is not known",
  "config-invalid": "the configuration file is not valid",
  usage: "a command-line flag or argument is wrong",
  "owner-labels-differ": "pods of one owner carry different labels",
  "env-unresolved": "an environment value names a service that is not in the inventory",
  "data-missing": "input data that the command needs was not found",
  "policy-generation":
    "a remark of policy generation: a workload widened to its namespace, labels that do not tell workloads apart",
  "output-unwritable":
    "an output path cannot be written (or would overwrite something microseg did not write)",
} as const;

/** A code from the problem catalogue. */
export type ProblemCode = keyof typeof PROBLEM_CATALOGUE;

/** Formats a location as `file:line:column` (or `file#path`), the form every message uses. */
export function formatLocation(loc: Location | undefined): string {
  if (!loc) return "";
  let s = loc.file ?? "<input>";
  if (loc.line !== undefined) {
    s += `:${loc.line}`;
    if (loc.column !== undefined) s += `:${loc.column}`;
  }
  if (loc.path) s += ` (${loc.path})`;
  return s;
}

/** Formats a problem as one line: `file:line: severity[code]: message`. */
export function formatProblem(p: Problem): string {
  const where = formatLocation(p.location);
  return `${where ? `${where}: ` : ""}${p.severity}[${p.code}]: ${p.message}`;
}

/** Creates a problem (a small helper so call sites stay one line). */
export function problem(
  code: ProblemCode,
  severity: Severity,
  message: string,
  location?: Location,
): Problem {
  return location ? { code, severity, message, location } : { code, severity, message };
}

/**
 * The one typed error microseg throws: it carries the fatal problem(s). The CLI prints them
 * and exits 2; library callers can read `problems`.
 */
export class MicrosegError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem | Problem[]) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map(formatProblem).join("\n"));
    this.name = "MicrosegError";
    this.problems = list;
  }
}

/** Throws a MicrosegError for one fatal problem. */
export function fail(code: ProblemCode, message: string, location?: Location): never {
  throw new MicrosegError(problem(code, "error", message, location));
}

/** Collects problems while parsing; counts by code for summaries. */
export class ProblemSink {
  readonly items: Problem[] = [];
  /** Adds a problem. */
  add(p: Problem): void {
    this.items.push(p);
  }
  /** Adds a problem built from its parts. */
  report(code: ProblemCode, severity: Severity, message: string, location?: Location): void {
    this.items.push(problem(code, severity, message, location));
  }
  /** True when any problem is an error. */
  hasErrors(): boolean {
    return this.items.some((p) => p.severity === "error");
  }
  /** The errors only. */
  errors(): Problem[] {
    return this.items.filter((p) => p.severity === "error");
  }
}

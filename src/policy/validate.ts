/**
 * The validating reader every policy language's parser uses (NetworkPolicy, admin policies,
 * Cilium, Istio): raw YAML values are checked field by field into typed values, as an API server
 * would, and each problem is reported with file:line and the field path. A reader returns
 * undefined (or skips the entry) on a problem and counts it, so a parser can leave the whole
 * object out when `ctx.errors` grew; nothing malformed reaches the IR or the evaluator.
 */

import { compileFullMatch } from "../eval/l7.js";
import type { K8sResource } from "../inventory/types.js";
import { parseCidr } from "../model/ipset.js";
import { compileSelector, type LabelSelector } from "../model/labels.js";
import { type Location, MicrosegError, type ProblemCode, type ProblemSink } from "../model/problems.js";

/** The validation context of one resource: where problems go and how many errors were found. */
export interface Ctx {
  res: K8sResource;
  sink: ProblemSink;
  errors: number;
}

/** A fresh validation context for one resource. */
export function newCtx(res: K8sResource, sink: ProblemSink): Ctx {
  return { res, sink, errors: 0 };
}

/** Splits `spec.ingress[0].from` into `["spec", "ingress", 0, "from"]`. */
function pathSegments(path: string): (string | number)[] {
  return path
    .split(/\.|(?=\[)/)
    .filter((s) => s !== "")
    .map((s) => (/^\[\d+\]$/.test(s) ? Number(s.slice(1, -1)) : s));
}

/** The location of a field: the line of the nearest enclosing path the loader knows, and the path. */
export function at(ctx: Ctx, path: string): Location {
  const lineAt = ctx.res.lineAt;
  const segs = pathSegments(path);
  for (let n = segs.length; lineAt && n > 0; n--) {
    const line = lineAt(segs.slice(0, n));
    if (line !== undefined) return { ...ctx.res.location, line, path };
  }
  return { ...ctx.res.location, path };
}

function subjectName(ctx: Ctx): string {
  return `${ctx.res.kind} ${ctx.res.metadata?.namespace ?? "default"}/${ctx.res.metadata?.name}`;
}

/** Reports an error at a field path of the resource (with its line when known). */
export function report(ctx: Ctx, code: ProblemCode, path: string, message: string): void {
  ctx.errors++;
  ctx.sink.report(code, "error", `${subjectName(ctx)}: ${message}`, at(ctx, path));
}

/** Reports a warning (not an error: the object is still read) at a field path. */
export function warn(ctx: Ctx, path: string, message: string): void {
  ctx.sink.report("resource-invalid", "warning", `${subjectName(ctx)}: ${message}`, at(ctx, path));
}

/** True for a YAML map (not null, not a list). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  return Array.isArray(v) ? "a list" : typeof v;
}

/** Reads an optional list field: undefined when absent (or null), an error when not a list. */
export function readList(ctx: Ctx, v: unknown, path: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    report(ctx, "resource-invalid", path, `expected a list, found ${typeName(v)}`);
    return undefined;
  }
  return v;
}

/** Reads an optional map field: undefined when absent (or null), an error when not a map. */
export function readObject(ctx: Ctx, v: unknown, path: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    report(ctx, "resource-invalid", path, `expected a map, found ${typeName(v)}`);
    return undefined;
  }
  return v;
}

/** Reads an optional string field (YAML numbers and booleans are not strings: an error). */
export function readString(ctx: Ctx, v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") {
    report(ctx, "resource-invalid", path, `expected a string, found ${typeName(v)}`);
    return undefined;
  }
  return v;
}

/** Reads an optional boolean field. */
export function readBoolean(ctx: Ctx, v: unknown, path: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") {
    report(ctx, "resource-invalid", path, `expected true or false, found ${typeName(v)}`);
    return undefined;
  }
  return v;
}

/** Reads an optional list of strings; entries that are not strings are errors and dropped. */
export function readStringList(ctx: Ctx, v: unknown, path: string): string[] | undefined {
  const list = readList(ctx, v, path);
  if (!list) return undefined;
  const out: string[] = [];
  list.forEach((x, i) => {
    const s = readString(ctx, x, `${path}[${i}]`);
    if (s !== undefined) out.push(s);
    else if (x === null || x === undefined)
      report(ctx, "resource-invalid", `${path}[${i}]`, "expected a string");
  });
  return out;
}

/** Reads an optional value among `allowed` (an enum field). */
export function readEnum<T extends string>(
  ctx: Ctx,
  v: unknown,
  path: string,
  allowed: readonly T[],
): T | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  report(ctx, "resource-invalid", path, `"${String(v)}" is not one of ${allowed.join(", ")}`);
  return undefined;
}

/** Reads a CIDR (`addr/len`), or a single address when `plainAddress` (then returned as is). */
export function readCidr(ctx: Ctx, v: unknown, path: string, plainAddress = false): string | undefined {
  const s = readString(ctx, v, path);
  if (s === undefined) return undefined;
  if (parseCidr(s) && (plainAddress || s.includes("/"))) return s;
  report(ctx, "cidr-invalid", path, `"${s}" is not a CIDR`);
  return undefined;
}

/**
 * Reads a regular expression matched against a whole value, compiling it now: an invalid one is
 * an error here (with its location), never a rule that silently matches nothing.
 */
export function readRegex(ctx: Ctx, v: unknown, path: string): string | undefined {
  const s = readString(ctx, v, path);
  if (s === undefined) return undefined;
  const re = compileFullMatch(s);
  if (typeof re !== "string") return s;
  report(ctx, "resource-invalid", path, `invalid regular expression "${s}": ${re}`);
  return undefined;
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `label key "${key}" has an invalid prefix`;
  if (name.length > 63 || !LABEL_NAME.test(name)) return `label key "${key}" is not a valid label name`;
  return undefined;
}

function labelValueError(value: string): string | undefined {
  if (value === "") return undefined;
  return value.length > 63 || !LABEL_NAME.test(value) ? `label value "${value}" is not valid` : undefined;
}

/**
 * How label keys are checked: `k8s` as Kubernetes label keys; `cilium` as Cilium keys, which may
 * carry a source prefix (`k8s:`, `any:`, `reserved:`) and are checked as non-empty only.
 */
export type LabelKeys = "k8s" | "cilium";

function keyError(key: string, keys: LabelKeys): string | undefined {
  if (keys === "k8s") return labelKeyError(key);
  return key === "" ? "a label key may not be empty" : undefined;
}

/** Reads a scalar label value (YAML may give numbers or booleans; the API wants strings). */
function readLabelValue(ctx: Ctx, v: unknown, path: string): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  report(ctx, "selector-invalid", path, `expected a label value, found ${typeName(v)}`);
  return undefined;
}

/** Reads a `matchLabels` map: keys and values checked, scalar values turned into strings. */
export function readMatchLabels(
  ctx: Ctx,
  v: unknown,
  path: string,
  keys: LabelKeys = "k8s",
): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    report(ctx, "selector-invalid", path, "matchLabels must be a map");
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, raw] of Object.entries(v)) {
    const value = readLabelValue(ctx, raw, `${path}.${k}`);
    const err = keyError(k, keys) ?? (value === undefined ? undefined : labelValueError(value));
    if (err) report(ctx, "selector-invalid", `${path}.${k}`, err);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

const OPERATORS = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);

function readExpressions(
  ctx: Ctx,
  v: unknown,
  path: string,
  keys: LabelKeys,
): LabelSelector["matchExpressions"] {
  const list = readList(ctx, v, path);
  if (!list) return undefined;
  const out: NonNullable<LabelSelector["matchExpressions"]> = [];
  list.forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(e) || typeof e.key !== "string" || typeof e.operator !== "string") {
      report(ctx, "selector-invalid", p, "a match expression needs a string key and operator");
      return;
    }
    if (!OPERATORS.has(e.operator)) {
      report(ctx, "selector-invalid", `${p}.operator`, `unknown operator "${e.operator}"`);
      return;
    }
    const keyErr = keyError(e.key, keys);
    if (keyErr) report(ctx, "selector-invalid", `${p}.key`, keyErr);
    const values = readList(ctx, e.values, `${p}.values`)?.map((x, j) =>
      readLabelValue(ctx, x, `${p}.values[${j}]`),
    );
    const req = { key: e.key, operator: e.operator as "In", values: values?.filter((x) => x !== undefined) };
    if (req.values === undefined) delete req.values;
    out.push(req);
  });
  return out;
}

/** Validates a metav1.LabelSelector; undefined when absent. */
export function readSelector(
  ctx: Ctx,
  v: unknown,
  path: string,
  keys: LabelKeys = "k8s",
): LabelSelector | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    report(ctx, "selector-invalid", path, "a label selector must be a map");
    return undefined;
  }
  const sel: LabelSelector = {};
  const ml = readMatchLabels(ctx, v.matchLabels, `${path}.matchLabels`, keys);
  if (ml) sel.matchLabels = ml;
  const me = readExpressions(ctx, v.matchExpressions, `${path}.matchExpressions`, keys);
  if (me) sel.matchExpressions = me;
  try {
    compileSelector(sel, at(ctx, path));
  } catch (e) {
    if (!(e instanceof MicrosegError)) throw e;
    for (const p of e.problems) report(ctx, "selector-invalid", path, p.message);
  }
  return sel;
}

/** Counts the fields of `v` that are set, among `keys`. */
export function countSet(v: Record<string, unknown>, keys: readonly string[]): number {
  return keys.filter((k) => v[k] != null).length;
}

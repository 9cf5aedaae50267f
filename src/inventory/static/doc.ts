/**
 * The static inventory document (see ./schema.ts for the format and its zod schema) without zod:
 * the marker test, the parsed type, and a quick reader for documents that are plainly valid.
 *
 * `readValidStaticDoc` accepts a subset of what the schema accepts and returns what the schema's
 * parse returns for it (defaults filled in, times as epoch milliseconds); for anything else it
 * returns undefined and the caller runs the schema, which says what is wrong. Loading zod and
 * building the schema costs more than reading a typical inventory (`microseg ingest` starts that
 * much sooner); src/inventory/static/doc.test.ts checks the two agree.
 */

/** The marker value of `staticInventory`. */
export const STATIC_INVENTORY_VERSION = "v1";

/** An address entry: bound for all time, or for an interval (epoch ms; either end open). */
export type StaticAddress = string | { ip: string; from?: number; to?: number };

/** One static workload, as parsed. */
export interface StaticWorkload {
  name: string;
  namespace?: string;
  zone?: string;
  kind: "vm" | "cloud-instance";
  labels: Record<string, string>;
  addresses: StaticAddress[];
}

/** One named network, as parsed. */
export interface StaticNetwork {
  name: string;
  cidrs: string[];
}

/** A parsed static inventory document. */
export interface StaticInventoryDoc {
  staticInventory: typeof STATIC_INVENTORY_VERSION;
  workloads: StaticWorkload[];
  networks: StaticNetwork[];
}

/** True when a parsed YAML value is a static inventory document (it has the marker key). */
export function isStaticInventoryDoc(value: unknown): boolean {
  return !!value && typeof value === "object" && "staticInventory" in (value as object);
}

/** The name rule of workloads and networks (the schema's, a lower-case DNS-1123 name). */
export const STATIC_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

type Plain = Record<string, unknown>;

/** A plain object (not null, an array, a Date or a class instance). */
function isPlain(v: unknown): v is Plain {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  // symbol keys are the schema's to refuse (zod's record reads every own key)
  return (proto === Object.prototype || proto === null) && Object.getOwnPropertySymbols(v).length === 0;
}

/** A plain object whose keys are all in `allowed`. */
function plainWith(v: unknown, allowed: readonly string[]): v is Plain {
  return isPlain(v) && Object.keys(v).every((k) => allowed.includes(k));
}

function optionalString(v: unknown): boolean {
  return v === undefined || typeof v === "string";
}

/** An RFC 3339 (or any Date.parse-able) time as epoch ms; NaN when it is not one. */
function timeMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  return typeof v === "string" ? Date.parse(v) : Number.NaN;
}

function readAddress(a: unknown): StaticAddress | undefined {
  if (typeof a === "string") return a;
  if (!plainWith(a, ["ip", "from", "to"]) || typeof a.ip !== "string") return undefined;
  const out: { ip: string; from?: number; to?: number } = { ip: a.ip };
  for (const end of ["from", "to"] as const) {
    if (!(end in a)) continue;
    if (a[end] === undefined) {
      out[end] = undefined; // present but undefined: kept so, as the schema keeps it
      continue;
    }
    const ms = timeMs(a[end]);
    if (Number.isNaN(ms)) return undefined;
    out[end] = ms;
  }
  return out;
}

function readLabels(v: unknown): Record<string, string> | undefined {
  if (v === undefined) return {};
  if (!isPlain(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string" || k === "__proto__") return undefined;
    out[k] = x;
  }
  return out;
}

function readWorkload(w: unknown): StaticWorkload | undefined {
  if (!plainWith(w, ["name", "namespace", "zone", "kind", "labels", "addresses"])) return undefined;
  if (typeof w.name !== "string" || !STATIC_NAME.test(w.name)) return undefined;
  if (!optionalString(w.namespace) || !optionalString(w.zone)) return undefined;
  const kind = w.kind === undefined ? "vm" : w.kind; // the default is for a missing key only, not null
  if (kind !== "vm" && kind !== "cloud-instance") return undefined;
  const labels = readLabels(w.labels);
  if (!labels) return undefined;
  const addresses: StaticAddress[] = [];
  if (w.addresses !== undefined) {
    if (!Array.isArray(w.addresses)) return undefined;
    for (const a of w.addresses) {
      const r = readAddress(a);
      if (r === undefined) return undefined;
      addresses.push(r);
    }
  }
  const out: StaticWorkload = { name: w.name, kind, labels, addresses };
  // a key that is there stays there, even undefined (as the schema returns it)
  if ("namespace" in w) out.namespace = w.namespace as string | undefined;
  if ("zone" in w) out.zone = w.zone as string | undefined;
  return out;
}

function readNetwork(n: unknown): StaticNetwork | undefined {
  if (!plainWith(n, ["name", "cidrs"])) return undefined;
  if (typeof n.name !== "string" || !STATIC_NAME.test(n.name)) return undefined;
  if (!Array.isArray(n.cidrs) || n.cidrs.length === 0) return undefined;
  const cidrs: string[] = [];
  for (const c of n.cidrs as unknown[]) {
    if (typeof c !== "string") return undefined; // holes of a sparse array too
    cidrs.push(c);
  }
  return { name: n.name, cidrs };
}

function readList<T>(v: unknown, item: (x: unknown) => T | undefined): T[] | undefined {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return undefined;
  const out: T[] = [];
  for (const x of v) {
    const r = item(x);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

/**
 * The parsed document when `value` is plainly a valid static inventory (what the schema's parse
 * would return); undefined when it is not, or not plainly: then the schema decides and explains.
 */
export function readValidStaticDoc(value: unknown): StaticInventoryDoc | undefined {
  if (!plainWith(value, ["staticInventory", "workloads", "networks"])) return undefined;
  if (value.staticInventory !== STATIC_INVENTORY_VERSION) return undefined;
  const workloads = readList(value.workloads, readWorkload);
  const networks = readList(value.networks, readNetwork);
  if (!workloads || !networks) return undefined;
  return { staticInventory: STATIC_INVENTORY_VERSION, workloads, networks };
}

/**
 * CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy specs validated into their types
 * (src/policy/cilium/types.ts) with the shared validating reader: wrong shapes, bad selectors,
 * CIDRs, ports, entities and HTTP regexes (compiled here) are errors with file:line and the field
 * path, so the parser lowers only well-formed specs.
 */
import type { LabelSelector } from "../../model/labels.js";
import {
  type Ctx,
  readBoolean,
  readCidr,
  readEnum,
  readList,
  readObject,
  readRegex,
  readSelector,
  readString,
  readStringList,
  report,
} from "../validate.js";
import type {
  CiliumCidrRule,
  CiliumPolicySpec,
  CiliumPortProtocol,
  CiliumPortRule,
  CiliumPortRuleDns,
  CiliumPortRuleHttp,
  CiliumRule,
} from "./types.js";

/** The entities of the CRD's enum (cilium.io/v2 `Entity`). */
export const CILIUM_ENTITIES = [
  "all",
  "world",
  "world-ipv4",
  "world-ipv6",
  "cluster",
  "host",
  "init",
  "ingress",
  "unmanaged",
  "remote-node",
  "health",
  "none",
  "kube-apiserver",
] as const;

const PROTOCOLS = ["TCP", "UDP", "SCTP", "ANY"] as const;
const PORT_NAME = /^[a-z0-9]([a-z0-9]|-(?!-))*$/;

function readSelectors(ctx: Ctx, v: unknown, path: string): LabelSelector[] | undefined {
  return readList(ctx, v, path)?.map((s, i) => readSelector(ctx, s, `${path}[${i}]`, "cilium") ?? {});
}

function readPort(ctx: Ctx, v: unknown, path: string): CiliumPortProtocol | undefined {
  const o = readObject(ctx, v, path);
  if (!o) {
    if (v == null) report(ctx, "resource-invalid", path, "a port must be a map");
    return undefined;
  }
  const out: CiliumPortProtocol = {};
  const raw = o.port;
  if (typeof raw === "number" || (typeof raw === "string" && /^\d+$/.test(raw))) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      report(ctx, "port-invalid", `${path}.port`, `port ${String(raw)} is not in 0..65535`);
    else out.port = String(n);
  } else if (typeof raw === "string") {
    if (raw.length > 15 || !PORT_NAME.test(raw))
      report(ctx, "port-invalid", `${path}.port`, `"${raw}" is not a port number or name`);
    else out.port = raw;
  } else if (raw != null) report(ctx, "port-invalid", `${path}.port`, "port must be a number or a name");
  if (o.endPort != null) {
    const end = o.endPort;
    if (typeof end !== "number" || !Number.isInteger(end) || end < 0 || end > 65535)
      report(ctx, "port-invalid", `${path}.endPort`, `endPort ${String(end)} is not in 0..65535`);
    else if (out.port !== undefined && /^\d+$/.test(out.port) && end < Number(out.port))
      report(ctx, "port-invalid", `${path}.endPort`, `endPort ${end} is below port ${out.port}`);
    else out.endPort = end;
  }
  const protocol = readEnum(ctx, o.protocol, `${path}.protocol`, PROTOCOLS);
  if (protocol) out.protocol = protocol;
  return out;
}

function readHttp(ctx: Ctx, v: unknown, path: string): CiliumPortRuleHttp | undefined {
  const o = readObject(ctx, v, path);
  if (!o) return undefined;
  const out: CiliumPortRuleHttp = {};
  for (const f of ["method", "path", "host"] as const) {
    const re = readRegex(ctx, o[f], `${path}.${f}`);
    if (re !== undefined) out[f] = re;
  }
  const headers = readStringList(ctx, o.headers, `${path}.headers`);
  if (headers) out.headers = headers;
  return out;
}

function readDns(ctx: Ctx, v: unknown, path: string): CiliumPortRuleDns | undefined {
  const o = readObject(ctx, v, path);
  if (!o) return undefined;
  const out: CiliumPortRuleDns = {};
  const name = readString(ctx, o.matchName, `${path}.matchName`);
  if (name !== undefined) out.matchName = name;
  const pattern = readString(ctx, o.matchPattern, `${path}.matchPattern`);
  if (pattern !== undefined) out.matchPattern = pattern;
  return out;
}

function readPortRule(ctx: Ctx, v: unknown, path: string): CiliumPortRule | undefined {
  const o = readObject(ctx, v, path);
  if (!o) return undefined;
  const out: CiliumPortRule = {};
  const ports = readList(ctx, o.ports, `${path}.ports`);
  if (ports) out.ports = ports.map((p, i) => readPort(ctx, p, `${path}.ports[${i}]`) ?? {});
  const rules = readObject(ctx, o.rules, `${path}.rules`);
  if (rules) {
    out.rules = {};
    const http = readList(ctx, rules.http, `${path}.rules.http`);
    if (http) out.rules.http = http.map((h, i) => readHttp(ctx, h, `${path}.rules.http[${i}]`) ?? {});
    const dns = readList(ctx, rules.dns, `${path}.rules.dns`);
    if (dns) out.rules.dns = dns.map((d, i) => readDns(ctx, d, `${path}.rules.dns[${i}]`) ?? {});
    const kafka = readList(ctx, rules.kafka, `${path}.rules.kafka`);
    if (kafka) out.rules.kafka = kafka;
    const l7proto = readString(ctx, rules.l7proto, `${path}.rules.l7proto`);
    if (l7proto !== undefined) out.rules.l7proto = l7proto;
  }
  return out;
}

function readCidrRule(ctx: Ctx, v: unknown, path: string): CiliumCidrRule | undefined {
  const o = readObject(ctx, v, path);
  if (!o) return undefined;
  const out: CiliumCidrRule = {};
  const cidr = readCidr(ctx, o.cidr, `${path}.cidr`);
  if (cidr) out.cidr = cidr;
  const except = readList(ctx, o.except, `${path}.except`);
  if (except)
    out.except = except
      .map((x, i) => readCidr(ctx, x, `${path}.except[${i}]`))
      .filter((x) => x !== undefined);
  const group = readString(ctx, o.cidrGroupRef, `${path}.cidrGroupRef`);
  if (group !== undefined) out.cidrGroupRef = group;
  return out;
}

/** The list fields of a rule that are read but not evaluated (kept for warnings). */
const OPAQUE_LISTS = ["toServices", "fromNodes", "toNodes", "fromGroups", "toGroups", "icmps"] as const;

function readRule(ctx: Ctx, v: unknown, path: string): CiliumRule | undefined {
  if (v === null || v === undefined) return {};
  const o = readObject(ctx, v, path);
  if (!o) return undefined;
  const out: CiliumRule = {};
  for (const f of ["fromEndpoints", "toEndpoints", "fromRequires", "toRequires"] as const) {
    const sels = readSelectors(ctx, o[f], `${path}.${f}`);
    if (sels) out[f] = sels;
  }
  for (const f of ["fromCIDR", "toCIDR"] as const) {
    const list = readList(ctx, o[f], `${path}.${f}`);
    if (list)
      out[f] = list
        .map((c, i) => readCidr(ctx, c, `${path}.${f}[${i}]`, true))
        .filter((c) => c !== undefined);
  }
  for (const f of ["fromCIDRSet", "toCIDRSet"] as const) {
    const list = readList(ctx, o[f], `${path}.${f}`);
    if (list) out[f] = list.map((c, i) => readCidrRule(ctx, c, `${path}.${f}[${i}]`) ?? {});
  }
  for (const f of ["fromEntities", "toEntities"] as const) {
    const list = readList(ctx, o[f], `${path}.${f}`);
    if (list)
      out[f] = list
        .map((e, i) => readEnum(ctx, e, `${path}.${f}[${i}]`, CILIUM_ENTITIES))
        .filter((e) => e !== undefined);
  }
  const fqdns = readList(ctx, o.toFQDNs, `${path}.toFQDNs`);
  if (fqdns) out.toFQDNs = fqdns.map((f, i) => readDns(ctx, f, `${path}.toFQDNs[${i}]`) ?? {});
  for (const f of OPAQUE_LISTS) {
    const list = readList(ctx, o[f], `${path}.${f}`);
    if (list) out[f] = list;
  }
  const toPorts = readList(ctx, o.toPorts, `${path}.toPorts`);
  if (toPorts) out.toPorts = toPorts.map((p, i) => readPortRule(ctx, p, `${path}.toPorts[${i}]`) ?? {});
  return out;
}

/** Validates one spec (`spec` or `specs[i]` at `path`); undefined when it is not a map. */
export function readCiliumSpec(ctx: Ctx, v: unknown, path: string): CiliumPolicySpec | undefined {
  const o = readObject(ctx, v, path);
  if (!o) return undefined;
  const spec: CiliumPolicySpec = {};
  const description = readString(ctx, o.description, `${path}.description`);
  if (description !== undefined) spec.description = description;
  for (const f of ["endpointSelector", "nodeSelector"] as const) {
    const sel = readSelector(ctx, o[f], `${path}.${f}`, "cilium");
    if (sel) spec[f] = sel;
  }
  for (const f of ["ingress", "ingressDeny", "egress", "egressDeny"] as const) {
    const list = readList(ctx, o[f], `${path}.${f}`);
    if (list) spec[f] = list.map((r, i) => readRule(ctx, r, `${path}.${f}[${i}]`) ?? {});
  }
  const dd = readObject(ctx, o.enableDefaultDeny, `${path}.enableDefaultDeny`);
  if (dd) {
    spec.enableDefaultDeny = {};
    for (const d of ["ingress", "egress"] as const) {
      const b = readBoolean(ctx, dd[d], `${path}.enableDefaultDeny.${d}`);
      if (b !== undefined) spec.enableDefaultDeny[d] = b;
    }
  }
  const labels = readList(ctx, o.labels, `${path}.labels`);
  if (labels) spec.labels = labels;
  return spec;
}

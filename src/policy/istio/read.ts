/**
 * Istio AuthorizationPolicy and PeerAuthentication specs validated into their types
 * (src/policy/istio/types.ts) with the shared validating reader: every list is a list, every
 * value a string (`methods: "GET"` is an error, not four one-letter methods), ports are numbers
 * in range and addresses are addresses, each problem with file:line and the field path.
 */
import {
  type Ctx,
  readCidr,
  readEnum,
  readList,
  readMatchLabels,
  readObject,
  readString,
  readStringList,
  report,
  warn,
} from "../validate.js";
import type {
  AuthorizationPolicySpec,
  IstioAction,
  IstioCondition,
  IstioOperation,
  IstioRule,
  IstioSource,
  MtlsMode,
  PeerAuthenticationSpec,
  WorkloadSelector,
} from "./types.js";

const ACTIONS: readonly IstioAction[] = ["ALLOW", "DENY", "AUDIT", "CUSTOM"];
const MODES: readonly MtlsMode[] = ["STRICT", "PERMISSIVE", "DISABLE", "UNSET"];

const SOURCE_STRINGS = [
  "principals",
  "notPrincipals",
  "requestPrincipals",
  "notRequestPrincipals",
  "namespaces",
  "notNamespaces",
] as const;
const SOURCE_ADDRESSES = ["ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"] as const;
const OPERATION_STRINGS = ["hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"] as const;

function readSelector(ctx: Ctx, v: unknown, path: string): WorkloadSelector | undefined {
  const o = readObject(ctx, v, path);
  if (!o) return undefined;
  if (o.matchExpressions !== undefined)
    report(ctx, "selector-invalid", `${path}.matchExpressions`, "an Istio selector has matchLabels only");
  const matchLabels = readMatchLabels(ctx, o.matchLabels, `${path}.matchLabels`);
  return matchLabels ? { matchLabels } : {};
}

/** Istio ports are strings of numbers; YAML numbers are accepted. */
function readPorts(ctx: Ctx, v: unknown, path: string): string[] | undefined {
  const list = readList(ctx, v, path);
  if (!list) return undefined;
  const out: string[] = [];
  list.forEach((p, i) => {
    const text = typeof p === "number" ? String(p) : p;
    if (typeof text === "string" && /^\d+$/.test(text) && Number(text) <= 65535) out.push(text);
    else report(ctx, "port-invalid", `${path}[${i}]`, `"${String(p)}" is not a port number`);
  });
  return out;
}

function readSource(ctx: Ctx, v: unknown, path: string): IstioSource {
  const o = readObject(ctx, v, path) ?? {};
  const out: IstioSource = {};
  for (const f of SOURCE_STRINGS) {
    const list = readStringList(ctx, o[f], `${path}.${f}`);
    if (list) out[f] = list;
  }
  for (const f of SOURCE_ADDRESSES) {
    const list = readList(ctx, o[f], `${path}.${f}`);
    if (list)
      out[f] = list
        .map((x, i) => readCidr(ctx, x, `${path}.${f}[${i}]`, true))
        .filter((x) => x !== undefined);
  }
  return out;
}

function readOperation(ctx: Ctx, v: unknown, path: string): IstioOperation {
  const o = readObject(ctx, v, path) ?? {};
  const out: IstioOperation = {};
  for (const f of OPERATION_STRINGS) {
    const list = readStringList(ctx, o[f], `${path}.${f}`);
    if (list) out[f] = list;
  }
  for (const f of ["ports", "notPorts"] as const) {
    const list = readPorts(ctx, o[f], `${path}.${f}`);
    if (list) out[f] = list;
  }
  return out;
}

function readCondition(ctx: Ctx, v: unknown, path: string): IstioCondition | undefined {
  const o = readObject(ctx, v, path);
  if (!o) return undefined;
  const key = readString(ctx, o.key, `${path}.key`);
  if (key === undefined) {
    if (o.key == null) report(ctx, "resource-invalid", `${path}.key`, "a condition needs a key");
    return undefined;
  }
  const out: IstioCondition = { key };
  const values = readStringList(ctx, o.values, `${path}.values`);
  if (values) out.values = values;
  const notValues = readStringList(ctx, o.notValues, `${path}.notValues`);
  if (notValues) out.notValues = notValues;
  return out;
}

/** Reads a list of `{<field>: map}` entries (`from[].source`, `to[].operation`). */
function readWrapped<T>(
  ctx: Ctx,
  v: unknown,
  path: string,
  field: string,
  inner: (ctx: Ctx, v: unknown, path: string) => T,
): T[] | undefined {
  return readList(ctx, v, path)?.map((e, i) => {
    const o = readObject(ctx, e, `${path}[${i}]`) ?? {};
    return inner(ctx, o[field], `${path}[${i}].${field}`);
  });
}

function readRule(ctx: Ctx, v: unknown, path: string): IstioRule {
  const o = readObject(ctx, v, path) ?? {};
  const rule: IstioRule = {};
  const from = readWrapped(ctx, o.from, `${path}.from`, "source", readSource);
  if (from) rule.from = from.map((source) => ({ source }));
  const to = readWrapped(ctx, o.to, `${path}.to`, "operation", readOperation);
  if (to) rule.to = to.map((operation) => ({ operation }));
  const when = readList(ctx, o.when, `${path}.when`);
  if (when)
    rule.when = when
      .map((c, i) => readCondition(ctx, c, `${path}.when[${i}]`))
      .filter((c) => c !== undefined);
  return rule;
}

/** Warns that waypoint / gateway targeting is not evaluated. */
function warnTargetRefs(ctx: Ctx, spec: Record<string, unknown>): void {
  if (spec.targetRef !== undefined || spec.targetRefs !== undefined)
    warn(
      ctx,
      "spec",
      "targetRef(s) are not evaluated (waypoint/gateway policies); the policy is treated as selecting by `selector`",
    );
}

/** Validates an AuthorizationPolicy spec (absent = `{}`); problems go to `ctx`. */
export function readAuthorizationPolicySpec(ctx: Ctx, v: unknown): AuthorizationPolicySpec {
  const o = readObject(ctx, v, "spec") ?? {};
  const spec: AuthorizationPolicySpec = {};
  const selector = readSelector(ctx, o.selector, "spec.selector");
  if (selector) spec.selector = selector;
  const action = readEnum(ctx, o.action, "spec.action", ACTIONS);
  if (action) spec.action = action;
  const provider = readObject(ctx, o.provider, "spec.provider");
  if (provider) spec.provider = { name: readString(ctx, provider.name, "spec.provider.name") ?? "" };
  const rules = readList(ctx, o.rules, "spec.rules");
  if (rules) spec.rules = rules.map((r, i) => readRule(ctx, r, `spec.rules[${i}]`));
  warnTargetRefs(ctx, o);
  return spec;
}

/** Validates a PeerAuthentication spec (absent = `{}`); problems go to `ctx`. */
export function readPeerAuthenticationSpec(ctx: Ctx, v: unknown): PeerAuthenticationSpec {
  const o = readObject(ctx, v, "spec") ?? {};
  const spec: PeerAuthenticationSpec = {};
  const selector = readSelector(ctx, o.selector, "spec.selector");
  if (selector) spec.selector = selector;
  const mtls = readObject(ctx, o.mtls, "spec.mtls");
  if (mtls) {
    const mode = readEnum(ctx, mtls.mode, "spec.mtls.mode", MODES);
    spec.mtls = mode ? { mode } : {};
  }
  const ports = readObject(ctx, o.portLevelMtls, "spec.portLevelMtls");
  if (ports) {
    spec.portLevelMtls = {};
    for (const [port, m] of Object.entries(ports)) {
      const entry = readObject(ctx, m, `spec.portLevelMtls.${port}`) ?? {};
      const mode = readEnum(ctx, entry.mode, `spec.portLevelMtls.${port}.mode`, MODES);
      spec.portLevelMtls[port] = mode ? { mode } : {};
    }
  }
  warnTargetRefs(ctx, o);
  return spec;
}

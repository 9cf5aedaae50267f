/**
 * L7 matching: HTTP requests against the IR's HttpMatch (Cilium regexes, Istio exact / prefix /
 * suffix strings), and what an L7-restricted rule means for a connection.
 *
 * - A connection with an HTTP request: a rule with `http` matches iff some entry matches.
 * - An L4-only question (no request): an allow rule with `http` still opens the port (some
 *   requests pass, the proxy filters the rest); a deny rule with `http` or `conditions` does not
 *   close it. So at L4 a port is reachable when some request on it is allowed.
 */
import { fail } from "../model/problems.js";
import type { HttpMatch, Rule, StringMatchKind } from "../policy/ir/types.js";
import type { HttpRequest } from "./endpoint.js";

/** A compiled comparison of one string field. */
export type StringPredicate = (value: string) => boolean;

/**
 * Compiles a full-match regular expression (`^(?:pattern)$`, Envoy's full match); the syntax
 * error's message when the pattern is not a valid expression.
 */
export function compileFullMatch(pattern: string, ignoreCase = false): RegExp | string {
  try {
    return new RegExp(`^(?:${pattern})$`, ignoreCase ? "i" : "");
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Compiles one string field comparison once (regexes built here, not per request). A pattern
 * that is not a valid regex is a fatal `resource-invalid` problem (parsers report it with its
 * location first; this guards IR built by hand).
 */
export function compileStringMatch(
  pattern: string,
  kind: StringMatchKind | undefined,
  ignoreCase = false,
): StringPredicate {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const norm = (v: string) => (ignoreCase ? v.toLowerCase() : v);
  switch (kind ?? "exact") {
    case "exact":
      return (v) => norm(v) === p;
    case "prefix":
      return (v) => norm(v).startsWith(p);
    case "suffix":
      return (v) => norm(v).endsWith(p);
    case "regex": {
      const re = compileFullMatch(pattern, ignoreCase);
      if (typeof re === "string") fail("resource-invalid", `invalid regular expression "${pattern}": ${re}`);
      return (v) => re.test(v);
    }
  }
}

/** Compares one string field, compiling the pattern for this one call (parse-time checks only). */
export function stringFieldMatches(
  pattern: string,
  kind: StringMatchKind | undefined,
  value: string,
  ignoreCase = false,
): boolean {
  return compileStringMatch(pattern, kind, ignoreCase)(value);
}

/** A compiled HttpMatch: does the request satisfy it? */
export type HttpPredicate = (req: HttpRequest) => boolean;

/** Compiles one HttpMatch (fields AND, then no `except` entry); host compares case-insensitively. */
export function compileHttpMatch(m: HttpMatch): HttpPredicate {
  const method = m.method === undefined ? undefined : compileStringMatch(m.method, m.methodKind);
  const path = m.path === undefined ? undefined : compileStringMatch(m.path, m.pathKind);
  const host = m.host === undefined ? undefined : compileStringMatch(m.host, m.hostKind, true);
  const except = (m.except ?? []).map(compileHttpMatch);
  return (req) => {
    if (method && !method(req.method)) return false;
    if (path && !path(req.path)) return false;
    if (host && (req.host === undefined || !host(req.host))) return false;
    return !except.some((x) => x(req));
  };
}

/**
 * False when no request can satisfy the match: an `except` entry covers it (every field the
 * except sets is fixed by the match to a value the except matches; `except: [{}]` covers all).
 */
export function httpSatisfiable(m: HttpMatch): boolean {
  const fields = [
    ["method", "methodKind"],
    ["path", "pathKind"],
    ["host", "hostKind"],
  ] as const;
  return !(m.except ?? []).some((x) =>
    fields.every(([f, k]) => {
      if (x[f] === undefined) return true;
      const v = m[f];
      return (
        v !== undefined && (m[k] ?? "exact") === "exact" && stringFieldMatches(x[f]!, x[k], v, f === "host")
      );
    }),
  );
}

/** True when the rule restricts L7 (HTTP entries or undecidable conditions). */
export function isL7Restricted(rule: Rule): boolean {
  return (rule.http !== undefined && rule.http.length > 0) || (rule.conditions?.length ?? 0) > 0;
}

/** A compiled rule's L7 check: does it accept the connection (request absent = an L4-only question)? */
export type L7Check = (req: HttpRequest | undefined) => boolean;

/**
 * Compiles the rule's L7 part once. `req` absent = an L4-only question: allow rules are accepted
 * (some request passes), deny rules restricted at L7 are not (they do not close the port).
 * Undecidable conditions are assumed to hold for a known request.
 */
export function compileRuleL7(rule: Rule): L7Check {
  if (!isL7Restricted(rule)) return () => true;
  const l4 = rule.action === "allow";
  if (!rule.http || rule.http.length === 0) return (req) => (req ? true : l4);
  const matches = rule.http.map(compileHttpMatch);
  return (req) => (req ? matches.some((m) => m(req)) : l4);
}

/**
 * L7 matching: HTTP requests against the IR's HttpMatch (Cilium regexes, Istio exact / prefix /
 * suffix strings), and what an L7-restricted rule means for a connection.
 *
 * - A connection with an HTTP request: a rule with `http` matches iff some entry matches.
 * - An L4-only question (no request): an allow rule with `http` still opens the port (some
 *   requests pass, the proxy filters the rest); a deny rule with `http` or `conditions` does not
 *   close it. So at L4 a port is reachable when some request on it is allowed.
 */
import type { HttpMatch, Rule, StringMatchKind } from "../policy/ir/types.js";
import type { HttpRequest } from "./endpoint.js";

/** Compares one string field. Regexes must match the whole value (Envoy's full match). */
export function stringFieldMatches(
  pattern: string,
  kind: StringMatchKind | undefined,
  value: string,
  ignoreCase = false,
): boolean {
  const v = ignoreCase ? value.toLowerCase() : value;
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  switch (kind ?? "exact") {
    case "exact":
      return v === p;
    case "prefix":
      return v.startsWith(p);
    case "suffix":
      return v.endsWith(p);
    case "regex":
      try {
        return new RegExp(`^(?:${pattern})$`, ignoreCase ? "i" : "").test(value);
      } catch {
        return false;
      }
  }
}

/** Does the request satisfy one HttpMatch (fields AND, then no `except` entry)? */
export function httpMatches(m: HttpMatch, req: HttpRequest): boolean {
  if (m.method !== undefined && !stringFieldMatches(m.method, m.methodKind, req.method)) return false;
  if (m.path !== undefined && !stringFieldMatches(m.path, m.pathKind, req.path)) return false;
  if (m.host !== undefined) {
    if (req.host === undefined) return false;
    if (!stringFieldMatches(m.host, m.hostKind, req.host, true)) return false;
  }
  return !(m.except ?? []).some((x) => httpMatches(x, req));
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

/**
 * Does the rule's L7 part accept the connection? `req` absent = an L4-only question: allow rules
 * are accepted (some request passes), deny rules restricted at L7 are not (they do not close the
 * port). Undecidable conditions are assumed to hold for a known request.
 */
export function ruleL7Accepts(rule: Rule, req: HttpRequest | undefined): boolean {
  if (!isL7Restricted(rule)) return true;
  if (!req) return rule.action === "allow";
  if (!rule.http || rule.http.length === 0) return true;
  return rule.http.some((m) => httpMatches(m, req));
}

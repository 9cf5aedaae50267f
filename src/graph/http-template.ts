/**
 * HTTP path templates: identifiers in paths become `{id}` so that `/details/0` and `/details/1`
 * are one edge entry (a later issue adds learned templates).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_HASH = /^[0-9a-f]{16,}$/i;
const NUMBER = /^\d+$/;

/** True when a path segment is an identifier (a number, a UUID or a long hex hash). */
export function isIdSegment(segment: string): boolean {
  return NUMBER.test(segment) || UUID.test(segment) || (HEX_HASH.test(segment) && /\d/.test(segment));
}

/** The template of a path: query and fragment cut, identifier segments replaced by `{id}`. */
export function templatePath(path: string): string {
  const cut = path.search(/[?#]/);
  const bare = cut >= 0 ? path.slice(0, cut) : path;
  const segments = bare.split("/").map((s) => (isIdSegment(s) ? "{id}" : s));
  const out = segments.join("/");
  return out.startsWith("/") ? out : `/${out}`;
}

/** The segment a path template uses for an identifier. */
export const ID_SEGMENT = "{id}";

/** A template that ends in `/*` stands for every path under its prefix (a widened template). */
export function isPrefixTemplate(template: string): boolean {
  return template.endsWith("/*") || template === "*";
}

function escapeRegexLiteral(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A path template as a Cilium path regex (matched against the whole path): literal segments
 * escaped, `{id}` → one segment `[^/]+`, a trailing `/*` → any rest.
 */
export function templateToRegex(template: string): string {
  if (template === "*") return "/.*";
  const prefix = isPrefixTemplate(template);
  const body = prefix ? template.slice(0, -2) : template;
  const re = body
    .split("/")
    .map((s) => (s === ID_SEGMENT ? "[^/]+" : escapeRegexLiteral(s)))
    .join("/");
  return prefix ? `${re}/.*` : re;
}

/**
 * A path template as an Istio path (exact, or a prefix ending in `*`; Istio has no inner
 * wildcard, so a template with `{id}` widens to the prefix before its first identifier).
 */
export function templateToIstioPath(template: string): { path: string; widened: boolean } {
  if (template === "*") return { path: "*", widened: false };
  const prefix = isPrefixTemplate(template);
  const body = prefix ? template.slice(0, -1) : template;
  const at = body.indexOf(ID_SEGMENT);
  if (at >= 0) return { path: `${body.slice(0, at)}*`, widened: true };
  return { path: prefix ? `${body}*` : body, widened: false };
}

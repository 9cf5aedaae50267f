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

/**
 * Stable DNS-1123 names for generated objects: lower-case alphanumerics and '-', at most 63
 * characters; a name that had to be cut or cleaned gets a short hash of the original so two
 * different inputs never share a name.
 */

/** FNV-1a 32-bit hash as 8 hex digits (stable across runs and platforms). */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** True when `s` is a DNS-1123 label (RFC 1123: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, ≤ 63). */
export function isDns1123Label(s: string): boolean {
  return s.length > 0 && s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/**
 * Turns any text into a DNS-1123 label: kept as is when already valid, otherwise cleaned
 * (lower-cased, other characters to '-') and suffixed with a hash of the original, cut to fit.
 */
export function dns1123Name(raw: string, maxLength = 63): string {
  if (isDns1123Label(raw) && raw.length <= maxLength) return raw;
  const hash = shortHash(raw).slice(0, 6);
  let clean = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
  const room = maxLength - hash.length - 1;
  clean = clean.slice(0, room).replace(/-+$/g, "");
  return clean ? `${clean}-${hash}` : `x-${hash}`;
}

/**
 * Escaping for HTML and SVG text and attribute values: every untrusted string (workload names,
 * labels, paths, rule origins) goes through `escapeHtml` before it is placed in a report.
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML/SVG element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A tagged template that escapes every interpolated value (arrays joined, `Raw` kept as is). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0];
  values.forEach((v, i) => {
    out += toHtml(v) + strings[i + 1];
  });
  return new Raw(out);
}

/** Markup that is already safe (built by `html`). */
export class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function toHtml(v: unknown): string {
  if (v instanceof Raw) return v.value;
  if (Array.isArray(v)) return v.map(toHtml).join("");
  if (v === undefined || v === null || v === false) return "";
  return escapeHtml(String(v));
}

/**
 * Whole-document JSON helpers for document formats: the elements of a top-level array (or the one
 * top-level value, or one value per line) with the line each starts on, so that problems keep their
 * file:line even when the document is pretty-printed.
 */

/** One top-level JSON value of a document: its text and 1-based start line. */
export interface JsonChunk {
  text: string;
  line: number;
}

/**
 * Splits a document into top-level values: the elements of a top-level array, else every top-level
 * value in turn (one pretty-printed object, or JSON lines). A scan that respects strings; values are
 * not parsed here. An unterminated value is returned as it is (its parse fails where it is used).
 */
export function splitJsonDocument(text: string): JsonChunk[] {
  const out: JsonChunk[] = [];
  const n = text.length;
  let line = 1;
  let i = 0;
  // skip blanks to the first value
  const skipBlank = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13 && c !== 44) break; // blanks and commas between values
      i++;
    }
  };
  skipBlank();
  let inArray = false;
  if (text[i] === "[") {
    inArray = true;
    i++;
    skipBlank();
  }
  while (i < n) {
    if (inArray && text[i] === "]") break;
    const start = i;
    const startLine = line;
    i = valueEnd(text, i, (nl) => (line += nl));
    out.push({ text: text.slice(start, i), line: startLine });
    skipBlank();
  }
  return out;
}

/** The index just after the JSON value starting at `i` (objects/arrays by depth, strings, scalars). */
function valueEnd(text: string, start: number, newlines: (n: number) => void): number {
  const n = text.length;
  let depth = 0;
  let inString = false;
  let nl = 0;
  let i = start;
  for (; i < n; i++) {
    const c = text[i];
    if (c === "\n") nl++;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) {
          i++;
          break;
        }
      }
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth <= 0) {
        i++;
        break;
      }
    } else if (depth === 0 && (c === "," || c === "\n" || c === " ")) break;
  }
  newlines(nl);
  return i;
}

/** Parses a chunk; undefined when it is not valid JSON. */
export function parseChunk(chunk: JsonChunk): unknown {
  try {
    return JSON.parse(chunk.text);
  } catch {
    return undefined;
  }
}

/** True when the first non-blank line does not hold a whole JSON value (a pretty-printed document or an array). */
export function startsJsonDocument(firstLines: readonly string[]): boolean {
  const first = firstLines.map((l) => l.trim()).find((l) => l.length > 0);
  if (!first) return false;
  if (first.startsWith("[")) return true;
  try {
    JSON.parse(first);
    return false;
  } catch {
    return first.startsWith("{");
  }
}

/**
 * An incremental JSON value splitter for document formats. Text goes in chunk by chunk (cut
 * anywhere: inside strings, escapes, surrogate pairs) and out come the document's values, each with
 * its text and the line it starts on:
 * - the elements of a top-level array (`[…]`, a GCP `gcloud logging read --format=json` dump);
 * - the elements of the array under a wrapper key of a top-level object (Azure's
 *   `{"records":[…]}`: with `unwrap: ["records"]` each record comes out on its own, and the
 *   wrapper's other members are dropped);
 * - else every top-level value in turn (one pretty-printed object, JSON lines, concatenated values).
 *
 * Only the value being assembled is held (as the pieces of the chunks it spans, joined once at its
 * end), so memory is bounded by the largest value plus one chunk, not by the document. A value over
 * the cap is dropped as it streams and comes out as `overlong` with its line. A scan that respects
 * strings and escapes; values are not parsed or validated here: a broken one comes out as it is
 * and fails where it is parsed, at its line; one the text ends inside comes out marked `truncated`.
 */

/** One value of a document: its text and 1-based start line. */
export interface JsonChunk {
  text: string;
  line: number;
  /** The wrapper key whose array held the value (e.g. `records`); absent for top-level values and elements. */
  key?: string;
  /** The value was longer than the cap: its text was dropped (empty here). */
  overlong?: boolean;
  /** The text ended inside the value (an object, array or string left open): a cut-off document. */
  truncated?: boolean;
}

/** Options of {@link JsonValueSplitter}. */
export interface JsonSplitterOptions {
  /** Keys of a top-level object whose array value is read element by element (Azure: `records`). */
  unwrap?: readonly string[];
  /** The longest value kept, in characters (default {@link DEFAULT_MAX_VALUE_CHARS}). */
  maxValueChars?: number;
}

/** The default cap on one value: 64 MiB (counted in characters). */
export const DEFAULT_MAX_VALUE_CHARS = 64 * 1024 * 1024;

/** Key text longer than this is not compared with the unwrap keys (and not held). */
const MAX_KEY_CHARS = 256;

const NL = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
/** A byte-order mark (U+FEFF), as some Windows tools write at the start of a file: skipped between values. */
const BOM = 0xfeff;

const isBlank = (c: number) => c === SPACE || c === NL || c === CR || c === TAB;
/** Characters that end a bare scalar (`true`, `12`, or garbage) without belonging to it. */
const endsScalar = (c: number) =>
  isBlank(c) ||
  c === COMMA ||
  c === QUOTE ||
  c === LBRACE ||
  c === RBRACE ||
  c === LBRACKET ||
  c === RBRACKET;

/** The scan state of the value being assembled. */
interface ValueScan {
  line: number;
  key: string | undefined;
  depth: number;
  inString: boolean;
  escape: boolean;
  /** A bare scalar: it ends before the first blank, comma, quote or bracket. */
  scalar: boolean;
  /** False for a wrapper whose array was unwrapped: its own text is dropped. */
  keep: boolean;
  pieces: string[];
  held: number;
  overlong: boolean;
  /** A top-level object watched for an unwrap key among its members (depth 1). */
  tracksKeys: boolean;
  /** The raw text of the depth-1 string being read (undefined: not tracked), and where it began in this chunk. */
  keyText: string | undefined;
  keyFrom: number;
  /** The last depth-1 string, and that string once a colon followed it (a member's key). */
  lastString: string | undefined;
  pendingKey: string | undefined;
}

/** Splits a JSON document into values as its text streams in (see the module comment). */
export class JsonValueSplitter {
  /** The most characters of value text held at once: the longest value kept (or kept part of one dropped). */
  highWater = 0;
  private readonly unwrapKeys: ReadonlySet<string>;
  private readonly maxChars: number;
  private line = 1;
  private sawText = false;
  private endsWithNewline = false;
  /** Between values: at the top level, or in an array whose elements are the values. */
  private inArray = false;
  /** The wrapper key of the array being read (undefined for a top-level array). */
  private arrayKey: string | undefined;
  private value: ValueScan | undefined;
  /** The wrapper object around the array being read, resumed at the array's end. */
  private wrapper: ValueScan | undefined;
  /** Set by `scan` when it entered a wrapper's array. */
  private enteredArray = false;

  constructor(options: JsonSplitterOptions = {}) {
    this.unwrapKeys = new Set(options.unwrap ?? []);
    this.maxChars = options.maxValueChars ?? DEFAULT_MAX_VALUE_CHARS;
  }

  /** The number of lines read so far (a last line without a newline counts). */
  get lines(): number {
    if (!this.sawText) return 0;
    return this.endsWithNewline ? this.line - 1 : this.line;
  }

  /** Takes the next piece of text; returns the values it completed, in order. */
  push(text: string): JsonChunk[] {
    const out: JsonChunk[] = [];
    if (text.length === 0) return out;
    this.sawText = true;
    this.endsWithNewline = text.charCodeAt(text.length - 1) === NL;
    let i = 0;
    let from = 0;
    while (i < text.length) {
      if (!this.value) {
        i = this.skipBetween(text, i);
        if (!this.value) break;
        from = i;
      }
      const v: ValueScan = this.value;
      const end = this.scan(v, text, i);
      if (this.enteredArray) {
        this.enteredArray = false;
        i = end;
        continue;
      }
      if (end < 0) {
        this.hold(v, text.slice(from));
        break;
      }
      this.value = undefined;
      this.finish(v, text.slice(from, end), out);
      i = end;
    }
    return out;
  }

  /**
   * The end of the text: a value still open comes out as it is, marked `truncated` (a last bare
   * scalar, which ends with the text, is not); a document left open around its values (an array or
   * a wrapper object never closed) adds an empty `truncated` value at the last line.
   */
  end(): JsonChunk[] {
    const out: JsonChunk[] = [];
    const v = this.value;
    const openArray = this.inArray;
    const key = this.arrayKey;
    this.value = undefined;
    this.wrapper = undefined;
    this.inArray = false;
    this.arrayKey = undefined;
    if (v) this.finish(v, "", out);
    if (v && !v.scalar && out.length > 0) out[0].truncated = true;
    else if (openArray || (v && !v.keep)) {
      // the document itself is cut: an array (top-level or a wrapper's) or a wrapper object never closed
      const chunk: JsonChunk = { text: "", line: this.lines || 1, truncated: true };
      if (key !== undefined) chunk.key = key;
      out.push(chunk);
    }
    return out;
  }

  /** Skips blanks and commas between values, enters and leaves arrays; starts the next value (or resumes a wrapper). */
  private skipBetween(text: string, start: number): number {
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === NL) this.line++;
      else if (c === SPACE || c === TAB || c === CR || c === COMMA || c === BOM) continue;
      else if (!this.inArray && c === LBRACKET) {
        this.inArray = true;
        this.arrayKey = undefined;
      } else if (this.inArray && c === RBRACKET) {
        this.inArray = false;
        this.arrayKey = undefined;
        if (this.wrapper) {
          this.value = this.wrapper;
          this.wrapper = undefined;
          return i + 1;
        }
      } else {
        this.value = this.begin(c);
        return i;
      }
    }
    return i;
  }

  /** The scan state of a value starting with character `c` on the current line. */
  private begin(c: number): ValueScan {
    const structured = c === QUOTE || c === LBRACE || c === LBRACKET || c === RBRACE || c === RBRACKET;
    return {
      line: this.line,
      key: this.inArray ? this.arrayKey : undefined,
      depth: 0,
      inString: false,
      escape: false,
      scalar: !structured,
      keep: true,
      pieces: [],
      held: 0,
      overlong: false,
      tracksKeys: !this.inArray && c === LBRACE && this.unwrapKeys.size > 0,
      keyText: undefined,
      keyFrom: -1,
      lastString: undefined,
      pendingKey: undefined,
    };
  }

  /**
   * Scans value `v` from `start`: the index just after its end, or -1 when the text ran out first.
   * On an unwrap key's array it sets `enteredArray` and returns the index after the `[`.
   */
  private scan(v: ValueScan, text: string, start: number): number {
    const n = text.length;
    let i = start;
    if (v.scalar) {
      while (i < n && !endsScalar(text.charCodeAt(i))) i++;
      return i < n ? i : -1;
    }
    let { depth, inString } = v;
    let escaped = v.escape;
    let line = this.line;
    let end = -1;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === NL) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 0) {
            end = i + 1;
            break;
          }
          if (depth === 1 && v.tracksKeys) this.endString(v, text, i);
        }
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        if (depth === 1 && v.tracksKeys) this.beginString(v, i);
      } else if (c === LBRACE || c === LBRACKET) {
        if (depth === 1 && v.tracksKeys) {
          if (c === LBRACKET && v.pendingKey !== undefined && this.unwrapKeys.has(v.pendingKey)) {
            this.line = line;
            this.enterArray(v, v.pendingKey);
            return i + 1;
          }
          v.lastString = v.pendingKey = undefined;
        }
        depth++;
      } else if (c === RBRACE || c === RBRACKET) {
        depth--;
        if (depth <= 0) {
          end = i + 1;
          break;
        }
      } else if (depth === 1 && v.tracksKeys && !isBlank(c)) {
        v.pendingKey = c === COLON ? v.lastString : undefined;
        v.lastString = undefined;
      }
    }
    this.line = line;
    v.depth = depth;
    v.inString = inString;
    v.escape = escaped;
    if (end < 0 && inString && v.keyText !== undefined) this.carryString(v, text);
    return end;
  }

  /** A depth-1 string of a watched object begins (its content starts after index `at`). */
  private beginString(v: ValueScan, at: number): void {
    v.pendingKey = undefined;
    v.keyText = "";
    v.keyFrom = at + 1;
  }

  /** A depth-1 string of a watched object ends at index `at` (its closing quote). */
  private endString(v: ValueScan, text: string, at: number): void {
    v.lastString = v.keyText === undefined ? undefined : v.keyText + text.slice(v.keyFrom, at);
    v.keyText = undefined;
  }

  /** The text ran out inside a depth-1 string: keeps its start (short ones only). */
  private carryString(v: ValueScan, text: string): void {
    v.keyText += text.slice(v.keyFrom);
    v.keyFrom = 0;
    if (v.keyText!.length > MAX_KEY_CHARS) v.keyText = undefined;
  }

  /** Enters the array of wrapper `v` under `key`: its elements become the values, its own text is dropped. */
  private enterArray(v: ValueScan, key: string): void {
    v.depth = 1;
    // the scan returns at the `[` without saving its string state: an earlier chunk may have ended
    // inside the key, so the wrapper resumes after the array outside any string
    v.inString = false;
    v.escape = false;
    v.keyText = undefined;
    v.keep = false;
    v.pieces = [];
    v.held = 0;
    v.overlong = false;
    v.lastString = v.pendingKey = undefined;
    this.wrapper = v;
    this.value = undefined;
    this.inArray = true;
    this.arrayKey = key;
    this.enteredArray = true;
  }

  /** Keeps the part of value `v` that this text held (dropped past the cap). */
  private hold(v: ValueScan, piece: string): void {
    if (!v.keep || v.overlong) return;
    v.held += piece.length;
    if (v.held > this.maxChars) {
      v.overlong = true;
      v.pieces = [];
      return;
    }
    v.pieces.push(piece);
    if (v.held > this.highWater) this.highWater = v.held;
  }

  /** Value `v` ended with `last`: adds it to `out` (nothing for an unwrapped wrapper). */
  private finish(v: ValueScan, last: string, out: JsonChunk[]): void {
    if (!v.keep) return;
    const size = v.held + last.length;
    const chunk: JsonChunk = { text: "", line: v.line };
    if (v.key !== undefined) chunk.key = v.key;
    if (v.overlong || size > this.maxChars) chunk.overlong = true;
    else {
      chunk.text = v.pieces.length === 0 ? last : v.pieces.join("") + last;
      if (size > this.highWater) this.highWater = size;
    }
    out.push(chunk);
  }
}

/** Every value of a whole text (see {@link JsonValueSplitter}). */
export function splitJsonText(text: string, options?: JsonSplitterOptions): JsonChunk[] {
  const s = new JsonValueSplitter(options);
  return [...s.push(text), ...s.end()];
}

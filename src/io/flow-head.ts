/**
 * The head of a flow input, for format detection: its first chunks of text, read until a number of
 * non-blank lines (or the end, or a cap on the text held), and the first lines as detectors see
 * them. The chunks are replayed before the rest, so an input (stdin included) is read once, and a
 * file without newlines (a minified JSON document) costs at most the cap before the format is known.
 */

/** What was read of an input before its format is chosen. */
export interface InputHead {
  /** The chunks read, in order: {@link replayHead} hands them out again before the rest. */
  chunks: string[];
  /**
   * The first lines as detection sees them: up to the wanted number of non-blank ones, each cut to
   * the line cap (`\r` of CRLF removed); the last may be the start of a line the head ends inside.
   */
  lines: string[];
  /** The input ended within the head. */
  ended: boolean;
  /** The 1-based number of the first line longer than the line cap (cut for detection), if any. */
  longLine?: number;
}

/** Limits of {@link readInputHead}. */
export interface HeadLimits {
  /** Non-blank lines wanted. */
  lines: number;
  /** The cap on one detection line, in characters (longer ones are cut). */
  maxLine: number;
  /** Stop reading once this many characters are held (the head ends inside a line). */
  maxChars: number;
}

/** Reads the head of an input from its chunks (see the module comment). */
export async function readInputHead(it: AsyncIterator<string>, limits: HeadLimits): Promise<InputHead> {
  const head: InputHead = { chunks: [], lines: [], ended: false };
  let line = "";
  let long = false;
  let nonBlank = 0;
  let held = 0;
  const add = (text: string) => {
    if (long || text.length === 0) return;
    line += text;
    if (line.length > limits.maxLine) {
      line = line.slice(0, limits.maxLine);
      long = true;
      head.longLine ??= head.lines.length + 1;
    }
  };
  const endLine = () => {
    const l = !long && line.endsWith("\r") ? line.slice(0, -1) : line;
    head.lines.push(l);
    if (l.trim()) nonBlank++;
    line = "";
    long = false;
  };
  while (nonBlank < limits.lines && held < limits.maxChars) {
    const r = await it.next();
    if (r.done) {
      head.ended = true;
      break;
    }
    const text = r.value;
    head.chunks.push(text);
    held += text.length;
    let from = 0;
    for (let nl = text.indexOf("\n"); nl >= 0 && nonBlank < limits.lines; nl = text.indexOf("\n", from)) {
      add(text.slice(from, nl));
      endLine();
      from = nl + 1;
    }
    if (nonBlank < limits.lines) add(text.slice(from));
  }
  // a last line without a newline; a line cut by the cap only when it is all there is, or cut anyway
  if (nonBlank < limits.lines && (line.length > 0 || long) && (head.ended || nonBlank === 0 || long))
    endLine();
  return head;
}

/** The head's chunks (released as they go), then the rest of the input. */
export async function* replayHead(head: InputHead, rest: AsyncIterator<string>): AsyncGenerator<string> {
  const chunks = head.chunks;
  head.chunks = [];
  for (let c = chunks.shift(); c !== undefined; c = chunks.shift()) yield c;
  if (head.ended) return;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

/**
 * Where a JSON text stops being valid: a small validating scanner used only after JSON.parse
 * failed, because Node's messages do not always give a position ("Unexpected token 'i'…",
 * "Unexpected end of JSON input").
 */

/** The 1-based line and column of the first error in `text`, or undefined when it is valid. */
export function jsonErrorLocation(text: string): { line: number; column: number } | undefined {
  const at = jsonErrorOffset(text);
  if (at === undefined) return undefined;
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  return { line, column: at - before.lastIndexOf("\n") };
}

class Bad extends Error {
  constructor(readonly at: number) {
    super("bad json");
  }
}

/** The offset of the first error, or undefined. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r"))
      i++;
  };
  const expect = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) throw new Bad(i);
      i++;
    }
  };
  const str = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === "\\") {
        const n = text[i + 1];
        if (n === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Bad(i);
          i += 6;
        } else if (n !== undefined && '"\\/bfnrt'.includes(n)) i += 2;
        else throw new Bad(i);
        continue;
      }
      if (c < " ") throw new Bad(i);
      i++;
    }
    throw new Bad(i);
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) throw new Bad(i);
    i += m[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Bad(i);
        str();
        ws();
        expect(":");
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        expect("}");
        return;
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        expect("]");
        return;
      }
    }
    if (c === '"') {
      str();
      return;
    }
    if (c === "t") {
      expect("true");
      return;
    }
    if (c === "f") {
      expect("false");
      return;
    }
    if (c === "n") {
      expect("null");
      return;
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      num();
      return;
    }
    throw new Bad(i);
  };
  try {
    value();
    ws();
    if (i < text.length) throw new Bad(i);
    return undefined;
  } catch (e) {
    if (e instanceof Bad) return Math.min(e.at, text.length);
    throw e;
  }
}

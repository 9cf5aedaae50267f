import { describe, expect, it } from "vitest";
import { readInputHead, replayHead } from "./flow-head.js";

/** An iterator over `chunks` that counts how many were taken. */
function source(chunks: string[]) {
  const taken = { n: 0 };
  const it: AsyncIterator<string> = {
    async next() {
      return taken.n < chunks.length
        ? { done: false, value: chunks[taken.n++] }
        : { done: true, value: undefined };
    },
  };
  return { it, taken };
}

async function all(gen: AsyncIterable<string>): Promise<string> {
  let s = "";
  for await (const c of gen) s += c;
  return s;
}

const limits = { lines: 3, maxLine: 8, maxChars: 1000 };

describe("readInputHead", () => {
  it("stops at the wanted non-blank lines (blank ones kept), cuts \\r and long lines; replay gives back every character", async () => {
    const chunks = ["a\r\n\nb", "bb\r\n0123456789ABC\nd\n", "e\nf\n"];
    const { it, taken } = source(chunks);
    const head = await readInputHead(it, limits);
    expect(head.lines).toEqual(["a", "", "bbb", "01234567"]);
    expect(head.longLine).toBe(4);
    expect(head.ended).toBe(false);
    expect(taken.n).toBe(2);
    expect(await all(replayHead(head, it))).toBe(chunks.join(""));
  });

  it("a last line without a newline counts; an input ending early is marked ended", async () => {
    const { it } = source(["x\n", "y"]);
    const head = await readInputHead(it, limits);
    expect(head).toMatchObject({ lines: ["x", "y"], ended: true });
    expect(await all(replayHead(head, it))).toBe("x\ny");
  });

  it("stops at the text cap inside a line: that line's start is kept when it is cut or all there is", async () => {
    const long = source(["{", "a".repeat(400), "a".repeat(400), "a".repeat(400), "never read"]);
    const head = await readInputHead(long.it, limits);
    expect(head.lines).toEqual(["{aaaaaaa"]);
    expect(long.taken.n).toBe(4);
    const short = source(["x\n", "y".repeat(5), " ".repeat(1000), "never read"]);
    const cut = await readInputHead(short.it, { ...limits, maxLine: 10_000 });
    expect(cut.lines).toEqual(["x"]);
    expect(cut.ended).toBe(false);
  });
});

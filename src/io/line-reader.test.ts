import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { capText, type LineLimit, OVERLONG_LINE, readLineBatches } from "./line-reader.js";

/** The lines read from stdin made of these chunks. */
async function linesOf(chunks: string[], limit?: LineLimit): Promise<string[]> {
  const out: string[] = [];
  for await (const b of readLineBatches("-", Readable.from(chunks), limit)) out.push(...b);
  return out;
}

describe("readLineBatches", () => {
  it("joins a line split over several chunks, cuts CR, keeps blank lines, no phantom last line", async () => {
    expect(await linesOf(["ab", "cd\r\nef", "g\n\nh", "i\n"])).toEqual(["abcd", "efg", "", "hi"]);
    expect(await linesOf(["x\ny"])).toEqual(["x", "y"]);
  });

  it("a line over the cap becomes OVERLONG_LINE, whether it spans chunks or sits inside one", async () => {
    const limit = { max: 5 };
    expect(await linesOf(["abc", "def", "gh\nok\n"], limit)).toEqual([OVERLONG_LINE, "ok"]);
    expect(await linesOf(["123456\nok\n12345\n"], limit)).toEqual([OVERLONG_LINE, "ok", "12345"]);
    // an over-long last line without a newline
    expect(await linesOf(["ok\n", "abc", "defgh"], limit)).toEqual(["ok", OVERLONG_LINE]);
  });

  it("a file without any newline ends as one OVERLONG_LINE (its text is not kept)", async () => {
    const chunks = Array.from({ length: 50 }, () => "a".repeat(1000));
    expect(await linesOf(chunks, { max: 10_000 })).toEqual([OVERLONG_LINE]);
  });

  it("the cap may change while reading: it applies to the lines that follow", async () => {
    const limit = { max: 100 };
    const out: string[] = [];
    const input = Readable.from(["short\n", "a".repeat(50), "\n", "b".repeat(50), "\n"]);
    for await (const b of readLineBatches("-", input, limit)) {
      out.push(...b);
      limit.max = 10;
    }
    expect(out).toEqual(["short", OVERLONG_LINE, OVERLONG_LINE]);
  });
});

describe("capText", () => {
  it("names a cap in MiB or KiB with its characters, and under 1 KiB in characters alone", () => {
    expect(capText(1024 * 1024)).toBe("1 MiB (1048576 characters)");
    expect(capText(64 * 1024 * 1024 + 100_000)).toBe("64.1 MiB (67208864 characters)");
    expect(capText(2048)).toBe("2 KiB (2048 characters)");
    expect(capText(1200)).toBe("1.2 KiB (1200 characters)");
    expect(capText(52)).toBe("52 characters");
  });
});

import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { prng } from "../../bench/prng.js";
import { capText, decodeUtf8, type LineLimit, OVERLONG_LINE, readLineBatches } from "./line-reader.js";

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

describe("decodeUtf8", () => {
  async function decoded(chunks: (Uint8Array | string)[]): Promise<string> {
    let out = "";
    for await (const t of decodeUtf8(Readable.from(chunks))) out += t;
    return out;
  }

  it("gives a UTF-8 decoder's text however the bytes are cut, ASCII first or not", async () => {
    const texts = [
      "2 123 eni-1 10.0.0.1 10.0.0.2 443 40000 6 1 60 1700000000 1700000060 ACCEPT OK\n".repeat(40),
      `${"plain ascii line\n".repeat(30)}café → 東京 🚀 naïve\n${"more ascii\n".repeat(10)}`,
      "é at the start, then ascii\n",
    ];
    const next = prng(7);
    for (const text of texts) {
      const bytes = Buffer.from(text, "utf8");
      for (let trial = 0; trial < 200; trial++) {
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length; ) {
          const n = 1 + Math.floor(next() * 40);
          chunks.push(bytes.subarray(at, at + n));
          at += n;
        }
        expect(await decoded(chunks)).toBe(text);
      }
    }
  });

  it("reads invalid bytes and a file ending inside a character as U+FFFD, as the decoder does", async () => {
    const bad = [Buffer.from("ok "), Buffer.from([0xff, 0x41]), Buffer.from([0xe6, 0x9d])];
    expect(await decoded(bad)).toBe(Buffer.concat(bad).toString("utf8"));
    expect(await decoded(bad)).toBe("ok \uFFFDA\uFFFD");
    // a character cut short, then ASCII: the replacement comes where the bytes were
    const cut = [Buffer.from("ab"), Buffer.from([0xe6, 0x9d]), Buffer.from("tail\n")];
    expect(await decoded(cut)).toBe(Buffer.concat(cut).toString("utf8"));
    expect(await decoded(cut)).toBe("ab\uFFFDtail\n");
  });

  it("reads plain Uint8Array chunks (a web stream's) as bytes", async () => {
    const enc = new TextEncoder();
    expect(await decoded([enc.encode("hello\n"), enc.encode("café\n")])).toBe("hello\ncafé\n");
  });

  it("passes text chunks through", async () => {
    expect(await decoded(["ab", Buffer.from("cd"), "é"])).toBe("abcdé");
  });
});

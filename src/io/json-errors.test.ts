import { describe, expect, it } from "vitest";
import { jsonErrorLocation } from "./json-errors.js";

describe("jsonErrorLocation", () => {
  it.each([
    ['{"a": 1}', undefined],
    ['[1, 2.5e3, "x\\n", true, false, null, {"b": []}]', undefined],
    ['{\n  "a": inferred\n}', { line: 2, column: 8 }],
    ['{"a": [1, 2,]}', { line: 1, column: 13 }],
    ['{\n "a": 1,\n "b": "cut', { line: 3, column: 11 }],
    ['{"a": 1} x', { line: 1, column: 10 }],
    ['{"a": 01}', { line: 1, column: 8 }],
    ['{"a": "\\q"}', { line: 1, column: 8 }],
  ])("%s", (text, expected) => {
    expect(jsonErrorLocation(text)).toEqual(expected);
  });

  it("agrees with JSON.parse on what is valid", () => {
    for (const t of ['"x"', "0", "-1.5", "[]", "{}", '{"a":{"b":[null]}}', "[1,]", "{,}", "tru", '"\u0001"'])
      expect(jsonErrorLocation(t) === undefined, t).toBe(
        (() => {
          try {
            JSON.parse(t);
            return true;
          } catch {
            return false;
          }
        })(),
      );
  });
});

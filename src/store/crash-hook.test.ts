import { afterEach, describe, expect, it } from "vitest";
import { CRASH_AT_ENV, crashPoint, parseCrashAt } from "./crash-hook.js";

describe("parseCrashAt", () => {
  it.each([
    ["rows:250", { point: "rows", n: 250 }],
    ["before-commit", { point: "before-commit", n: 1 }],
    ["after-commit:3", { point: "after-commit", n: 3 }],
    [" before-commit:2 ", { point: "before-commit", n: 2 }],
  ])("%j → %j", (spec, want) => {
    expect(parseCrashAt(spec)).toEqual(want);
  });

  it.each([
    "",
    "rows:",
    "rows:0",
    "rows:-1",
    "rows:1.5",
    "rows:99999999999999999999",
    "row:1",
    "ROWS:1",
    "commit:1",
    "before-commit:x",
    "after-commit:1:2",
    ":1",
  ])("rejects %j, naming the variable and the points", (spec) => {
    expect(() => parseCrashAt(spec)).toThrow(
      `${CRASH_AT_ENV}=${spec}: expected <point>[:<n>] with point rows | before-commit | after-commit, n >= 1`,
    );
  });
});

describe("crashPoint (without killing this process)", () => {
  const saved = process.env[CRASH_AT_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[CRASH_AT_ENV];
    else process.env[CRASH_AT_ENV] = saved;
  });

  it("is inert without the variable, and at points the variable does not name", () => {
    delete process.env[CRASH_AT_ENV];
    expect(() => crashPoint("before-commit")).not.toThrow();
    process.env[CRASH_AT_ENV] = "after-commit:1";
    expect(() => crashPoint("before-commit")).not.toThrow();
    expect(() => crashPoint("rows", 1000)).not.toThrow();
  });

  it("throws on a bad spec at the first point reached, so a typo cannot pass a crash test", () => {
    process.env[CRASH_AT_ENV] = "before-comit:1";
    expect(() => crashPoint("rows", 1)).toThrow(/MICROSEG_TEST_CRASH_AT=before-comit:1: expected/);
  });
});

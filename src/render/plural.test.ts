import { describe, expect, it } from "vitest";
import { listSome, plural } from "./plural.js";

describe("plural", () => {
  it("singular for exactly one, plural otherwise (zero included)", () => {
    expect(plural(1, "workload")).toBe("1 workload");
    expect(plural(0, "workload")).toBe("0 workloads");
    expect(plural(2, "malformed line")).toBe("2 malformed lines");
    expect(plural(1, "policy", "policies")).toBe("1 policy");
    expect(plural(3, "policy", "policies")).toBe("3 policies");
  });
  it("listSome cuts after max names and counts the rest", () => {
    expect(listSome(["a", "b"])).toBe("a, b");
    expect(listSome(["a", "b", "c", "d", "e"])).toBe("a, b, c and 2 more");
  });
});

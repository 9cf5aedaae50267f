/**
 * connectivity --focusworkload with a name that names no workload: netpol-analyzer's behaviour is
 * kept (a warning, an empty listing, exit 0), and the warning offers the closest valid names.
 */
import { describe, expect, it } from "vitest";
import { corpusPath } from "../helpers/corpus.js";
import { problemLines, run } from "./run.js";

const OB = corpusPath("netpol-analyzer", "tests", "onlineboutique");

describe("an unknown --focusworkload", () => {
  it("frontend (the pods' owner is ReplicaSet frontend-99684f7f8): warning with the closest name, exit 0", async () => {
    const r = await run(["connectivity", "--dir", OB, "--focusworkload", "frontend"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(problemLines(r.stderr)).toContain(
      "microseg: warning[data-missing]: workload frontend does not exist in the input resources; closest: frontend-99684f7f8 (default/frontend-99684f7f8[ReplicaSet])",
    );
  });

  it("a typo in ns/name is compared with namespace/name", async () => {
    const r = await run(["connectivity", "--dir", OB, "--focusworkload", "default/cartservce-74f56fd4b"]);
    expect(problemLines(r.stderr).join("\n")).toContain(
      "; closest: default/cartservice-74f56fd4b (default/cartservice-74f56fd4b[ReplicaSet])",
    );
  });

  it("nothing close: no suggestion", async () => {
    const r = await run(["connectivity", "--dir", OB, "--focusworkload", "zzzzzzzz"]);
    expect(problemLines(r.stderr)).toContain(
      "microseg: warning[data-missing]: workload zzzzzzzz does not exist in the input resources",
    );
  });

  it("the suggested name works", async () => {
    const r = await run(["connectivity", "--dir", OB, "--focusworkload", "frontend-99684f7f8"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "default/frontend-99684f7f8[ReplicaSet] => default/cartservice-74f56fd4b[ReplicaSet] : TCP 7070",
    );
  });
});

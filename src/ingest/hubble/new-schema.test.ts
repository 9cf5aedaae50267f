import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../test/helpers/corpus.js";
import { parseFile } from "../../../test/helpers/flow-parse.js";
import { flowDirection } from "../../graph/direction.js";
import { hubbleFormat } from "./parse.js";

/** Written here from the documented format (test/fixtures/flows/hubble/README.md). */
const SAMPLE = `${repoRoot()}/test/fixtures/flows/hubble/new-schema.jsonl`;

describe("Hubble new schema (uuid, emitter, workloads; sample written here)", () => {
  it("reads workloads, is_reply, POLICY_DENY and skips lost_events", () => {
    const r = parseFile(hubbleFormat, SAMPLE);
    expect(r.malformed).toHaveLength(0);
    expect(r.ignored.map((s) => s.reason)).toEqual(["lost_events record"]);
    const [req, reply, denied] = r.flows;
    expect(req.src.identity).toMatchObject({
      namespace: "shop",
      podName: "frontend-755cdc7957-pv8x5",
      workloadName: "frontend",
      workloadKind: "Deployment",
      serviceAccount: "frontend",
    });
    expect([flowDirection(req), flowDirection(reply)]).toEqual(["request", "reply"]);
    expect(denied).toMatchObject({ verdict: "dropped", dropReason: "POLICY_DENY", dst: { port: 7070 } });
  });
});

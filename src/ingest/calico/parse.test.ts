import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../test/helpers/corpus.js";
import { parseFile, parseText } from "../../../test/helpers/flow-parse.js";
import { detectFormat } from "../registry.js";
import { calicoFormat, ownerOfAggregate } from "./parse.js";

/** Written here from the documented format (see test/fixtures/flows/calico/README.md): no real sample exists. */
const SAMPLE = `${repoRoot()}/test/fixtures/flows/calico/flows.log`;

describe("Calico flow logs (sample written here from the documented format)", () => {
  it("is detected as calico", () => {
    expect(detectFormat(readFileSync(SAMPLE, "utf8").split("\n").slice(0, 10)).format?.name).toBe("calico");
  });

  it("counts each wep→wep flow once: the dst report, or the src report when it denied", () => {
    const r = parseFile(calicoFormat, SAMPLE);
    expect(r.malformed).toHaveLength(0);
    expect(r.ignored.map((s) => s.line)).toEqual([1, 5]);
    expect(r.flows.map((f) => [f.origin.line, f.verdict, f.direction, f.dst.port])).toEqual([
      [2, "forwarded", "ingress", 8080],
      [3, "forwarded", "ingress", 7070],
      [4, "forwarded", "egress", 443],
      [6, "dropped", "ingress", 5050],
      [7, "dropped", "egress", 22],
      [8, "forwarded", "ingress", 8080],
    ]);
  });

  it("names, namespaces and labels make pod identities; aggregated names give the owner", () => {
    const [lgFe, feCart, coPub, mtCo, fePvt, nodeFe] = parseFile(calicoFormat, SAMPLE).flows;
    expect(lgFe.src).toEqual({
      ip: "10.244.1.15",
      port: 46210,
      identity: {
        namespace: "hipstershop",
        podName: "loadgenerator-6d4b8c7f9c-7xk2p",
        labels: { app: "loadgenerator", "pod-template-hash": "6d4b8c7f9c" },
      },
    });
    expect(lgFe.dst.identity?.service).toEqual({ name: "frontend", namespace: "hipstershop" });
    expect(feCart.src).toEqual({
      identity: {
        namespace: "hipstershop",
        workloadName: "frontend",
        workloadKind: "Deployment",
        labels: { app: "frontend" },
      },
    });
    expect(coPub.dst).toEqual({ ip: "198.51.100.20", port: 443, identity: { entity: "world" } });
    expect(fePvt.dst).toEqual({ ip: "10.0.0.5", port: 22 });
    expect(nodeFe.src.identity).toEqual({ entity: "host", hints: { "calico.host-endpoint": "node-b" } });
    expect(mtCo).toMatchObject({
      dropReason:
        "denied by hipstershop/app-hipstershop.checkoutservice: end of tier app-hipstershop (implicit deny)",
      policies: ["1|app-hipstershop|hipstershop/app-hipstershop.checkoutservice|deny|-1"],
      time: 1714638000000,
      bytes: 74,
      packets: 1,
    });
    expect(fePvt.dropReason).toBe("denied by security.block-ssh rule 0");
  });

  it("derives owners from aggregated names", () => {
    expect(ownerOfAggregate("frontend-755cdc7957-*")).toEqual({ name: "frontend", kind: "Deployment" });
    expect(ownerOfAggregate("web-*")).toEqual({ name: "web" });
  });

  it("a bad action or a record without a source is malformed", () => {
    const r = parseText(
      calicoFormat,
      [
        '{"source_type":"wep","dest_type":"net","reporter":"src","action":"maybe"}',
        '{"source_type":"net","dest_type":"net","reporter":"src","action":"allow","source_name_aggr":"pvt"}',
      ].join("\n"),
    );
    expect(r.malformed.map((m) => m.reason)).toEqual([
      'action must be allow or deny, found "maybe"',
      "a flow log needs source_ip or a source name",
    ]);
  });
});

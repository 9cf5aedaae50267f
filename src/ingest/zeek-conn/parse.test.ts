import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpusPath } from "../../../test/helpers/corpus.js";
import { parseFile, parseText, tally } from "../../../test/helpers/flow-parse.js";
import { flowDirection } from "../../graph/direction.js";
import { detectFormat } from "../registry.js";
import { zeekConnFormat, zeekVerdict } from "./parse.js";

const zeek = (f: string) => corpusPath("flows", "zeek-conn", f);

/** SOURCE.md: records and conn_state mix per file. */
const STATES: Record<string, Record<string, number>> = {
  "zeek-cut-logs-conn.log": { SF: 5 },
  "btest-opt.basic-conn.log": { SF: 14, S0: 10, S1: 8, OTH: 2 },
  "btest-pop3.basic-conn.log": { SF: 5, REJ: 6 },
  "btest-ssh.basic-conn.log": { SF: 22, S0: 2, RSTR: 1 },
};

/** The btest baselines with their masked timestamps replaced by a real one (derived at test time). */
function unmasked(file: string): string {
  return readFileSync(zeek(file), "utf8").replaceAll("XXXXXXXXXX.XXXXXX", "1329843175.736107");
}

describe("Zeek conn.log: real samples", () => {
  it("every sample is detected as zeek-conn", () => {
    for (const f of [...Object.keys(STATES), "btest-core.tunnels.teredo-conn.log"]) {
      const d = detectFormat(readFileSync(zeek(f), "utf8").split("\n").slice(0, 10));
      expect(d.format?.name, f).toBe("zeek-conn");
    }
  });

  it("zeek-cut-logs: 5 SF ftp-data connections with real times, columns by #fields (no local_resp)", () => {
    const r = parseFile(zeekConnFormat, zeek("zeek-cut-logs-conn.log"));
    expect(r.flows).toHaveLength(5);
    expect(r.flows[0]).toMatchObject({
      time: 1329843175736,
      src: { ip: "141.142.220.235", port: 37604 },
      dst: { ip: "199.233.217.249", port: 56666 },
      protocol: "TCP",
      verdict: "forwarded",
      rawVerdict: "SF",
      isReply: false,
      bytes: 342,
      packets: 8,
    });
    // an originator's ephemeral → ephemeral connection is a request because Zeek says who originated
    expect(flowDirection(r.flows[0])).toBe("request");
  });

  it("masked timestamps are malformed records with their line, never a crash", () => {
    const r = parseFile(zeekConnFormat, zeek("btest-opt.basic-conn.log"));
    expect(r.flows).toHaveLength(0);
    expect(r.malformed).toHaveLength(34);
    expect(r.malformed[0]).toMatchObject({
      line: 10,
      reason: 'ts must be epoch seconds, found "XXXXXXXXXX.XXXXXX" (masked or unset)',
    });
  });

  for (const [file, states] of Object.entries(STATES)) {
    it(`${file}: record count and conn_state mix match SOURCE.md`, () => {
      const r = parseText(zeekConnFormat, unmasked(file), file);
      expect(r.malformed).toHaveLength(0);
      expect(tally(r.flows, (f) => f.rawVerdict)).toEqual(states);
    });
  }

  it("maps states to verdicts: REJ dropped, TCP S0 unknown, UDP S0 forwarded, OTH leaves direction to ports", () => {
    const pop3 = parseText(zeekConnFormat, unmasked("btest-pop3.basic-conn.log")).flows;
    expect(tally(pop3, (f) => f.verdict)).toEqual({ forwarded: 5, dropped: 6 });
    expect(pop3.find((f) => f.rawVerdict === "REJ")?.dropReason).toBe(
      "REJ: connection attempt rejected (RST)",
    );
    const opt = parseText(zeekConnFormat, unmasked("btest-opt.basic-conn.log")).flows;
    const s0 = opt.filter((f) => f.rawVerdict === "S0");
    expect(tally(s0, (f) => `${f.protocol} ${f.verdict}`)).toEqual({ "UDP forwarded": 10 });
    expect(
      ["S0", "SH", "RSTOS0", "REJ", "SF", "OTH", "RSTRH"].map((st) => zeekVerdict(st, "TCP").verdict),
    ).toEqual(["unknown", "unknown", "unknown", "dropped", "forwarded", "forwarded", "forwarded"]);
    for (const f of opt.filter((x) => x.rawVerdict === "OTH")) expect(f.isReply).toBeUndefined();
  });

  it("teredo: 21 records, IPv6 and ICMP without ports, tunnel parents do not break columns", () => {
    const r = parseText(zeekConnFormat, unmasked("btest-core.tunnels.teredo-conn.log"));
    expect(r.malformed).toHaveLength(0);
    expect(r.flows).toHaveLength(21);
    expect(r.flows.some((f) => f.src.ip?.includes(":"))).toBe(true);
    for (const f of r.flows.filter((x) => x.protocol.startsWith("ICMP"))) expect(f.dst.port).toBeUndefined();
  });
});

describe("Zeek conn.log: JSON and broken input", () => {
  it("reads JSON records (epoch and ISO 8601 ts)", () => {
    const text = [
      '{"ts":1329843175.736107,"uid":"CjhGID4nQcgTWjvg4c","id.orig_h":"10.0.0.1","id.orig_p":40000,"id.resp_h":"10.0.0.2","id.resp_p":443,"proto":"tcp","conn_state":"SF","orig_bytes":10,"resp_bytes":20,"orig_pkts":1,"resp_pkts":2}',
      '{"ts":"2012-02-21T16:52:55.736107Z","uid":"C2","id.orig_h":"10.0.0.1","id.orig_p":5353,"id.resp_h":"224.0.0.251","id.resp_p":5353,"proto":"udp","conn_state":"S0"}',
    ].join("\n");
    expect(zeekConnFormat.detect(text.split("\n"))).toBe(1);
    const r = parseText(zeekConnFormat, text);
    expect(r.flows.map((f) => [f.time, f.dst.port, f.verdict, f.bytes])).toEqual([
      [1329843175736, 443, "forwarded", 30],
      [1329843175736, 5353, "forwarded", undefined],
    ]);
  });

  it("a record before #fields, a short row and a missing address are malformed", () => {
    const fields = "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state";
    const r = parseText(
      zeekConnFormat,
      [
        "1.0\tC1\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\tSF",
        fields,
        "1.0\tC1\t10.0.0.1",
        "1.0\tC1\t-\t1\t10.0.0.2\t2\ttcp\tSF",
      ].join("\n"),
    );
    expect(r.malformed.map((m) => [m.line, m.reason])).toEqual([
      [1, "a TSV record before the #fields header line"],
      [3, "expected 8 columns (#fields), found 3"],
      [4, "a conn record needs id.orig_h and id.resp_h"],
    ]);
  });
});

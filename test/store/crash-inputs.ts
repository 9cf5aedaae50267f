/**
 * The inputs of the crash suite (./crash-support.ts): three files a run ingests in order, and what
 * the clean runs over them must show so that a case can tell a lost or doubled file.
 *
 * - {@link vpcInputs}: small AWS VPC logs from the bench generator (edges and workloads only; the
 *   bulk path can read them).
 * - {@link l7Inputs}: the real Hubble captures (../shared/corpus/flows/hubble, read in place),
 *   cut and joined by this module into three JSON-lines files in the test's scratch directory, so
 *   that every file carries HTTP requests and DNS queries (store L7 rows) and the 2nd one is
 *   written in several parts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateVpc } from "../../bench/ingest/generate.js";
import { corpusPath } from "../helpers/corpus.js";

/** The totals a crash case compares first (see `totals` in ./crash-support.ts). */
export type TotalKey =
  | "files"
  | "records"
  | "edges"
  | "flows"
  | "bytes"
  | "packets"
  | "workloads"
  | "httpRows"
  | "httpRequests"
  | "dnsRows"
  | "dnsRecords";

/** A set of three input files and what clean runs over them must show. */
export interface CrashInputs {
  /** Writes the files into `dir`; returns their paths in ingest order. */
  write(dir: string): Promise<string[]>;
  /** Totals each file must add to (the 1st file's against an empty store). */
  grows: readonly TotalKey[];
  /** Records the 1st file must hold more than (so most of it was parsed). */
  firstRecordsOver: number;
}

/** Records per generated VPC file (small: a run takes well under a second). */
const VPC_RECORDS = 3000;

/** Three generated AWS VPC files of different seeds. */
export const vpcInputs: CrashInputs = {
  async write(dir) {
    const files = [0, 1, 2].map((i) => join(dir, `vpc-${i}.log`));
    for (const [i, f] of files.entries()) await generateVpc(f, VPC_RECORDS, 11 + i);
    return files;
  },
  grows: ["records", "flows", "bytes", "packets"],
  firstRecordsOver: VPC_RECORDS / 2,
};

/** The lines of a Hubble capture of the corpus (`hubble-otel-basic-sample-<name>-flows.jsonl`). */
function captureLines(name: string): string[] {
  const file = corpusPath("flows", "hubble", `hubble-otel-basic-sample-${name}-flows.jsonl`);
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
}

/**
 * Three Hubble files with HTTP and DNS records, written here from the corpus captures:
 *
 * 1. the 2021-11-10 kind capture's TCP and UDP files (bookinfo HTTP requests, DNS queries);
 * 2. the first halves of the 2021-10-04 GKE HTTP and DNS captures around the L7-redirected and
 *    10-flow captures (about 1.07 MB, over one 1 MiB read batch): with small --chunk-rows its
 *    rows go out in many writes, and a kill can fall between two writes of its L7 rows;
 * 3. the second halves of the HTTP and DNS captures with the ICMP capture: many of its HTTP and
 *    DNS keys are those of the 2nd file in the same hours, so a doubled or lost row of either file
 *    changes the summed counts.
 */
export const l7Inputs: CrashInputs = {
  async write(dir) {
    const http = captureLines("348-http");
    const dns = captureLines("330-dns");
    const halfHttp = Math.ceil(http.length / 2);
    const halfDns = Math.ceil(dns.length / 2);
    const parts = [
      [...captureLines("400-tcp"), ...captureLines("400-udp")],
      [
        ...http.slice(0, halfHttp),
        ...captureLines("400-l7-redirected"),
        ...captureLines("10"),
        ...dns.slice(0, halfDns),
      ],
      [...http.slice(halfHttp), ...dns.slice(halfDns), ...captureLines("400-icmpv4")],
    ];
    return parts.map((lines, i) => {
      const file = join(dir, `hubble-l7-${i}.jsonl`);
      writeFileSync(file, `${lines.join("\n")}\n`);
      return file;
    });
  },
  grows: ["records", "flows", "httpRequests", "dnsRecords"],
  firstRecordsOver: 799,
};

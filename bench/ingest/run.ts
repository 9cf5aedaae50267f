/**
 * The ingest benchmark: generates (once, seeded) a VPC flow log and a Hubble file, then times in
 * the same run, on the same warm files:
 *   - `cat FILE > /dev/null` (the disk/page-cache floor),
 *   - DuckDB's own `read_csv(...) GROUP BY srcaddr, dstaddr, dstport, protocol, action` (reference),
 *   - `microseg ingest` into a fresh DuckDB store with identity resolution (bulk SQL path for VPC),
 *   - `microseg ingest --no-bulk` (the streaming parser + aggregator) and the streaming parse alone,
 *   - the same for the Hubble file (streaming only).
 * Each command is its own process, timed with /usr/bin/time (wall seconds, peak RSS); the DuckDB
 * reference runs in a plain `node` process like the compiled CLI. Prints MB/s, records/s, peak RSS
 * and speed ratios against `cat` and against the DuckDB query; no thresholds are asserted.
 * `--shape independent` uses the high-cardinality VPC shape (nearly one hourly group per record).
 *
 * The reference query and the bulk ingest run alternately `--runs` times (default 5) and their
 * median runs are reported; the other steps run once.
 *
 * Usage: npm run bench:ingest [-- --records 10000000 --hubble-records 1000000 --dir DIR --shape estate --runs 5]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateHubble, generateInventoryYaml, generateVpc, type VpcShape } from "./generate.js";
import { REFERENCE_JS, referenceSql } from "./plain-query.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const records = Number(arg("records", "10000000"));
const hubbleRecords = Number(arg("hubble-records", String(Math.round(records / 10))));
const dir = resolve(arg("dir", join(tmpdir(), "microseg-bench-ingest")));
const shape = arg("shape", "estate") as VpcShape;
const runs = Math.max(1, Number(arg("runs", "5")));
const root = resolve(import.meta.dirname, "../..");
const cli = join(root, "dist/cli/bin.js");
const tsx = ["--import", "tsx"];

interface Timed {
  secs: number;
  rssMb: number;
  stdout: string;
}

function timed(cmd: string[]): Timed {
  const r = spawnSync("/usr/bin/time", ["-f", "TIME %e %M", ...cmd], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const m = /TIME ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m)
    throw new Error(`${cmd.join(" ")} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return { secs: Number(m[1]), rssMb: Number(m[2]) / 1024, stdout: r.stdout };
}

async function ensureInputs(): Promise<{ vpc: string; hubble: string; inventory: string }> {
  mkdirSync(dir, { recursive: true });
  const vpc = join(dir, `${shape === "estate" ? "" : `${shape}-`}vpc-${records}.log`);
  const hubble = join(dir, `hubble-${hubbleRecords}.jsonl`);
  const inventory = join(dir, "inventory.yaml");
  if (!existsSync(vpc)) {
    process.stderr.write(`generating ${vpc} …\n`);
    await generateVpc(`${vpc}.tmp`, records, 1, shape);
    spawnSync("mv", [`${vpc}.tmp`, vpc]);
  }
  if (!existsSync(hubble)) {
    process.stderr.write(`generating ${hubble} …\n`);
    await generateHubble(`${hubble}.tmp`, hubbleRecords);
    spawnSync("mv", [`${hubble}.tmp`, hubble]);
  }
  writeFileSync(inventory, generateInventoryYaml());
  return { vpc, hubble, inventory };
}

function ingest(file: string, inventory: string, extra: string[] = []): Timed {
  const store = join(dir, "bench.duckdb");
  rmSync(store, { force: true });
  rmSync(`${store}.wal`, { force: true });
  return timed([
    "node",
    cli,
    "ingest",
    "--flows",
    file,
    "--inventory",
    inventory,
    "--store",
    store,
    "-o",
    "json",
    ...extra,
  ]);
}

const mb = (bytes: number) => bytes / 1e6;

/** The run with the median time (its own RSS and output), of an odd or even number of runs. */
function median(ts: Timed[]): Timed {
  return [...ts].sort((a, b) => a.secs - b.secs)[Math.floor((ts.length - 1) / 2)];
}
const fmt = (n: number, d = 1) => n.toFixed(d);

async function main(): Promise<void> {
  const { vpc, hubble, inventory } = await ensureInputs();
  const vpcBytes = statSync(vpc).size;
  const hubbleBytes = statSync(hubble).size;
  const rows: string[][] = [];
  const ratio = (t: Timed, ref?: Timed) => (ref ? `${fmt(ref.secs / t.secs, 2)}×` : "");
  const add = (name: string, t: Timed, bytes: number, recs: number, cat: Timed, query?: Timed) =>
    rows.push([
      name,
      fmt(t.secs, 2),
      fmt(mb(bytes) / t.secs, 0),
      fmt(recs / t.secs / 1e6, 2),
      fmt(t.rssMb, 0),
      t === cat ? "" : ratio(t, cat),
      ratio(t, query),
    ]);

  timed(["sh", "-c", `cat '${vpc}' '${hubble}' > /dev/null`]); // warm the page cache
  const catVpc = timed(["sh", "-c", `cat '${vpc}' > /dev/null`]);
  // the reference and the bulk ingest run in turn, `runs` times each; their medians are reported
  // (one run of either moves with the machine's load; alternating keeps the two under the same load)
  const plains: Timed[] = [];
  const bulks: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    plains.push(timed(["node", "--input-type=module", "-e", REFERENCE_JS, referenceSql(vpc)]));
    bulks.push(ingest(vpc, inventory));
  }
  const pairRatios = plains.map((p, i) => p.secs / bulks[i].secs).sort((a, b) => a - b);
  const pairRatio = pairRatios[Math.floor((pairRatios.length - 1) / 2)];
  const plain = median(plains);
  const bulk = median(bulks);
  const bulkSummary = JSON.parse(bulk.stdout);
  const vpcRecords = bulkSummary.counts.records as number;
  const streamIngest = ingest(vpc, inventory, ["--no-bulk"]);
  const parse = timed(["node", ...tsx, "bench/ingest/parse-only.ts", vpc, "aws-vpc"]);
  const parseSecs = Number(parse.stdout.trim().split(" ")[2]);

  const catHubble = timed(["sh", "-c", `cat '${hubble}' > /dev/null`]);
  const hubbleIngest = ingest(hubble, inventory);
  const hubbleRecs = JSON.parse(hubbleIngest.stdout).counts.records as number;
  const hubbleParse = timed(["node", ...tsx, "bench/ingest/parse-only.ts", hubble, "hubble"]);
  const hubbleParseSecs = Number(hubbleParse.stdout.trim().split(" ")[2]);

  add("cat vpc > /dev/null", catVpc, vpcBytes, vpcRecords, catVpc);
  add("duckdb read_csv GROUP BY (reference)", plain, vpcBytes, vpcRecords, catVpc, plain);
  add("microseg ingest vpc (bulk SQL + identities)", bulk, vpcBytes, vpcRecords, catVpc, plain);
  add("microseg ingest vpc --no-bulk (streaming)", streamIngest, vpcBytes, vpcRecords, catVpc, plain);
  const parseRow = { ...parse, secs: parseSecs };
  add("streaming parse vpc (one core, in-process time)", parseRow, vpcBytes, vpcRecords, catVpc, plain);
  add("cat hubble > /dev/null", catHubble, hubbleBytes, hubbleRecs, catHubble);
  add("microseg ingest hubble (streaming)", hubbleIngest, hubbleBytes, hubbleRecs, catHubble);
  const hubbleParseRow = { ...hubbleParse, secs: hubbleParseSecs };
  add(
    "streaming parse hubble (one core, in-process time)",
    hubbleParseRow,
    hubbleBytes,
    hubbleRecs,
    catHubble,
  );

  const header = [
    "step",
    "seconds",
    "MB/s",
    "Mrec/s",
    "peak RSS MB",
    "speed vs cat",
    "speed vs duckdb query",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  process.stdout.write(
    [
      `VPC (${shape}): ${fmt(mb(vpcBytes), 0)} MB, ${vpcRecords} records; Hubble: ${fmt(mb(hubbleBytes), 0)} MB, ${hubbleRecs} records; ${bulkSummary.unresolvedAddresses} unresolved addresses`,
      line(header),
      line(widths.map((w) => "-".repeat(w))),
      ...rows.map(line),
      "",
      `goals: bulk ≥ 0.7× duckdb query: ${fmt(pairRatio, 2)}× (median of ${runs} alternating pairs, from ${fmt(pairRatios[0], 2)}× to ${fmt(pairRatios[pairRatios.length - 1], 2)}×); streaming parse ≥ 100 MB/s: ${fmt(mb(vpcBytes) / parseSecs, 0)} MB/s; peak RSS ≤ 1024 MB: ${fmt(Math.max(bulk.rssMb, streamIngest.rssMb, hubbleIngest.rssMb), 0)} MB`,
      "",
    ].join("\n"),
  );
}

await main();

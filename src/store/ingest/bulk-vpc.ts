/**
 * Bulk ingest of AWS VPC flow-log text files into DuckDB: DuckDB reads the file itself
 * (`read_csv` with the header's columns, `.gz` included) and aggregates it to the hourly grain in
 * one scan; identities are resolved on those groups as an interval join against a bindings table
 * (exact where a binding changes inside an hour: see ./bulk-vpc-sql.ts), and the final hourly
 * rows are inserted, all inside the file's transaction.
 *
 * The SQL mirrors the streaming path exactly (src/ingest/aws-vpc/parse.ts, src/graph/build.ts
 * flowRole, src/graph/direction.ts; test/store/bulk-vpc.test.ts compares the two): `pkt-*`
 * addresses win; ACCEPT → forwarded, REJECT → dropped, other log-status/action → ignored;
 * SYN without ACK is a request, SYN+ACK a reply, else the port rules; same address at both ends is
 * same-pod; requests without a TCP/UDP/SCTP destination port make no edge. Addresses without a
 * binding become `cidr:<ip>/32` or a named network. Identities learned from Hubble files of the
 * same run are not used here (the inventory's bindings are).
 */
import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import { hostCidrId, type IdentityResolver } from "../../identity/resolve.js";
import { parseFieldList, VPC_DEFAULT_FIELDS } from "../../ingest/aws-vpc/fields.js";
import { ianaProtocolName } from "../../ingest/common.js";
import type { FlowParserOptions } from "../../ingest/types.js";
import { type NetworkNamer, networkId } from "../../inventory/static/networks.js";
import type { AddressBinding } from "../../inventory/types.js";
import type { MapWorkload } from "../../model/map.js";
import { fail } from "../../model/problems.js";
import { isOutsidePeer } from "../../model/workload.js";
import type { AggregateCounts } from "../aggregate.js";
import { DuckDbFileWriter } from "../duckdb/writer.js";
import { SUM_PAST_SAFE } from "../rows.js";
import type { Store } from "../types.js";
import {
  ADDRESSES_SQL,
  FINAL_SQL,
  ID_CODES_SQL,
  INLINE_SPLIT_PAIRS,
  INSERT_SQL,
  PAST_SAFE_GROUPS_SQL,
  PAST_SAFE_ROWS_SQL,
  ROLE_CODES,
  SELF_PEER_SQL,
  SPLIT_SQL,
  type SplitMode,
  stageSql,
  UNBOUND_SQL,
  vpcReadCsv,
} from "./bulk-vpc-sql.js";
import { emptyCounts, type SkippedLine } from "./summary.js";

/** Options of one bulk load. */
export interface BulkVpcOptions {
  store: Store;
  file: string;
  /** The file's content hash; may still be computing while DuckDB scans the file. */
  hash: Promise<string>;
  /** The first non-blank lines (the header, when there is one). */
  head: readonly string[];
  bindings: readonly AddressBinding[];
  networks: NetworkNamer;
  resolver: IdentityResolver;
  parserOptions?: FlowParserOptions;
  /** A malformed line is fatal (nothing of the file is written). */
  strict?: boolean;
  now?: () => number;
  /** Split pairs written into the scan's SQL before it joins them instead (tests set 0 to force the join). */
  inlineSplitPairs?: number;
}

/** What a bulk load did. */
export interface BulkVpcResult {
  hash: string;
  /** The store already held this content (under another path): nothing was written. */
  duplicate: boolean;
  counts: AggregateCounts;
  unresolved: Map<string, string>;
  /** Malformed lines (DuckDB's rejects, one per line). */
  skipped: SkippedLine[];
  /** Records without a flow (NODATA, SKIPDATA, no action). */
  ignored: number;
}

const FAR = 9_000_000_000_000_000;

/** The column layout: header fields (header line skipped), `--vpc-fields`, or the default v2 order. */
export function vpcColumns(
  head: readonly string[],
  opts?: FlowParserOptions,
): { fields: string[]; header: boolean } {
  const fromHeader = head.length ? parseFieldList(head[0]) : undefined;
  if (fromHeader && /^[a-z$]/.test(head[0])) return { fields: fromHeader, header: true };
  if (opts?.vpcFields) {
    const f = parseFieldList(opts.vpcFields);
    if (!f)
      fail(
        "usage",
        `--vpc-fields must list VPC flow-log field names, found ${JSON.stringify(opts.vpcFields)}`,
      );
    return { fields: f, header: false };
  }
  return { fields: [...VPC_DEFAULT_FIELDS], header: false };
}

async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
}

/** Ids as integer codes for the aggregation (`bulk_ids` in SQL). */
class IdCodes {
  private readonly codes = new Map<string, number>();
  readonly ids: string[] = [];

  code(id: string): number {
    let c = this.codes.get(id);
    if (c === undefined) {
      c = this.ids.length;
      this.codes.set(id, c);
      this.ids.push(id);
    }
    return c;
  }
}

async function append(
  conn: DuckDBConnection,
  table: string,
  columns: string,
  fill: (a: DuckDBAppender) => void,
): Promise<void> {
  await conn.run(`CREATE TEMP TABLE ${table} (${columns})`);
  const a = await conn.createAppender(table, "main", "temp");
  try {
    fill(a);
    a.flushSync();
  } finally {
    a.closeSync();
  }
}

/** How the scan keeps record times where a binding changes inside an hour (`bulk_split`). */
async function splitMode(conn: DuckDBConnection, inlineMax: number): Promise<SplitMode> {
  await conn.run(SPLIT_SQL);
  const n = num((await rows(conn, "SELECT count(*) AS n FROM bulk_split"))[0]?.n);
  if (n === 0) return { kind: "none" };
  if (n > inlineMax) return { kind: "join" };
  const pairs = (await rows(conn, "SELECT ip, hour FROM bulk_split ORDER BY hour, ip")).map((r) => ({
    ip: String(r.ip),
    hour: num(r.hour),
  }));
  return { kind: "inline", pairs };
}

async function loadBindings(
  conn: DuckDBConnection,
  bindings: readonly AddressBinding[],
  codes: IdCodes,
): Promise<void> {
  await append(conn, "bulk_bindings", "ip VARCHAR, code INTEGER, lo BIGINT, hi BIGINT", (a) => {
    for (const b of bindings) {
      a.appendVarchar(b.ip);
      a.appendInteger(codes.code(b.workloadId));
      a.appendBigInt(BigInt(b.from ?? -FAR));
      a.appendBigInt(BigInt(b.to ?? FAR));
      a.endRow();
    }
  });
}

/**
 * Names every address of an edge or drop group (a named network or `cidr:<ip>/32`: its id when
 * no binding holds); returns the addresses that are unresolved at some group's time.
 */
async function nameAddresses(
  conn: DuckDBConnection,
  networks: NetworkNamer,
  codes: IdCodes,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const r of await rows(conn, ADDRESSES_SQL)) {
    const ip = String(r.ip);
    const net = networks.nameOf(ip);
    names.set(ip, net ? networkId(net) : hostCidrId(ip));
  }
  await append(conn, "bulk_names", "ip VARCHAR, code INTEGER", (a) => {
    for (const [ip, id] of names) {
      a.appendVarchar(ip);
      a.appendInteger(codes.code(id));
      a.endRow();
    }
  });
  const unresolved = new Map<string, string>();
  for (const r of await rows(conn, UNBOUND_SQL)) unresolved.set(String(r.ip), names.get(String(r.ip))!);
  return unresolved;
}

/** The protocol names flows carry, by IANA number (the streaming parser's names). */
async function loadProtocols(conn: DuckDBConnection): Promise<void> {
  await append(conn, "bulk_protocols", "pr INTEGER, name VARCHAR", (a) => {
    for (let n = 0; n < 256; n++) {
      a.appendInteger(n);
      a.appendVarchar(ianaProtocolName(n));
      a.endRow();
    }
  });
}

async function loadIds(conn: DuckDBConnection, codes: IdCodes): Promise<void> {
  await append(conn, "bulk_ids", "code INTEGER, id VARCHAR, outside BOOLEAN", (a) => {
    codes.ids.forEach((id, code) => {
      a.appendInteger(code);
      a.appendVarchar(id);
      a.appendBoolean(isOutsidePeer(id));
      a.endRow();
    });
  });
}

function num(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : Number(v ?? 0);
}

async function countRoles(conn: DuckDBConnection): Promise<{ counts: AggregateCounts; ignored: number }> {
  const c = emptyCounts();
  let ignored = 0;
  for (const r of await rows(conn, "SELECT role, sum(flows) AS n FROM bulk_g GROUP BY ALL")) {
    const n = num(r.n);
    const role = ROLE_CODES[num(r.role)];
    if (role === "ignored") {
      ignored += n;
      continue;
    }
    c.records += n;
    // the action is implied by the role: no action column → other-verdict, REJECT → dropped, else ACCEPT
    const verdict = role === "dropped" ? "dropped" : role === "other-verdict" ? "unknown" : "forwarded";
    c.byVerdict[verdict] = (c.byVerdict[verdict] ?? 0) + n;
    if (role === "edge") c.edgeRecords += n;
    else if (role === "dropped") c.droppedRecords += n;
    else if (role === "reply") c.repliesSkipped += n;
    else if (role === "same-pod") c.samePodSkipped += n;
    else if (role === "no-port") c.noPort += n;
    else c.otherVerdict += n;
  }
  const self = await rows(conn, SELF_PEER_SQL);
  c.selfPeerSkipped = num(self[0]?.n);
  return { counts: c, ignored };
}

async function rejected(conn: DuckDBConnection, file: string, layout: string): Promise<SkippedLine[]> {
  try {
    const r = await rows(
      conn,
      "SELECT line, min(error_message) AS error_message FROM reject_errors GROUP BY line ORDER BY line",
    );
    return r.map((x) => ({
      file,
      line: num(x.line),
      kind: "malformed" as const,
      reason: rejectReason(String(x.error_message), layout),
    }));
  } catch {
    return [];
  }
}

/**
 * DuckDB's reason for rejecting a line, in the streaming parser's words where it says the same
 * thing (a number field that is not a number, a wrong field count), so a line is reported alike
 * on both paths; any other reason is DuckDB's own.
 */
export function rejectReason(message: string, layout: string): string {
  const conversion = /^Error when converting column "([^"]+)"\. Could not convert string "(.*)" to '/.exec(
    message,
  );
  if (conversion)
    return `${conversion[1].replaceAll("_", "-")} must be a number or "-", found ${JSON.stringify(conversion[2])}`;
  const columns = /^Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (columns) return `expected ${columns[1]} fields (${layout}), found ${columns[2]}`;
  return message;
}

/** Loads one VPC text file into the store inside one transaction; commits it. */
export async function bulkIngestVpc(o: BulkVpcOptions): Promise<BulkVpcResult> {
  const writer = await o.store.beginFile();
  if (!(writer instanceof DuckDbFileWriter)) {
    await writer.abort();
    return fail("usage", "bulk VPC ingest needs the DuckDB store");
  }
  const conn = writer.connection;
  try {
    const { fields, header } = vpcColumns(o.head, o.parserOptions);
    const codes = new IdCodes();
    await loadBindings(conn, o.bindings, codes);
    const split = await splitMode(conn, o.inlineSplitPairs ?? INLINE_SPLIT_PAIRS);
    await conn.run(stageSql(vpcReadCsv(o.file, fields, header, true), fields, split));
    // past 2^53 the DOUBLE sums are not exact, nor would the store keep the count (nor does the streaming path)
    if (num((await rows(conn, PAST_SAFE_GROUPS_SQL))[0]?.n) > 0)
      fail("flow-malformed", SUM_PAST_SAFE, { file: o.file });
    const unresolved = await nameAddresses(conn, o.networks, codes);
    await loadIds(conn, codes);
    await loadProtocols(conn);
    await conn.run(FINAL_SQL);
    const { counts, ignored } = await countRoles(conn);
    await conn.run("DROP TABLE bulk_g"); // its space is needed by the insert
    if (num((await rows(conn, PAST_SAFE_ROWS_SQL))[0]?.n) > 0)
      fail("flow-malformed", SUM_PAST_SAFE, { file: o.file });
    await conn.run(INSERT_SQL);
    const ids = (await rows(conn, ID_CODES_SQL)).map((r) => codes.ids[num(r.code)]).sort();
    await writer.addWorkloads(ids.map((id) => workloadRecord(id, o.resolver, unresolved)));
    const layout = header
      ? "the header on line 1"
      : o.parserOptions?.vpcFields
        ? "--vpc-fields"
        : "the default v2 format";
    const skipped = await rejected(conn, o.file, layout);
    for (const t of ["bulk_final", "bulk_protocols", "bulk_ids", "bulk_names", "bulk_split", "bulk_bindings"])
      await conn.run(`DROP TABLE ${t}`);
    const hash = await o.hash;
    if (await o.store.hasFile(hash)) {
      await writer.abort();
      return { hash, duplicate: true, counts: emptyCounts(), unresolved: new Map(), skipped: [], ignored: 0 };
    }
    // --strict: the first malformed line fails the file (one already in the store is skipped above, as
    // the streaming path skips it before reading)
    if (o.strict && skipped.length > 0) {
      const l = skipped[0];
      fail("flow-malformed", l.reason, { file: l.file, line: l.line });
    }
    await writer.commit({
      hash,
      path: o.file,
      format: "aws-vpc",
      records: counts.records,
      ingestedAt: (o.now ?? Date.now)(),
    });
    return { hash, duplicate: false, counts, unresolved, skipped, ignored };
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

function workloadRecord(id: string, resolver: IdentityResolver, names: Map<string, string>): MapWorkload {
  if (!id.startsWith("external:")) return resolver.workload(id) as MapWorkload;
  const addresses = [...names.entries()].filter(([, v]) => v === id).map(([ip]) => ip);
  return { id, kind: "external", name: id.slice("external:".length), labels: {}, addresses };
}

/**
 * Bulk ingest of AWS VPC flow-log text files into DuckDB: DuckDB reads the file itself
 * (`read_csv` with the header's columns, `.gz` included) and resolves identities as an interval
 * join against a bindings table, all inside the file's transaction.
 *
 * The SQL mirrors the streaming path exactly (src/ingest/aws-vpc/parse.ts, src/graph/build.ts
 * flowRole, src/graph/direction.ts; test/store/bulk-vpc.test.ts compares the two): `pkt-*`
 * addresses win; ACCEPT → forwarded, REJECT → dropped, other log-status/action → ignored;
 * SYN without ACK is a request, SYN+ACK a reply, else the port rules; same address at both ends is
 * same-pod; requests without a TCP/UDP/SCTP destination port make no edge. Addresses without a
 * binding become `cidr:<ip>/32` or a named network. Identities learned from Hubble files of the
 * same run are not used here (the inventory's bindings are).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { hostCidrId, type IdentityResolver } from "../../identity/resolve.js";
import { parseFieldList, VPC_DEFAULT_FIELDS } from "../../ingest/aws-vpc/fields.js";
import { ianaProtocolName } from "../../ingest/common.js";
import type { FlowParserOptions } from "../../ingest/types.js";
import { type NetworkNamer, networkId } from "../../inventory/static/networks.js";
import type { AddressBinding } from "../../inventory/types.js";
import type { MapWorkload } from "../../model/map.js";
import { fail } from "../../model/problems.js";
import type { AggregateCounts } from "../aggregate.js";
import { DuckDbFileWriter } from "../duckdb/writer.js";
import type { Store } from "../types.js";
import { emptyCounts, type SkippedLine } from "./summary.js";

/** Options of one bulk load. */
export interface BulkVpcOptions {
  store: Store;
  file: string;
  hash: string;
  /** The first non-blank lines (the header, when there is one). */
  head: readonly string[];
  bindings: readonly AddressBinding[];
  networks: NetworkNamer;
  resolver: IdentityResolver;
  parserOptions?: FlowParserOptions;
  /** A malformed line is fatal (nothing of the file is written). */
  strict?: boolean;
  now?: () => number;
}

/** What a bulk load did. */
export interface BulkVpcResult {
  counts: AggregateCounts;
  unresolved: Map<string, string>;
  /** Malformed lines (DuckDB's rejects, one per line). */
  skipped: SkippedLine[];
  /** Records without a flow (NODATA, SKIPDATA, no action). */
  ignored: number;
}

const INT_COLUMNS = new Set(["srcport", "dstport", "protocol", "tcp-flags", "version", "traffic-path"]);
const BIGINT_COLUMNS = new Set(["packets", "bytes", "start", "end"]);
const FAR = 9_000_000_000_000_000;

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

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

/** `read_csv(...)` over the file with typed, underscored columns. */
export function vpcReadCsv(
  file: string,
  fields: readonly string[],
  header: boolean,
  rejects = false,
): string {
  const cols = fields
    .map((f) => {
      const type = INT_COLUMNS.has(f) ? "INTEGER" : BIGINT_COLUMNS.has(f) ? "BIGINT" : "VARCHAR";
      return `${sqlString(f.replaceAll("-", "_"))}: '${type}'`;
    })
    .join(", ");
  const reject = rejects ? ", store_rejects = true" : "";
  return `read_csv(${sqlString(file)}, delim = ' ', quote = '', escape = '', header = ${header}, auto_detect = false, nullstr = '-', columns = {${cols}}, ignore_errors = true${reject})`;
}

/** The protocol names flows carry, by IANA number (the streaming parser's names). */
function protocolValues(): string {
  const rows: string[] = [];
  for (let n = 0; n < 256; n++) rows.push(`(${n}, ${sqlString(ianaProtocolName(n))})`);
  return rows.join(", ");
}

/** The staging query: one scan of the file, roles, interval joins, hourly groups. */
function stageSql(readCsv: string, fields: readonly string[]): string {
  const has = (f: string) => fields.includes(f);
  const col = (f: string) => (has(f) ? f.replaceAll("-", "_") : "NULL");
  const sip = has("pkt-srcaddr") ? "coalesce(pkt_srcaddr, srcaddr)" : "srcaddr";
  const dip = has("pkt-dstaddr") ? "coalesce(pkt_dstaddr, dstaddr)" : "dstaddr";
  const okStatus = has("log-status") ? "log_status = 'OK'" : "true";
  const hasAction = has("action");
  const flags = has("tcp-flags") ? "CASE WHEN pr = 6 AND fl > 0 THEN fl ELSE 0 END" : "0";
  return `
CREATE TABLE bulk_stage AS
WITH v AS (
  SELECT ${sip} AS sip, ${dip} AS dip,
    CASE WHEN ${col("srcport")} BETWEEN 1 AND 65535 THEN ${col("srcport")} END AS sp,
    CASE WHEN ${col("dstport")} BETWEEN 1 AND 65535 THEN ${col("dstport")} END AS dp,
    ${col("protocol")} AS pr, ${col("tcp-flags")} AS fl, ${col("packets")} AS pk, ${col("bytes")} AS nbytes,
    ${col("start")} * 1000 AS t, ${col("action")} AS act, ${okStatus} AS ok
  FROM ${readCsv}
), r AS (
  SELECT *,
    CASE
      WHEN NOT coalesce(ok, false) OR ${hasAction ? "act IS NULL OR act NOT IN ('ACCEPT', 'REJECT') OR " : ""}sip IS NULL OR dip IS NULL THEN 'ignored'
      WHEN act IS NULL THEN 'other-verdict'
      WHEN act = 'REJECT' THEN 'dropped'
      WHEN (${flags}) & 2 = 2 AND (${flags}) & 16 = 16 THEN 'reply'
      WHEN (${flags}) & 2 = 0 AND sp IS NOT NULL AND dp IS NOT NULL
        AND ((sp < dp AND dp >= 32768) OR (sp < 1024 AND dp >= 1024)) THEN 'reply'
      WHEN sip = dip THEN 'same-pod'
      WHEN pr NOT IN (6, 17, 132) OR pr IS NULL OR dp IS NULL THEN 'no-port'
      ELSE 'edge'
    END AS role
  FROM v
), k AS (
  SELECT role, act,
    CASE WHEN role IN ('edge', 'dropped') THEN sip END AS sip,
    CASE WHEN role IN ('edge', 'dropped') THEN dip END AS dip,
    CASE WHEN role IN ('edge', 'dropped') THEN (coalesce(t, 0) // 3600000) * 3600000 END AS hour,
    CASE WHEN role IN ('edge', 'dropped') THEN pr END AS pr,
    CASE WHEN role IN ('edge', 'dropped') THEN coalesce(dp, 0) END AS port,
    coalesce(t, 0) AS t, coalesce(pk, 0) AS pk, coalesce(nbytes, 0) AS nbytes
  FROM r
)
SELECT k.role, k.act, k.hour, k.sip, k.dip, bs.workload_id AS sw, bd.workload_id AS dw, k.pr, k.port,
  count(*) AS flows, sum(k.nbytes) AS bytes, sum(k.pk) AS packets, min(k.t) AS first_seen, max(k.t) AS last_seen
FROM k
LEFT JOIN bulk_bindings bs ON bs.ip = k.sip AND k.t >= bs.lo AND k.t < bs.hi
LEFT JOIN bulk_bindings bd ON bd.ip = k.dip AND k.t >= bd.lo AND k.t < bd.hi
GROUP BY ALL`;
}

async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
}

async function loadBindings(conn: DuckDBConnection, bindings: readonly AddressBinding[]): Promise<void> {
  await conn.run("CREATE TEMP TABLE bulk_bindings (ip VARCHAR, workload_id VARCHAR, lo BIGINT, hi BIGINT)");
  const a = await conn.createAppender("bulk_bindings", "main", "temp");
  try {
    for (const b of bindings) {
      a.appendVarchar(b.ip);
      a.appendVarchar(b.workloadId);
      a.appendBigInt(BigInt(b.from ?? -FAR));
      a.appendBigInt(BigInt(b.to ?? FAR));
      a.endRow();
    }
    a.flushSync();
  } finally {
    a.closeSync();
  }
}

/** Names for the addresses without a binding: a named network or `cidr:<ip>/32`. */
async function nameAddresses(conn: DuckDBConnection, networks: NetworkNamer): Promise<Map<string, string>> {
  const ips = await rows(
    conn,
    `SELECT DISTINCT ip FROM (SELECT sip AS ip FROM bulk_stage WHERE sw IS NULL AND sip IS NOT NULL
      UNION ALL SELECT dip FROM bulk_stage WHERE dw IS NULL AND dip IS NOT NULL) ORDER BY ip`,
  );
  const names = new Map<string, string>();
  await conn.run("CREATE TEMP TABLE bulk_names (ip VARCHAR, id VARCHAR)");
  const a = await conn.createAppender("bulk_names", "main", "temp");
  try {
    for (const r of ips) {
      const ip = String(r.ip);
      const net = networks.nameOf(ip);
      const id = net ? networkId(net) : hostCidrId(ip);
      names.set(ip, id);
      a.appendVarchar(ip);
      a.appendVarchar(id);
      a.endRow();
    }
    a.flushSync();
  } finally {
    a.closeSync();
  }
  return names;
}

const OUTSIDE = "(s LIKE 'cidr:%' OR s LIKE 'external:%' OR s LIKE 'entity:%')";

/** The resolved rows, materialised once: addresses named, protocols named, roles to verdicts. */
function resolvedSql(): string {
  return `
CREATE TABLE bulk_resolved AS
SELECT hour, coalesce(sw, sn.id) AS s, coalesce(dw, dn.id) AS d,
  CASE WHEN bulk_stage.pr IS NULL THEN 'unknown' ELSE coalesce(p.name, 'PROTO-' || bulk_stage.pr) END AS protocol, port,
  CASE WHEN role = 'dropped' THEN 'dropped' ELSE 'forwarded' END AS verdict,
  flows, bytes, packets, first_seen, last_seen
FROM bulk_stage
LEFT JOIN bulk_names sn ON sn.ip = sip
LEFT JOIN bulk_names dn ON dn.ip = dip
LEFT JOIN (VALUES ${protocolValues()}) p(pr, name) ON p.pr = bulk_stage.pr
WHERE role IN ('edge', 'dropped')`;
}

function num(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : Number(v ?? 0);
}

async function countRoles(conn: DuckDBConnection): Promise<{ counts: AggregateCounts; ignored: number }> {
  const c = emptyCounts();
  let ignored = 0;
  for (const r of await rows(conn, "SELECT role, act, sum(flows) AS n FROM bulk_stage GROUP BY ALL")) {
    const n = num(r.n);
    const role = String(r.role);
    if (role === "ignored") {
      ignored += n;
      continue;
    }
    c.records += n;
    const verdict = r.act === "REJECT" ? "dropped" : r.act === "ACCEPT" ? "forwarded" : "unknown";
    c.byVerdict[verdict] = (c.byVerdict[verdict] ?? 0) + n;
    if (role === "edge") c.edgeRecords += n;
    else if (role === "dropped") c.droppedRecords += n;
    else if (role === "reply") c.repliesSkipped += n;
    else if (role === "same-pod") c.samePodSkipped += n;
    else if (role === "no-port") c.noPort += n;
    else if (role === "other-verdict") c.otherVerdict += n;
  }
  const self = await rows(
    conn,
    `SELECT coalesce(sum(flows), 0) AS n FROM bulk_resolved WHERE verdict <> 'dropped' AND s = d AND ${OUTSIDE}`,
  );
  c.selfPeerSkipped = num(self[0]?.n);
  return { counts: c, ignored };
}

async function rejected(conn: DuckDBConnection, file: string): Promise<SkippedLine[]> {
  try {
    const r = await rows(
      conn,
      "SELECT line, min(error_message) AS error_message FROM reject_errors GROUP BY line ORDER BY line",
    );
    return r.map((x) => ({
      file,
      line: num(x.line),
      kind: "malformed" as const,
      reason: String(x.error_message),
    }));
  } catch {
    return [];
  }
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
    await loadBindings(conn, o.bindings);
    await conn.run(stageSql(vpcReadCsv(o.file, fields, header, true), fields));
    const names = await nameAddresses(conn, o.networks);
    await conn.run(resolvedSql());
    const { counts, ignored } = await countRoles(conn);
    await conn.run(
      `INSERT INTO edges SELECT hour, s, d, protocol, port, verdict, sum(flows), sum(bytes), sum(packets),
         min(first_seen), max(last_seen)
       FROM bulk_resolved WHERE NOT (verdict <> 'dropped' AND s = d AND ${OUTSIDE}) GROUP BY ALL`,
    );
    const ids = await rows(
      conn,
      `SELECT DISTINCT id FROM (SELECT s AS id FROM bulk_resolved WHERE NOT (verdict <> 'dropped' AND s = d AND ${OUTSIDE})
        UNION ALL SELECT d FROM bulk_resolved WHERE NOT (verdict <> 'dropped' AND s = d AND ${OUTSIDE})) ORDER BY id`,
    );
    await writer.addWorkloads(ids.map((r) => workloadRecord(String(r.id), o.resolver, names)));
    const skipped = await rejected(conn, o.file);
    if (o.strict && skipped.length > 0) {
      const l = skipped[0];
      fail("flow-malformed", l.reason, { file: l.file, line: l.line });
    }
    await conn.run("DROP TABLE bulk_resolved");
    await conn.run("DROP TABLE bulk_stage");
    await writer.commit({
      hash: o.hash,
      path: o.file,
      format: "aws-vpc",
      records: counts.records,
      ingestedAt: (o.now ?? Date.now)(),
    });
    return { counts, unresolved: names, skipped, ignored };
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

/**
 * The SQL of the bulk VPC load (./bulk-vpc.ts): DuckDB reads the file itself and aggregates it to
 * the hourly grain in one scan, with the record roles of the streaming path in SQL; identities are
 * then resolved on the aggregated rows (a few per address and hour), not per record.
 *
 * Exactness of resolving aggregated rows: a group holds the records of one hour with the same
 * addresses, protocol and port. When neither address has a binding boundary strictly inside that
 * hour, every record of the group has the same bindings, so resolving the group at its first time
 * gives each record's identity. Where a boundary falls inside an hour (`bulk_split`: address ×
 * hour), the records of that address in that hour are grouped by their own time as well, so each
 * group again has one time and one binding.
 */

const INT_COLUMNS = new Set(["srcport", "dstport", "protocol", "tcp-flags", "version", "traffic-path"]);
const BIGINT_COLUMNS = new Set(["start", "end"]);
/** Counts: read unsigned (a minus sign makes the line malformed, as in the streaming parser; DuckDB still takes `-0`). */
const UBIGINT_COLUMNS = new Set(["packets", "bytes"]);

/**
 * The store keeps counts below 2^53 (its readers give JavaScript numbers; src/store/rows.ts refuses
 * more on every path). Below it, a sum of non-negative integers in a DOUBLE is exact: every partial
 * sum is at most the final one, so each addition's result is an integer under 2^53. The scan sums
 * bytes and packets as DOUBLE (cheaper than DuckDB's 128-bit integer sums); a group at or past the
 * limit fails the file.
 */
export const SAFE_COUNT_LIMIT = 2 ** 53;

/** Hours in milliseconds (the hourly grain). */
const HOUR = 3_600_000;

/** A single-quoted SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
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
      const type = INT_COLUMNS.has(f)
        ? "INTEGER"
        : BIGINT_COLUMNS.has(f)
          ? "BIGINT"
          : UBIGINT_COLUMNS.has(f)
            ? "UBIGINT"
            : "VARCHAR";
      return `${sqlString(f.replaceAll("-", "_"))}: '${type}'`;
    })
    .join(", ");
  const reject = rejects ? ", store_rejects = true" : "";
  return `read_csv(${sqlString(file)}, delim = ' ', quote = '', escape = '', header = ${header}, auto_detect = false, nullstr = '-', columns = {${cols}}, ignore_errors = true${reject})`;
}

/**
 * The address × hour pairs whose binding changes strictly inside the hour (a boundary on the hour
 * needs no split: the hour's records all fall on one side of it).
 */
export const SPLIT_SQL = `
CREATE TEMP TABLE bulk_split AS
SELECT DISTINCT ip, (b // ${HOUR}) * ${HOUR} AS hour FROM (
  SELECT ip, lo AS b FROM bulk_bindings UNION ALL SELECT ip, hi FROM bulk_bindings)
WHERE b % ${HOUR} <> 0 AND abs(b) < 8000000000000000`;

/** Record roles as small integers in SQL (cheap to group by); edges and drops make rows. */
export const ROLE_CODES = [
  "ignored",
  "other-verdict",
  "reply",
  "same-pod",
  "no-port",
  "dropped",
  "edge",
] as const;
const DROPPED = ROLE_CODES.indexOf("dropped");

/** Below this magnitude (about 35 000 years in ms), a DOUBLE quotient truncates to the exact hour. */
const DOUBLE_HOUR_LIMIT = 2 ** 50;

/**
 * The hour of a time in ms, as `(t // HOUR) * HOUR` (truncating, as DuckDB's integer division
 * does) but through a DOUBLE division where that is exact: a 64-bit integer division per record
 * cost the scan about 5% of its CPU. Exact: for |t| < 2^50 the quotient's distance from the next
 * integer (at least 1/HOUR) is larger than half a DOUBLE step at that size, so rounding the
 * division never crosses an integer; larger times take the integer division.
 */
export function hourOf(t: string): string {
  const x = `(${t})`;
  return `CASE WHEN ${x} > -${DOUBLE_HOUR_LIMIT} AND ${x} < ${DOUBLE_HOUR_LIMIT} THEN trunc(${x} / ${HOUR}.0)::BIGINT * ${HOUR} ELSE (${x} // ${HOUR}) * ${HOUR} END`;
}

/**
 * Where the scan keeps record times: nowhere (`none`: no binding changes inside an hour), for the
 * listed address × hour pairs written into the query (`inline`: a few, so each record costs an
 * integer comparison and, in those hours only, a set lookup), or by joining `bulk_split` (`join`:
 * many pairs, e.g. a long pod-churn history).
 */
export type SplitMode =
  | { kind: "none" }
  | { kind: "inline"; pairs: readonly { ip: string; hour: number }[] }
  | { kind: "join" };

/** Up to this many address × hour pairs are written into the scan's SQL; more are joined. */
export const INLINE_SPLIT_PAIRS = 2000;

/** `CASE WHEN hour = H AND (sip IN (…) OR dip IN (…)) THEN t … END` over the pairs, by hour. */
function inlineFine(pairs: readonly { ip: string; hour: number }[]): string {
  const byHour = new Map<number, string[]>();
  for (const p of pairs) byHour.set(p.hour, [...(byHour.get(p.hour) ?? []), sqlString(p.ip)]);
  const whens = [...byHour].map(([hour, ips]) => {
    const set = ips.join(", ");
    return `WHEN k.hour = ${hour} AND (k.sip IN (${set}) OR k.dip IN (${set})) THEN k.t`;
  });
  return `CASE ${whens.join(" ")} END`;
}

/**
 * The one scan: the file's records → (role, hour, addresses, protocol, port) groups with counts,
 * sums and first/last times. Only edge and drop records (role ≥ dropped) keep their key columns;
 * the others collapse into one group per role. `fine` keeps the record time where a binding
 * changes inside the hour (see SplitMode).
 */
export function stageSql(readCsv: string, fields: readonly string[], split: SplitMode): string {
  const has = (f: string) => fields.includes(f);
  const col = (f: string) => (has(f) ? f.replaceAll("-", "_") : "NULL");
  const sip = has("pkt-srcaddr") ? "coalesce(pkt_srcaddr, srcaddr)" : "srcaddr";
  const dip = has("pkt-dstaddr") ? "coalesce(pkt_dstaddr, dstaddr)" : "dstaddr";
  const okStatus = has("log-status") ? "log_status = 'OK'" : "true";
  const act = has("action") ? "action" : "NULL";
  const ignored = has("action")
    ? "NOT coalesce(ok, false) OR act IS NULL OR act NOT IN ('ACCEPT', 'REJECT') OR sip IS NULL OR dip IS NULL"
    : "NOT coalesce(ok, false) OR sip IS NULL OR dip IS NULL";
  const flags = has("tcp-flags") ? `CASE WHEN pr = 6 AND fl > 0 THEN fl ELSE 0 END` : "0";
  const code = (r: (typeof ROLE_CODES)[number]) => ROLE_CODES.indexOf(r);
  // a missing count is 0 (sum skips NULLs; a group of only NULLs sums to NULL)
  const sum = (c: string) => `coalesce(sum(${c}::DOUBLE), 0)`;
  const fine =
    split.kind === "join"
      ? "CASE WHEN s1.ip IS NOT NULL OR s2.ip IS NOT NULL THEN k.t END"
      : split.kind === "inline"
        ? inlineFine(split.pairs)
        : "CAST(NULL AS BIGINT)";
  const joins =
    split.kind === "join"
      ? `LEFT JOIN bulk_split s1 ON s1.ip = k.sip AND s1.hour = k.hour
LEFT JOIN bulk_split s2 ON s2.ip = k.dip AND s2.hour = k.hour`
      : "";
  return `
CREATE TEMP TABLE bulk_g AS
WITH v AS (
  SELECT ${sip} AS sip, ${dip} AS dip,
    CASE WHEN ${col("srcport")} BETWEEN 1 AND 65535 THEN ${col("srcport")} END AS sp,
    CASE WHEN ${col("dstport")} BETWEEN 1 AND 65535 THEN ${col("dstport")} END AS dp,
    ${col("protocol")} AS pr, ${col("tcp-flags")} AS fl, ${col("packets")} AS pk, ${col("bytes")} AS nbytes,
    coalesce(${col("start")}, 0) * 1000 AS t, ${act} AS act, ${okStatus} AS ok
  FROM ${readCsv}
), r AS (
  SELECT sip, dip, dp, pr, t, pk, nbytes,
    CASE
      WHEN ${ignored} THEN ${code("ignored")}
      WHEN act IS NULL THEN ${code("other-verdict")}
      WHEN act = 'REJECT' THEN ${code("dropped")}
      WHEN (${flags}) & 18 = 18 THEN ${code("reply")}
      WHEN (${flags}) & 2 = 0 AND sp IS NOT NULL AND dp IS NOT NULL
        AND ((sp < dp AND dp >= 32768) OR (sp < 1024 AND dp >= 1024)) THEN ${code("reply")}
      WHEN sip = dip THEN ${code("same-pod")}
      WHEN pr NOT IN (6, 17, 132) OR pr IS NULL OR dp IS NULL THEN ${code("no-port")}
      ELSE ${code("edge")}
    END::UTINYINT AS role
  FROM v
), k AS (
  SELECT role,
    CASE WHEN role >= ${DROPPED} THEN sip END AS sip,
    CASE WHEN role >= ${DROPPED} THEN dip END AS dip,
    CASE WHEN role >= ${DROPPED} THEN ${hourOf("t")} END AS hour,
    CASE WHEN role >= ${DROPPED} THEN pr END AS pr,
    CASE WHEN role >= ${DROPPED} THEN coalesce(dp, 0) END AS port,
    t, pk, nbytes
  FROM r
)
SELECT k.role, k.hour, k.sip, k.dip, k.pr, k.port, ${fine} AS fine,
  count(*) AS flows, ${sum("k.nbytes")} AS bytes, ${sum("k.pk")} AS packets, min(k.t) AS first_seen, max(k.t) AS last_seen
FROM k
${joins}
GROUP BY ALL`;
}

/** The addresses of edge and drop groups (named by ./bulk-vpc.ts: a few thousand). */
export const ADDRESSES_SQL = `
SELECT DISTINCT ip FROM (SELECT sip AS ip FROM bulk_g WHERE role >= ${DROPPED}
  UNION ALL SELECT dip FROM bulk_g WHERE role >= ${DROPPED}) ORDER BY ip`;

/** The addresses without a binding at some group's time (the unresolved ones). */
export const UNBOUND_SQL = `
SELECT DISTINCT x.ip FROM (
  SELECT sip AS ip, coalesce(fine, first_seen) AS t FROM bulk_g WHERE role >= ${DROPPED}
  UNION ALL SELECT dip, coalesce(fine, first_seen) FROM bulk_g WHERE role >= ${DROPPED}) x
LEFT JOIN bulk_bindings b ON b.ip = x.ip AND x.t >= b.lo AND x.t < b.hi
WHERE b.ip IS NULL
ORDER BY x.ip`;

/** When the group's records happen (one time for split groups; any time of the hour otherwise). */
const AT = "coalesce(g.fine, g.first_seen)";

/**
 * Groups → the store's hourly grain with ids as integer codes (`bulk_ids`): the workload bound to
 * each address at the group's time, else the address's name; summed per hour, ids, protocol,
 * port and verdict. Integer keys keep this aggregation small when groups are many.
 */
export const FINAL_SQL = `
CREATE TEMP TABLE bulk_final AS
SELECT g.hour, coalesce(bs.code, sn.code) AS s, coalesce(bd.code, dn.code) AS d, g.pr, g.port,
  g.role = ${DROPPED} AS dropped, sum(g.flows) AS flows, sum(g.bytes::HUGEINT) AS bytes,
  sum(g.packets::HUGEINT) AS packets,
  min(g.first_seen) AS first_seen, max(g.last_seen) AS last_seen
FROM bulk_g g
LEFT JOIN bulk_bindings bs ON bs.ip = g.sip AND ${AT} >= bs.lo AND ${AT} < bs.hi
LEFT JOIN bulk_bindings bd ON bd.ip = g.dip AND ${AT} >= bd.lo AND ${AT} < bd.hi
LEFT JOIN bulk_names sn ON sn.ip = g.sip
LEFT JOIN bulk_names dn ON dn.ip = g.dip
WHERE g.role >= ${DROPPED}
GROUP BY ALL`;

/** Groups whose bytes or packets reach {@link SAFE_COUNT_LIMIT} (the file is then refused). */
export const PAST_SAFE_GROUPS_SQL = `
SELECT count(*) AS n FROM bulk_g WHERE bytes >= ${SAFE_COUNT_LIMIT} OR packets >= ${SAFE_COUNT_LIMIT}`;

/** Hourly rows (sums of groups) whose bytes or packets reach {@link SAFE_COUNT_LIMIT}. */
export const PAST_SAFE_ROWS_SQL = `
SELECT count(*) AS n FROM bulk_final WHERE bytes >= ${SAFE_COUNT_LIMIT} OR packets >= ${SAFE_COUNT_LIMIT}`;

/** An outside peer talking to itself (never an edge, except drops), as src/graph's isSelfPeer. */
const SELF_PEER = "(NOT f.dropped AND f.s = f.d AND si.outside)";

/** Records whose edge is an outside peer talking to itself. */
export const SELF_PEER_SQL = `
SELECT coalesce(sum(f.flows), 0) AS n FROM bulk_final f JOIN bulk_ids si ON si.code = f.s WHERE ${SELF_PEER}`;

/**
 * Appends the hourly rows to the store's edges (inside the file's transaction). Protocol names
 * come from the `bulk_protocols` table (a VALUES list here made DuckDB build its hash table on the
 * big side and run out of memory instead of spilling).
 */
export const INSERT_SQL = `
INSERT INTO edges
SELECT f.hour, si.id, di.id, CASE WHEN f.pr IS NULL THEN 'unknown' ELSE coalesce(p.name, 'PROTO-' || f.pr) END,
  f.port, CASE WHEN f.dropped THEN 'dropped' ELSE 'forwarded' END, f.flows, f.bytes, f.packets, f.first_seen, f.last_seen
FROM bulk_final f
JOIN bulk_ids si ON si.code = f.s
JOIN bulk_ids di ON di.code = f.d
LEFT JOIN bulk_protocols p ON p.pr = f.pr
WHERE NOT ${SELF_PEER}`;

/** The id codes that made a row. */
export const ID_CODES_SQL = `
SELECT DISTINCT code FROM (
  SELECT f.s AS code FROM bulk_final f JOIN bulk_ids si ON si.code = f.s WHERE NOT ${SELF_PEER}
  UNION ALL SELECT f.d FROM bulk_final f JOIN bulk_ids si ON si.code = f.s WHERE NOT ${SELF_PEER})`;

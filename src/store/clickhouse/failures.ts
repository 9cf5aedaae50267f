/**
 * Turning ClickHouse failures into clear errors. A Distributed query or insert that cannot reach
 * a shard fails (skip_unavailable_shards = 0); this module then asks the coordinator which shard
 * is down (each shard probed through `remote()`), so the error names the shard and its address
 * instead of returning a partial map.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import { fail, MicrosegError } from "../../model/problems.js";
import { probeShard, type Schema, selectClusterShards } from "./sql.js";

/** One shard of the cluster as the coordinator knows it. */
export interface ShardAddress {
  shard: number;
  host: string;
  /** Native protocol port. */
  port: number;
}

/** A shard that did not answer, with the reason. */
export interface DownShard extends ShardAddress {
  reason: string;
}

/** Server error codes of network failures between servers (NETWORK_ERROR, SOCKET_TIMEOUT, …). */
const NETWORK_CODES = new Set(["32", "159", "209", "210", "279", "394"]);
/** UNKNOWN_TABLE, UNKNOWN_DATABASE. */
const MISSING_CODES = new Set(["60", "81"]);
/** Node socket errors: the coordinator itself is unreachable. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
]);

/**
 * The error's code: the client's `code` (socket errors; server errors in the current format
 * `Code: 210. DB::NetException: … (NETWORK_ERROR)`), else read from the message: the client
 * does not parse 18.16's `Code: 210, e.displayText() = DB::NetException: …, e.what() = …`.
 */
function errorCode(e: unknown): string {
  if (typeof e === "object" && e !== null && "code" in e) return String((e as { code: unknown }).code);
  return /^Code: (\d+)/.exec(e instanceof Error ? e.message : String(e))?.[1] ?? "";
}

/**
 * The server's message without its wrapping: for "All connection tries failed. Log: …" (18.16
 * also says so when a shard lacks a table) the distinct lines of the log, else the first line.
 */
function detail(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const clean = (l: string) =>
    l
      .replace(/^Code: \d+, e\.displayText\(\) = /, "")
      .replace(/, e\.what\(\) = .*$/, "")
      .trim();
  const log = /All connection tries failed\. Log:([\s\S]*)/.exec(msg);
  if (log) {
    const lines = [...new Set(log[1].split("\n").map(clean))].filter((l) => l !== "" && !l.startsWith(","));
    if (lines.length) return lines.join("; ");
  }
  return clean(msg.split("\n").find((l) => l.trim() !== "") ?? msg);
}

/** The reason a server error gives, e.g. `Connection refused (127.0.0.1:29000)` (old and new formats). */
function networkReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const reasons = [...msg.matchAll(/DB::NetException: (.+?)(?:, e\.what\(\)|\. \([A-Z_]+\)|$)/gm)]
    .map((m) => m[1].trim())
    .filter((r) => !r.startsWith("All connection tries failed"));
  return reasons[0] ?? detail(e);
}

/** The shards of the cluster, from the coordinator's `system.clusters`. */
export async function listShards(client: ClickHouseClient, schema: Schema): Promise<ShardAddress[]> {
  const rs = await client.query({ query: selectClusterShards(schema), format: "JSONEachRow" });
  const rows = await rs.json<{ shard: number | string; host: string; port: number | string }>();
  return rows.map((r) => ({ shard: Number(r.shard), host: r.host, port: Number(r.port) }));
}

/** Probes every shard from the coordinator; returns those that do not answer. */
export async function findDownShards(client: ClickHouseClient, schema: Schema): Promise<DownShard[]> {
  const down: DownShard[] = [];
  for (const s of await listShards(client, schema)) {
    try {
      await (await client.query({ query: probeShard(s.host, s.port), format: "JSONEachRow" })).json();
    } catch (e) {
      down.push({ ...s, reason: networkReason(e) });
    }
  }
  return down;
}

/** Where the failure happened, for messages. */
export interface FailureContext {
  client: ClickHouseClient;
  schema: Schema;
  url: string;
  /** What was being done, e.g. `query edges`. */
  action: string;
}

/**
 * Rethrows a ClickHouse failure as a MicrosegError that names the unreachable coordinator or
 * shard(s) with their addresses; other server errors keep their first line.
 */
export async function explainFailure(e: unknown, ctx: FailureContext): Promise<never> {
  if (e instanceof MicrosegError) throw e;
  const where = `ClickHouse store ${ctx.url}/${ctx.schema.database}`;
  const code = errorCode(e);
  if (SOCKET_CODES.has(code) || /socket hang up|ECONNREFUSED/.test(String(e)))
    fail("data-missing", `${where}: cannot ${ctx.action}: server ${ctx.url} is unreachable (${detail(e)})`);
  if (NETWORK_CODES.has(code) || /NetException/.test(String(e))) {
    let down: DownShard[] = [];
    try {
      down = await findDownShards(ctx.client, ctx.schema);
    } catch {
      // the coordinator stopped answering too: report the original failure
    }
    if (down.length > 0) {
      const list = down.map((d) => `shard ${d.shard} (${d.host}:${d.port}): ${d.reason}`).join("; ");
      fail(
        "data-missing",
        `${where}: cannot ${ctx.action}: cluster ${ctx.schema.cluster} has unavailable shards: ${list}. ` +
          "No partial result is returned; start the shard(s) and retry.",
      );
    }
  }
  const hint =
    MISSING_CODES.has(code) || /There is no table/.test(String(e))
      ? " (a shard lacks the store's tables: list every shard's HTTP address in the spec, ?shards=host:port,…, so they are created there)"
      : "";
  fail("data-missing", `${where}: cannot ${ctx.action}: ${detail(e)}${hint}`);
}

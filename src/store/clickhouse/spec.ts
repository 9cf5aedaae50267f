/**
 * `clickhouse://host:port/db[?cluster=NAME&shards=host:port,host:port]` → connection options.
 *
 * host:port is the HTTP interface of the server that coordinates queries (any shard of the
 * cluster). `cluster` names the cluster in that server's `remote_servers` (default `microseg`).
 * `shards` lists the HTTP addresses of every shard, so that the local tables can be created on
 * each (ClickHouse 18.16 has no `ON CLUSTER` DDL without ZooKeeper); without it, the local tables
 * must already exist on the other shards (checked on open).
 */
import { fail } from "../../model/problems.js";

/** Where the ClickHouse store lives. */
export interface ClickHouseSpec {
  /** HTTP URL of the coordinating server, e.g. `http://127.0.0.1:18123`. */
  url: string;
  database: string;
  cluster: string;
  /** HTTP URLs of every shard for schema setup (may be empty). */
  shardUrls: string[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;

/** True when a store spec names ClickHouse. */
export function isClickHouseSpec(spec: string): boolean {
  return spec.startsWith("clickhouse://");
}

function hostPortUrl(hostPort: string, spec: string): string {
  if (!HOST_PORT.test(hostPort)) fail("usage", `store ${spec}: "${hostPort}" is not host:port`);
  return `http://${hostPort}`;
}

/** Parses a `clickhouse://` store spec (exit 2 with a message when malformed). */
export function parseClickHouseSpec(spec: string): ClickHouseSpec {
  const m = /^clickhouse:\/\/([^/?]+)\/([^/?]*)(?:\?(.*))?$/.exec(spec);
  if (!m) fail("usage", `store ${spec}: expected clickhouse://host:port/database`);
  const [, hostPort, database, query] = m;
  if (!IDENT.test(database)) fail("usage", `store ${spec}: database "${database}" is not a plain identifier`);
  const params = new URLSearchParams(query ?? "");
  for (const key of params.keys()) {
    if (key !== "cluster" && key !== "shards") fail("usage", `store ${spec}: unknown parameter "${key}"`);
  }
  const cluster = params.get("cluster") ?? "microseg";
  if (!IDENT.test(cluster)) fail("usage", `store ${spec}: cluster "${cluster}" is not a plain identifier`);
  const shards = params.get("shards");
  return {
    url: hostPortUrl(hostPort, spec),
    database,
    cluster,
    shardUrls: shards ? shards.split(",").map((s) => hostPortUrl(s.trim(), spec)) : [],
  };
}

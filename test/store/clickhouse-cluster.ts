/**
 * Test helper: a two-shard local ClickHouse cluster started with scripts/clickhouse/*.sh on test
 * ports (not the defaults, so a developer's own cluster keeps running), in .microseg/clickhouse-test.
 * Another test file that runs at the same time passes its own {@link TestClusterSite}.
 * When ClickHouse is missing or does not start, `startTestCluster` throws: the tests fail rather
 * than skip, unless MICROSEG_SKIP_CLICKHOUSE=1 is set (see `clickhouseSkipped`).
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../helpers/corpus.js";

const run = promisify(execFile);

/** True when the ClickHouse tests are explicitly skipped (MICROSEG_SKIP_CLICKHOUSE=1). */
export const clickhouseSkipped = process.env.MICROSEG_SKIP_CLICKHOUSE === "1";

/** A running test cluster. */
export interface TestCluster {
  dir: string;
  /** HTTP ports of shards 1 and 2. */
  httpPorts: [number, number];
  /** Native ports of shards 1 and 2. */
  tcpPorts: [number, number];
  /** A store spec for a database on this cluster (shard 1 coordinates). */
  spec(database: string): string;
  /** Stops one shard (1 or 2) or, without an argument, both. */
  stop(shard?: 1 | 2): Promise<void>;
  /** Stops everything and removes the directory. */
  destroy(): Promise<void>;
}

/** Where a test cluster lives: its directory under .microseg and its ports (one site per test file). */
export interface TestClusterSite {
  name: string;
  httpPorts: [number, number];
  tcpPorts: [number, number];
}

const DEFAULT_SITE: TestClusterSite = {
  name: "clickhouse-test",
  httpPorts: [18223, 28223],
  tcpPorts: [19200, 29200],
};

function scriptEnv(site: TestClusterSite, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MICROSEG_CH_HTTP_PORTS: site.httpPorts.join(" "),
    MICROSEG_CH_TCP_PORTS: site.tcpPorts.join(" "),
    MICROSEG_CH_CLUSTER: "microseg",
    ...extra,
  };
}

async function script(
  site: TestClusterSite,
  name: string,
  args: string[],
  extra?: Record<string, string>,
): Promise<string> {
  const path = join(repoRoot(), "scripts", "clickhouse", name);
  try {
    const { stdout } = await run("bash", [path, ...args], { env: scriptEnv(site, extra), timeout: 120_000 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `scripts/clickhouse/${name} failed: ${err.stderr || err.message}\n` +
        "Install ClickHouse with scripts/clickhouse/install.sh, or set MICROSEG_SKIP_CLICKHOUSE=1 to skip.",
    );
  }
}

/**
 * Starts two shards in a fresh .microseg/<site name> directory (default .microseg/clickhouse-test)
 * and waits until both answer. Servers left running there by an interrupted run are stopped first
 * (by their recorded pids).
 */
export async function startTestCluster(site: TestClusterSite = DEFAULT_SITE): Promise<TestCluster> {
  const dir = join(repoRoot(), ".microseg", site.name);
  const { httpPorts: HTTP, tcpPorts: TCP } = site;
  await script(site, "stop-cluster.sh", [dir], { MICROSEG_CH_KILL: "1" });
  await rm(dir, { recursive: true, force: true });
  await script(site, "start-cluster.sh", [dir]).catch(async (e) => {
    await script(site, "stop-cluster.sh", [dir]).catch(() => undefined);
    throw e;
  });
  const shards = HTTP.map((p) => `127.0.0.1:${p}`).join(",");
  return {
    dir,
    httpPorts: HTTP,
    tcpPorts: TCP,
    spec: (db) => `clickhouse://127.0.0.1:${HTTP[0]}/${db}?cluster=microseg&shards=${shards}`,
    stop: async (shard) => {
      await script(site, "stop-cluster.sh", shard ? [dir, String(shard)] : [dir], { MICROSEG_CH_KILL: "1" });
    },
    destroy: async () => {
      await script(site, "stop-cluster.sh", [dir], { MICROSEG_CH_KILL: "1" });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs one SQL statement over HTTP on a shard (test setup and cleanup only). */
export async function clickhouseSql(httpPort: number, query: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/`, { method: "POST", body: query });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse ${httpPort}: ${text}`);
  return text;
}

/**
 * Crash safety of the ClickHouse store on its own two-shard test cluster (beside the one of
 * clickhouse.test.ts, which may run at the same time): a real `microseg ingest` child kills itself
 * (SIGKILL) at an exact point (src/store/crash-hook.ts); the rows of a file killed before its
 * `files` row stay on disk but no query counts them, and a re-run equals a clean run
 * (./crash-support.ts). Fails (does not skip) when ClickHouse is missing, unless
 * MICROSEG_SKIP_CLICKHOUSE=1.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import {
  clickhouseSkipped,
  clickhouseSql,
  startTestCluster,
  type TestCluster,
} from "./clickhouse-cluster.js";
import {
  afterCommitOfFile1,
  beforeCommitOfFile2,
  type CrashBackend,
  crashCases,
  generateInputs,
  midRowsOfFile2,
} from "./crash-support.js";

describe.skipIf(clickhouseSkipped)("ClickHouse ingest killed at a named point", () => {
  const dir = mkdtempSync(join(tmpdir(), "microseg-ch-crash-"));
  let files: string[] = [];
  let cluster: TestCluster;
  const databases = new Map<string, string>();

  const clickhouse = (): CrashBackend => ({
    fresh: (label) => {
      const db = `crash_${label.replace(/\W/g, "_")}_${randomUUID().slice(0, 8)}`;
      const spec = cluster.spec(db);
      databases.set(spec, db);
      return spec;
    },
    rawRows: async (spec) => {
      const db = databases.get(spec);
      const n = await clickhouseSql(
        cluster.httpPorts[0],
        `SELECT (SELECT count() FROM ${db}.edges) + (SELECT count() FROM ${db}.workloads) + (SELECT count() FROM ${db}.raw_flows)`,
      );
      return Number(n);
    },
    keepsOrphans: true,
  });

  beforeAll(async () => {
    cluster = await startTestCluster({
      name: "clickhouse-crash-test",
      httpPorts: [18224, 28224],
      tcpPorts: [19201, 29201],
    });
    files = await generateInputs(dir);
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cluster?.destroy();
  });

  crashCases({
    backend: clickhouse,
    inputs: () => files,
    args: ["--chunk-rows", "200"],
    via: "stream",
    cases: [midRowsOfFile2, beforeCommitOfFile2, afterCommitOfFile1],
  });
});

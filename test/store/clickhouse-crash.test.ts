/**
 * Crash safety of the ClickHouse store on its own two-shard test cluster (beside the one of
 * clickhouse.test.ts, which may run at the same time): a real `microseg ingest` child kills itself
 * (SIGKILL) at an exact point (src/store/crash-hook.ts); the rows of a file killed before its
 * `files` row stay on disk but no query counts them, L7 rows included, and a re-run equals a clean
 * run (./crash-support.ts), on generated VPC logs and on Hubble files with HTTP and DNS records
 * (./crash-inputs.ts). Fails (does not skip) when ClickHouse is missing, unless
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
import { l7Inputs, vpcInputs } from "./crash-inputs.js";
import {
  afterCommitOfFile1,
  beforeCommitOfFile2,
  type CrashBackend,
  crashCases,
  midRowsOfFile2,
} from "./crash-support.js";

/** Every table a file writes rows into, through its Distributed table (the `files` row is the commit). */
const ROW_TABLES = ["edges", "edge_http", "dns_names", "workloads", "raw_flows"];

describe.skipIf(clickhouseSkipped)("ClickHouse ingest killed at a named point", () => {
  const dir = mkdtempSync(join(tmpdir(), "microseg-ch-crash-"));
  let vpc: string[] = [];
  let l7: string[] = [];
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
      const counts = ROW_TABLES.map((t) => `(SELECT count() FROM ${db}.${t})`).join(" + ");
      const n = await clickhouseSql(cluster.httpPorts[0], `SELECT ${counts}`);
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
    vpc = await vpcInputs.write(dir);
    l7 = await l7Inputs.write(dir);
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cluster?.destroy();
  });

  describe("VPC logs", () => {
    crashCases({
      backend: clickhouse,
      inputs: vpcInputs,
      files: () => vpc,
      args: ["--chunk-rows", "200"],
      via: "stream",
      cases: [midRowsOfFile2, beforeCommitOfFile2, afterCommitOfFile1],
    });
  });

  // the mid-rows kill leaves the 2nd file's HTTP rows and part of its DNS rows on disk under a
  // batch id no `files` row names: the raw count must include them, the queries must not
  describe("Hubble files with HTTP and DNS rows", () => {
    crashCases({
      backend: clickhouse,
      inputs: l7Inputs,
      files: () => l7,
      args: ["--chunk-rows", "5"],
      via: "stream",
      cases: [midRowsOfFile2, beforeCommitOfFile2, afterCommitOfFile1],
    });
  });
});

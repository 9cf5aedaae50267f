/**
 * The store registry: `--store` specs → Store. A path or `duckdb:PATH` → DuckDB (default
 * `.microseg/flows.duckdb`), `memory:` → in memory, `clickhouse://host:port/db` → ClickHouse
 * (src/store/clickhouse/index.ts, imported only when asked for).
 */
import { existsSync } from "node:fs";
import { fail } from "../model/problems.js";
import type { Store } from "./types.js";

/** The default store spec. */
export const DEFAULT_STORE_SPEC = ".microseg/flows.duckdb";

/** A parsed store spec. */
export type StoreSpec =
  | { kind: "duckdb"; path: string }
  | { kind: "memory" }
  | { kind: "clickhouse"; url: string };

/** Parses a `--store` value. */
export function parseStoreSpec(spec: string = DEFAULT_STORE_SPEC): StoreSpec {
  if (spec === "memory:" || spec === "memory") return { kind: "memory" };
  if (/^clickhouse:\/\//i.test(spec)) return { kind: "clickhouse", url: spec };
  if (/^duckdb:/i.test(spec)) {
    const path = spec.slice("duckdb:".length);
    if (!path) fail("usage", "--store duckdb:PATH needs a path");
    return { kind: "duckdb", path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec))
    fail(
      "usage",
      `unknown store "${spec}": give a DuckDB file path, duckdb:PATH, memory: or clickhouse://host:port/db`,
    );
  return { kind: "duckdb", path: spec };
}

/** Options for opening a store. */
export interface OpenStoreOptions {
  /** DuckDB threads (default: DuckDB's choice). */
  threads?: number;
  /** False for commands that only read: a missing DuckDB file is an error, not a new store (default true). */
  create?: boolean;
}

/**
 * Loads the code of the store a spec names without opening it (DuckDB: its native library), so
 * that a later {@link openStore} starts its native work at once: `ingest` calls this before it
 * parses the inventory, and the database then opens on DuckDB's threads while the parse runs.
 */
export async function preloadStore(spec?: string): Promise<void> {
  const s = parseStoreSpec(spec);
  if (s.kind === "duckdb") await import("./duckdb/index.js");
}

/** Opens the store a spec names. */
export async function openStore(spec?: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const s = parseStoreSpec(spec);
  switch (s.kind) {
    case "memory": {
      const { MemoryStore } = await import("./memory/index.js");
      return new MemoryStore();
    }
    case "duckdb": {
      if (opts.create === false && s.path !== ":memory:" && !existsSync(s.path))
        fail("data-missing", `no store at ${s.path} (run microseg ingest first)`, { file: s.path });
      const { DuckDbStore } = await import("./duckdb/index.js");
      return DuckDbStore.open({ path: s.path, threads: opts.threads });
    }
    case "clickhouse":
      return openClickHouse(s.url);
  }
}

async function openClickHouse(url: string): Promise<Store> {
  let mod: { openClickHouseStore?: (url: string) => Promise<Store> };
  try {
    mod = await import("./clickhouse/index.js");
  } catch (e) {
    return fail(
      "usage",
      `the ClickHouse store is not available yet in this build (${url}): ${(e as Error).message}`,
    );
  }
  if (typeof mod.openClickHouseStore !== "function")
    return fail("usage", `the ClickHouse store is not available yet in this build (${url})`);
  return mod.openClickHouseStore(url);
}

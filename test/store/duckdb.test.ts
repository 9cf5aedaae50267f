import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbStore } from "../../src/store/duckdb/index.js";
import type { Store } from "../../src/store/types.js";
import { storeContract } from "./contract.js";

const dir = mkdtempSync(join(tmpdir(), "microseg-duckdb-"));
let n = 0;

storeContract("duckdb", {
  open: async () => DuckDbStore.open({ path: join(dir, `s${++n}.duckdb`), threads: 1 }),
  reopen: async (closed: Store) => DuckDbStore.open({ path: (closed as DuckDbStore).path, threads: 1 }),
});

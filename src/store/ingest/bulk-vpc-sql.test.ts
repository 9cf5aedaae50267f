/**
 * The scan's hour through a DOUBLE division (hourOf) equals DuckDB's integer form
 * `(t // HOUR) * HOUR` on the edges of hours, on both sides of zero, at the limit where it
 * switches to the integer division, and on a seeded sweep of times.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { hourOf } from "./bulk-vpc-sql.js";

describe("hourOf", () => {
  it("gives the integer division's hour wherever it is used", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    try {
      const edges = [0, 1, 3_599_999, 3_600_000, 3_600_001, 1_709_553_599_999, 1_709_553_600_000]
        .flatMap((v) => [v, -v])
        .map(String);
      const limit = 2n ** 50n;
      const far = [limit - 1n, limit, limit + 1n, 9_223_372_036_000_000_000n]
        .flatMap((v) => [v, -v])
        .map(String);
      await conn.run(`CREATE TABLE v AS
        SELECT unnest([${[...edges, ...far].join(", ")}]::BIGINT[]) AS t
        UNION ALL SELECT (k * 3600000 + d)::BIGINT FROM range(-312000000, 312000000, 99991) r(k),
          (VALUES (-1), (0), (1), (3599999), (-3599999)) x(d)
        UNION ALL SELECT (hash(i) % 2251799813685248)::BIGINT - 1125899906842624 FROM range(200000) s(i)`);
      const r = await conn.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, (count(*) FILTER (WHERE ${hourOf("t")} <> (t // 3600000) * 3600000))::INTEGER AS differ FROM v`,
      );
      expect(r.getRowObjects()).toEqual([{ n: expect.any(Number), differ: 0 }]);
      expect(Number(r.getRowObjects()[0].n)).toBeGreaterThan(200_000);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});

/**
 * blast-radius -o html --workload X shows what the table shows: X alone in the ranking and the
 * sentences, and a graph of X and the workloads it reaches (not every workload); without
 * --workload, every workload. The legend explains the outside → exposed-workload arrow.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { corpusPath } from "../helpers/corpus.js";
import { run, scratchDirs } from "./run.js";

const scratch = scratchDirs("blast-html");
const MANIFESTS = corpusPath("apps", "online-boutique", "manifests");
let map: string;

beforeAll(async () => {
  map = join(scratch(), "map.json");
  expect((await run(["discover", "--inventory", MANIFESTS, "-o", "json", "--out", map])).code).toBe(0);
});

const attr = (page: string, re: RegExp) => [...page.matchAll(re)].map((m) => m[1]).sort();
const graphNodes = (page: string) => attr(page, /<g class="node[^"]*" data-id="([^"]+)"/g);
const rankingRows = (page: string) => attr(page, /<tr data-workload="([^"]+)"/g);

describe("blast-radius -o html", () => {
  it("--workload checkoutservice: its used reach only (the services it calls and redis-cart behind cartservice)", async () => {
    const r = await run(["blast-radius", "--map", map, "--workload", "checkoutservice", "-o", "html"]);
    expect(r.code).toBe(0);
    expect(graphNodes(r.stdout)).toEqual(
      [
        "cartservice",
        "checkoutservice",
        "currencyservice",
        "emailservice",
        "paymentservice",
        "productcatalogservice",
        "redis-cart",
        "shippingservice",
      ].map((n) => `default/${n}`),
    );
    expect(rankingRows(r.stdout)).toEqual(["default/checkoutservice"]);
    expect(attr(r.stdout, /<li data-workload="([^"]+)"/g)).toEqual(["default/checkoutservice"]);
    expect(r.stdout).toMatch(/<g class="node highlight" data-id="default\/checkoutservice"/);
    // frontend (exposed) is not in the picture, so neither is the outside arrow nor its legend
    expect(r.stdout).not.toContain('class="outside"');
    expect(r.stdout).not.toContain("reachable from outside");
  });

  it("without --workload: every workload, the outside arrow to frontend and its legend entry", async () => {
    const r = await run(["blast-radius", "--map", map, "-o", "html"]);
    expect(graphNodes(r.stdout)).toHaveLength(12);
    expect(rankingRows(r.stdout)).toHaveLength(12);
    expect(r.stdout).toMatch(/<path class="outside" [^>]*><title>outside → default\/frontend<\/title>/);
    expect(r.stdout).toContain("→ reachable from outside (internet / outside → exposed workload)");
  });

  it("the table and the html agree on which workloads are listed", async () => {
    const table = await run(["blast-radius", "--map", map, "--workload", "cartservice"]);
    const page = await run(["blast-radius", "--map", map, "--workload", "cartservice", "-o", "html"]);
    const tableRows = table.stdout.split("\n").filter((l) => /^\s*\d+\s/.test(l));
    expect(tableRows).toHaveLength(1);
    expect(tableRows[0]).toContain("default/cartservice");
    expect(rankingRows(page.stdout)).toEqual(["default/cartservice"]);
    expect(graphNodes(page.stdout)).toEqual(["default/cartservice", "default/redis-cart"]);
  });
});

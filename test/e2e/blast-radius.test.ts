/**
 * Blast radius on Online Boutique with paymentservice holding pci (test/fixtures/config):
 * permitted reach under the maintainers' NetworkPolicies and under ours (generated from the
 * static-discovery map), used reach from that map; the HTML report checked in headless Chromium.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlastEntry } from "../../src/analysis/blast-radius/blast-radius.js";
import { discoverMap } from "../../src/cli/commands/discover.js";
import { generateFromMap, renderObjects } from "../../src/cli/commands/generate.js";
import { mapToJson } from "../../src/io/map-file.js";
import { writeDirAtomic } from "../../src/io/write.js";
import { run, scratchDirs } from "../cli/run.js";
import { corpusPath, repoRoot } from "../helpers/corpus.js";

const quiet = () => {};
const scratch = scratchDirs("blast");
const manifests = corpusPath("apps", "online-boutique", "manifests");
const maintainers = corpusPath("apps", "online-boutique", "policies", "network-policies");
const config = join(repoRoot(), "test", "fixtures", "config", "online-boutique-cde.yaml");
const ALL = [
  "adservice",
  "cartservice",
  "checkoutservice",
  "currencyservice",
  "emailservice",
  "frontend",
  "loadgenerator",
  "paymentservice",
  "productcatalogservice",
  "recommendationservice",
  "redis-cart",
  "shippingservice",
].map((n) => `default/${n}`);
const others = (...not: string[]) => ALL.filter((id) => !not.includes(id));

let dir: string;
let ours: string;
let mapFile: string;

beforeAll(async () => {
  dir = scratch();
  const map = await discoverMap({ inventory: [manifests], log: quiet });
  mapFile = join(dir, "map.json");
  writeFileSync(mapFile, mapToJson(map));
  ours = join(dir, "ours");
  await writeDirAtomic(ours, renderObjects(generateFromMap(map, "k8s").objects));
});

async function report(args: string[]): Promise<{ graphs: string[]; entries: BlastEntry[] }> {
  const r = await run(["blast-radius", ...args, "--config", config, "-o", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}
const entry = (r: { entries: BlastEntry[] }, id: string) => r.entries.find((e) => e.id === id)!;

describe("blast radius of Online Boutique", () => {
  it("maintainers' policies: frontend admits everyone (ingress [{}]), so every workload pivots through it to all the others but loadgenerator", async () => {
    const r = await report(["--policies", maintainers, "--inventory", manifests]);
    expect(r.graphs).toEqual(["permitted"]);
    const pay = entry(r, "default/paymentservice");
    expect(pay.permitted?.oneHop).toEqual(["default/frontend"]);
    expect(pay.permitted?.transitive).toEqual(others("default/paymentservice", "default/loadgenerator"));
    expect(pay.permitted?.paths["default/redis-cart"]).toEqual([
      "default/paymentservice",
      "default/frontend",
      "default/cartservice",
      "default/redis-cart",
    ]);
    expect(pay.sentences.permitted).toMatch(
      /^If default\/paymentservice is compromised, the attacker can reach default\/adservice, .* and default\/shippingservice, which hold pii\.$/,
    );
    // loadgenerator is reached by nobody but reaches everything: it ranks first
    expect(r.entries[0].id).toBe("default/loadgenerator");
    expect(r.entries[0].permitted?.transitive).toHaveLength(11);
    for (const e of r.entries.slice(1)) expect(e.permitted?.transitive, e.id).toHaveLength(10);
    expect(entry(r, "default/frontend").exposed).toBe(true);
  });

  it("our policies (from the static map): permitted reach equals the used reach of the map, workload by workload", async () => {
    const permitted = await report(["--policies", ours, "--inventory", manifests]);
    const used = await report(["--map", mapFile]);
    expect(used.graphs).toEqual(["used"]);
    for (const id of ALL)
      expect(entry(permitted, id).permitted?.transitive, id).toEqual(entry(used, id).used?.transitive);
    const reach = (id: string) => entry(permitted, id).permitted!;
    expect(reach("default/paymentservice").transitive).toEqual([]);
    expect(entry(permitted, "default/paymentservice").sentences.permitted).toBe(
      "If default/paymentservice is compromised, the attacker can reach no other workload.",
    );
    expect(entry(permitted, "default/cartservice").sentences.permitted).toBe(
      "If default/cartservice is compromised, the attacker can reach default/redis-cart, which hold pii.",
    );
    // checkoutservice calls six services; through cartservice it also reaches redis-cart
    expect(reach("default/checkoutservice").oneHop).toHaveLength(6);
    expect(reach("default/checkoutservice").transitive).toEqual([
      "default/cartservice",
      "default/currencyservice",
      "default/emailservice",
      "default/paymentservice",
      "default/productcatalogservice",
      "default/redis-cart",
      "default/shippingservice",
    ]);
    expect(reach("default/checkoutservice").dataClasses).toEqual(["pci", "pii"]);
    expect(reach("default/recommendationservice").transitive).toEqual(["default/productcatalogservice"]);
    expect(reach("default/frontend").transitive).toEqual(others("default/frontend", "default/loadgenerator"));
    // frontend-external (type LoadBalancer) exposes frontend: our policies admit outside clients on 8080
    expect(entry(permitted, "default/frontend").exposed).toBe(true);
  });

  it("--map with --policies reports both; --workload keeps one; md has the ranking and the sentences", async () => {
    const both = await report([
      "--policies",
      maintainers,
      "--inventory",
      manifests,
      "--map",
      mapFile,
      "--workload",
      "cartservice",
    ]);
    expect(both.graphs).toEqual(["permitted", "used"]);
    expect(both.entries.map((e) => e.id)).toEqual(["default/cartservice"]);
    expect(both.entries[0].used?.transitive).toEqual(["default/redis-cart"]);
    expect(both.entries[0].permitted?.transitive).toHaveLength(10);
    const md = await run(["blast-radius", "--map", mapFile, "--config", config, "-o", "md"]);
    expect(md.stdout).toContain(
      "| rank | workload | zone | data | used 1-hop | used reach | used data reached |",
    );
    expect(md.stdout).toContain(
      "`default/redis-cart` (pii): `default/frontend` → `default/cartservice` → `default/redis-cart`",
    );
    const bad = await run(["blast-radius", "--map", mapFile, "--workload", "nope"]);
    expect(bad.code).toBe(2);
  });
});

describe("the HTML report in headless Chromium", () => {
  let ctx: BrowserContext;
  beforeAll(async () => {
    expect(
      existsSync("/usr/bin/chromium"),
      "Debian chromium is installed by scripts/install-test-deps.sh",
    ).toBe(true);
    ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "microseg-chromium-")), {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
  });

  it("--workload: the graph of the chosen one's reach (highlighted), its ranking row and sentences; screenshot in test-artifacts/", async () => {
    const out = join(dir, "ob.html");
    const r = await run([
      "blast-radius",
      "--policies",
      maintainers,
      "--inventory",
      manifests,
      "--map",
      mapFile,
      "--config",
      config,
      "--workload",
      "paymentservice",
      "-o",
      "html",
      "--out",
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const page = await ctx.newPage();
    const requests: string[] = [];
    page.on("request", (q) => {
      if (!q.url().startsWith("file:")) requests.push(q.url());
    });
    await page.goto(`file://${out}`);
    expect(await page.title()).toBe("Blast radius");
    const nodes = await page
      .locator("svg.graph g.node[data-id]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    // paymentservice pivots through frontend to everyone but loadgenerator (see above)
    expect(nodes.sort()).toEqual(others("default/loadgenerator"));
    expect(await page.locator("svg.graph g.node.highlight").getAttribute("data-id")).toBe(
      "default/paymentservice",
    );
    expect(await page.locator("svg.graph g.node.data").count()).toBe(3); // paymentservice, checkoutservice, redis-cart
    expect(await page.locator("svg.graph path.used").count()).toBe(15); // the call graph but loadgenerator → frontend
    expect(await page.locator("svg.graph path.outside").count()).toBe(1); // outside → frontend
    await expect(page.locator(".legend").textContent()).resolves.toContain("reachable from outside");
    expect(await page.locator("#ranking tbody tr").count()).toBe(1);
    const box = await page.locator("svg.graph").boundingBox();
    expect(box?.width).toBeGreaterThan(600);
    await expect(page.locator("#sentences").textContent()).resolves.toContain(
      "If default/paymentservice is compromised, the attacker can reach no other workload.",
    );
    expect(requests).toEqual([]); // self-contained: nothing fetched
    const artifacts = join(repoRoot(), "test-artifacts");
    mkdirSync(artifacts, { recursive: true });
    const shot = join(artifacts, "blast-radius-online-boutique.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  }, 60_000);

  it("untrusted names and paths are text, never markup", async () => {
    const evil = join(dir, "<img src=x onerror=alert(1)>");
    mkdirSync(evil, { recursive: true });
    const id = 'ns/<script>alert("x")</script>';
    const map = {
      schemaVersion: 1,
      workloads: [
        { id, kind: "pod-owner", namespace: "ns", name: "a", labels: {} },
        { id: "ns/b'\"&", kind: "pod-owner", namespace: "ns", name: "b", labels: {} },
      ],
      edges: [
        { src: id, dst: "ns/b'\"&", ports: [{ protocol: "TCP", port: 1 }], flows: 1, provenance: "observed" },
      ],
    };
    const mapPath = join(evil, "map.json");
    writeFileSync(mapPath, JSON.stringify(map));
    const out = join(dir, "evil.html");
    expect((await run(["blast-radius", "--map", mapPath, "-o", "html", "--out", out])).code).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(text).not.toContain("<script>");
    expect(text).not.toContain("<img");
    const page = await ctx.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`file://${out}`);
    expect(await page.locator("script, img").count()).toBe(0);
    expect(
      await page
        .locator("svg.graph g.node")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-id")).sort()),
    ).toEqual(['ns/<script>alert("x")</script>', "ns/b'\"&"].sort());
    expect(await page.locator("body").textContent()).toContain("<img src=x onerror=alert(1)>");
    expect(dialogs).toEqual([]);
  }, 60_000);
});

/**
 * `microseg zones`, `init` and the zone gate of `generate` on real manifests (Online Boutique and
 * Sock Shop, static discovery).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { discoverMap } from "../../src/cli/commands/discover.js";
import { generateFromMap } from "../../src/cli/commands/generate.js";
import { parseConfig } from "../../src/config/load.js";
import { mapToJson } from "../../src/io/map-file.js";
import type { CommunicationMap } from "../../src/model/map.js";
import { problemLines, run, scratchDirs } from "../cli/run.js";
import { corpusPath } from "../helpers/corpus.js";

const quiet = () => {};
const scratch = scratchDirs("zones");
let dir: string;
let obMap: CommunicationMap;

beforeAll(async () => {
  dir = scratch();
  obMap = await discoverMap({ inventory: [corpusPath("apps", "online-boutique", "manifests")], log: quiet });
  writeFileSync(join(dir, "ob.json"), mapToJson(obMap));
  const ss = await discoverMap({ inventory: [corpusPath("apps", "sock-shop", "manifests")], log: quiet });
  writeFileSync(join(dir, "ss.json"), mapToJson(ss));
});

describe("microseg zones", () => {
  it("Online Boutique: frontend public (its LoadBalancer Service), redis-cart data (redis image), the rest application", async () => {
    const r = await run(["zones", "--map", join(dir, "ob.json"), "-o", "json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).workloads as { id: string; zone: string; reason: string }[];
    const zone = Object.fromEntries(rows.map((w) => [w.id, w.zone]));
    expect(zone["default/frontend"]).toBe("public");
    expect(zone["default/redis-cart"]).toBe("data");
    expect(rows.filter((w) => w.zone === "application")).toHaveLength(10);
    expect(rows.find((w) => w.id === "default/frontend")?.reason).toBe(
      "exposed: Service default/frontend-external is LoadBalancer; receives traffic from entity:world",
    );
  });

  it("Sock Shop: the NodePort front-end is public; the mongo, mysql, redis and rabbitmq stores are data", async () => {
    const r = await run(["zones", "--map", join(dir, "ss.json"), "-o", "json"]);
    const rows = JSON.parse(r.stdout).workloads as { id: string; zone: string; reason: string }[];
    const byZone = (z: string) => rows.filter((w) => w.zone === z).map((w) => w.id.split("/")[1]);
    expect(byZone("public")).toEqual(["front-end"]);
    expect(byZone("data")).toEqual([
      "carts-db",
      "catalogue-db",
      "orders-db",
      "rabbitmq",
      "session-db",
      "user-db",
    ]);
    // the rabbitmq pod also runs an exporter; the store's own image is the evidence
    expect(rows.find((w) => w.id === "sock-shop/rabbitmq")?.reason).toMatch(/image rabbitmq:/);
  });

  it("configured selectors come first (--config after the command works)", async () => {
    const cfg = corpusFreeConfig(dir, "zones:\n  - name: payments\n    match: [{names: [paymentservice]}]\n");
    const r = await run(["zones", "--map", join(dir, "ob.json"), "--config", cfg]);
    expect(r.code).toBe(0);
    const line = r.stdout.split("\n").find((l) => l.startsWith("default/paymentservice "));
    expect(line).toMatch(/payments\s+config\s+-\s+configured: zone payments selects names paymentservice/);
  });

  it("a bad configuration is exit 2 with file:line", async () => {
    const cfg = corpusFreeConfig(dir, "zones:\n  - name: x\n    match: [{namspace: a}]\n");
    const r = await run(["zones", "--map", join(dir, "ob.json"), "--config", cfg]);
    expect(r.code).toBe(2);
    expect(problemLines(r.stderr).join("\n")).toContain(`${cfg}:3:`);
  });
});

function corpusFreeConfig(d: string, text: string): string {
  const p = join(d, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(p, text);
  return p;
}

describe("microseg init", () => {
  it("writes a commented starter that validates, with the map's zones pinned", async () => {
    const out = join(dir, "microseg.yaml");
    const r = await run(["init", "--map", join(dir, "ob.json"), "--out", out]);
    expect(r.code).toBe(0);
    const text = readFileSync(out, "utf8");
    const cfg = parseConfig(text, out);
    expect(cfg.zones?.map((z) => [z.name, z.match.flatMap((m) => m.names)])).toEqual([
      ["data", ["default/redis-cart"]],
      ["public", ["default/frontend"]],
    ]);
    expect(cfg.zoneMatrix?.find((f) => f.from === "bastion")?.to).toEqual(["management"]);
    expect(text).toMatch(/^# .*cde:/m); // the CDE is a commented example
    // a second run does not replace the file
    const again = await run(["init", "--map", join(dir, "ob.json"), "--out", out]);
    expect(again.code).toBe(2);
    expect(readFileSync(out, "utf8")).toBe(text);
  });
});

describe("generate obeys the zone matrix", () => {
  it("an observed public → data flow becomes no rule and is reported as a violation", () => {
    // configuration: cartservice is public; its redis-cart edge crosses public → data
    const config = parseConfig(
      "zones:\n  - name: public\n    match: [{names: [cartservice]}]\n",
      "inline.yaml",
    );
    const gated = generateFromMap(obMap, "k8s", { config });
    expect(gated.synth.violations.map((v) => v.reason)).toEqual([
      "default/cartservice (public) → default/redis-cart (data): the zone matrix allows no public → data flow",
    ]);
    const redis = gated.synth.set.layers.flatMap((l) => l.policies).find((p) => p.name === "redis-cart");
    expect(redis?.rules.filter((r) => r.direction === "ingress")).toEqual([]);
    // without the gate the same edge is allowed
    const open = generateFromMap(obMap, "k8s", { config, ignoreZones: true });
    expect(open.synth.violations).toEqual([]);
    const redisOpen = open.synth.set.layers.flatMap((l) => l.policies).find((p) => p.name === "redis-cart");
    expect(redisOpen?.rules.filter((r) => r.direction === "ingress")).toHaveLength(1);
  });

  it("the CLI logs the violation and still writes the other policies", async () => {
    const cfg = corpusFreeConfig(dir, "zones:\n  - name: public\n    match: [{names: [cartservice]}]\n");
    const r = await run(["generate", "--map", join(dir, "ob.json"), "--config", cfg]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "zone violation (no rule generated; review it): default/cartservice (public) → default/redis-cart (data)",
    );
    expect(r.stdout).toContain("name: paymentservice");
  });
});

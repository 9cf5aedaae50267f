/**
 * Cilium Star Wars (../shared/corpus/apps/cilium-star-wars): the maintainers' L7 policy allows
 * tiefighter's `POST /v1/request-landing` and denies `PUT /v1/exhaust-port` at L7 while port 80
 * stays open at L4; our policy generated from the Hubble L7 records of the landing requests
 * (test/fixtures/flows/hubble-starwars, written for this test) does the same.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverMap } from "../../src/cli/commands/discover.js";
import { generateFromMap, renderObjects } from "../../src/cli/commands/generate.js";
import { verifyPolicies } from "../../src/cli/commands/verify.js";
import { writeDirAtomic } from "../../src/io/write.js";
import { corpusPath, repoRoot } from "../helpers/corpus.js";

const quiet = () => {};
const fixtures = join(repoRoot(), "test", "fixtures", "flows", "hubble-starwars");
const landing = join(fixtures, "landing.jsonl");
const attack = join(fixtures, "exhaust-port.jsonl");
const app = corpusPath("apps", "cilium-star-wars");
let work: string;
let generated: string;

async function replay(policies: string[], flows: string) {
  return (await verifyPolicies({ policies, inventory: [join(app, "manifests")], flows: [flows], log: quiet }))
    .report;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "microseg-starwars-"));
  const map = await discoverMap({ flows: [landing], log: quiet });
  const { objects } = generateFromMap(map, "cilium");
  generated = join(work, "cilium");
  await writeDirAtomic(generated, renderObjects(objects));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe.each([
  ["the maintainers' L7 policy", () => [join(app, "policies", "cilium", "sw_l3_l4_l7_policy.yaml")]],
  ["our generated Cilium policy", () => [generated]],
])("star wars: %s", (_name, policies) => {
  it("allows tiefighter's POST /v1/request-landing", async () => {
    const r = await replay(policies(), landing);
    expect(r.summary.evaluated).toBe(3);
    expect(r.summary.denied).toBe(0);
  });

  it("denies PUT /v1/exhaust-port at L7 while the connection is allowed at L4", async () => {
    const r = await replay(policies(), attack);
    expect(r.summary.denied).toBe(1);
    expect(r.denied[0]).toMatchObject({
      src: "default/tiefighter",
      dst: "default/deathstar",
      port: 80,
      http: { method: "PUT", path: "/v1/exhaust-port" },
      deniedAt: "l7",
    });
    // the deathstar's ingress denies it (our policy also restricts tiefighter's egress at L7)
    expect(["ingress", "both"]).toContain(r.denied[0].deniedBy);
  });
});

describe("star wars: the L3/L4 policy", () => {
  it("lets the exhaust-port request through (no L7 rule)", async () => {
    const r = await replay([join(app, "policies", "cilium", "sw_l3_l4_policy.yaml")], attack);
    expect(r.summary.denied).toBe(0);
  });
});

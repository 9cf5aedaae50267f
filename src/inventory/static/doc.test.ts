/**
 * The quick static-inventory reader (./doc.ts) against the zod schema (./schema.ts): on every
 * document it accepts, the schema accepts too and parses to the same value; the documents it
 * turns away go to the schema, whose error the loader reports with file and line.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prng } from "../../../bench/prng.js";
import { MicrosegError } from "../../model/problems.js";
import { readValidStaticDoc } from "./doc.js";
import { loadMixedInventory } from "./load.js";
import { staticInventorySchema } from "./schema.js";

const FULL = {
  staticInventory: "v1",
  workloads: [
    {
      name: "billing-db",
      namespace: "payments",
      kind: "vm",
      labels: { app: "billing-db", tier: "data" },
      addresses: [
        "10.0.1.5",
        { ip: "10.0.1.6", from: "2024-03-01T00:00:00Z", to: "2024-03-08T00:00:00Z" },
        { ip: "10.0.1.7", to: new Date("2024-03-02T12:00:00Z") },
      ],
    },
    { name: "edge-1", zone: "dmz", kind: "cloud-instance", addresses: ["10.9.0.1"] },
    { name: "bare" },
  ],
  networks: [{ name: "corp-vpn", cidrs: ["10.200.0.0/16", "fd00::/8"] }],
};

/** Documents both readers must accept. */
const VALID: [string, unknown][] = [
  ["the full example", FULL],
  ["only the marker", { staticInventory: "v1" }],
  ["empty lists", { staticInventory: "v1", workloads: [], networks: [] }],
  ["a workload with empty labels", { staticInventory: "v1", workloads: [{ name: "a", labels: {} }] }],
  ["a dotted name", { staticInventory: "v1", workloads: [{ name: "a.b-c9" }] }],
  [
    "keys present but undefined",
    {
      staticInventory: "v1",
      workloads: [
        {
          name: "a",
          namespace: undefined,
          zone: undefined,
          addresses: [{ ip: "10.0.0.1", from: undefined }],
        },
      ],
    },
  ],
];

/** Documents the schema rejects (the quick reader must turn them away). */
const INVALID: [string, unknown][] = [
  ["another version", { staticInventory: "v2" }],
  ["an unknown top-level key", { staticInventory: "v1", extra: 1 }],
  ["workloads not a list", { staticInventory: "v1", workloads: {} }],
  ["workloads null", { staticInventory: "v1", workloads: null }],
  ["a name with upper case", { staticInventory: "v1", workloads: [{ name: "Billing" }] }],
  ["a name ending in a dash", { staticInventory: "v1", workloads: [{ name: "a-" }] }],
  ["a number as name", { staticInventory: "v1", workloads: [{ name: 5 }] }],
  ["no name", { staticInventory: "v1", workloads: [{ namespace: "x" }] }],
  ["an unknown workload key", { staticInventory: "v1", workloads: [{ name: "a", ip: "10.0.0.1" }] }],
  ["another kind", { staticInventory: "v1", workloads: [{ name: "a", kind: "pod" }] }],
  ["a null namespace", { staticInventory: "v1", workloads: [{ name: "a", namespace: null }] }],
  ["a number label", { staticInventory: "v1", workloads: [{ name: "a", labels: { port: 80 } }] }],
  ["labels as a list", { staticInventory: "v1", workloads: [{ name: "a", labels: ["x"] }] }],
  ["an address number", { staticInventory: "v1", workloads: [{ name: "a", addresses: [10] }] }],
  ["addresses not a list", { staticInventory: "v1", workloads: [{ name: "a", addresses: "10.0.0.1" }] }],
  [
    "an address with an unknown key",
    { staticInventory: "v1", workloads: [{ name: "a", addresses: [{ ip: "10.0.0.1", until: "x" }] }] },
  ],
  [
    "an address without ip",
    { staticInventory: "v1", workloads: [{ name: "a", addresses: [{ from: "2024-03-01T00:00:00Z" }] }] },
  ],
  [
    "a time that is not one",
    { staticInventory: "v1", workloads: [{ name: "a", addresses: [{ ip: "10.0.0.1", from: "monday" }] }] },
  ],
  [
    "a time as a number",
    { staticInventory: "v1", workloads: [{ name: "a", addresses: [{ ip: "10.0.0.1", to: 1709251200 }] }] },
  ],
  ["a network without cidrs", { staticInventory: "v1", networks: [{ name: "n" }] }],
  ["a network with no cidrs", { staticInventory: "v1", networks: [{ name: "n", cidrs: [] }] }],
  ["a network cidr number", { staticInventory: "v1", networks: [{ name: "n", cidrs: [10] }] }],
  ["a network with a bad name", { staticInventory: "v1", networks: [{ name: "N", cidrs: ["10.0.0.0/8"] }] }],
  ["a document that is a list", [{ staticInventory: "v1" }]],
  // not from YAML, but the reader must still defer: a sparse list, a symbol key
  // biome-ignore lint/suspicious/noSparseArray: the hole is the case
  ["a cidr list with a hole", { staticInventory: "v1", networks: [{ name: "n", cidrs: [, "10.0.0.0/8"] }] }],
  [
    "labels with a symbol key",
    { staticInventory: "v1", workloads: [{ name: "a", labels: { app: "x", [Symbol("k")]: "y" } }] },
  ],
];

/** Stands for "the key is there, its value undefined" among the odd values. */
const PRESENT_UNDEFINED = Symbol("present but undefined");

const ODD_VALUES: unknown[] = [
  undefined,
  PRESENT_UNDEFINED,
  null,
  0,
  7,
  "",
  "x",
  "Bad_Name",
  "10.0.0.1",
  "2024-03-01T00:00:00Z",
  "not a time",
  true,
  [],
  ["10.0.0.1"],
  {},
  { ip: "10.0.0.2" },
  new Date("2024-01-01T00:00:00Z"),
  new Date(Number.NaN),
];

/** Replaces one value somewhere inside `doc` (or deletes it: undefined) by a random odd value. */
function mutate(doc: unknown, next: () => number): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const holders: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v))
      v.forEach((x, i) => {
        holders.push([v, i]);
        walk(x);
      });
    else if (v && typeof v === "object" && !(v instanceof Date))
      for (const [k, x] of Object.entries(v)) {
        holders.push([v as Record<string, unknown>, k]);
        walk(x);
      }
  };
  walk(copy);
  const [holder, key] = holders[Math.floor(next() * holders.length)];
  const value = ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
  if (value === undefined && !Array.isArray(holder)) delete holder[key as string];
  else (holder as Record<string | number, unknown>)[key] = value === PRESENT_UNDEFINED ? undefined : value;
  if (next() < 0.2) (holder as Record<string | number, unknown>).surplus = "x";
  return copy;
}

describe("the quick static inventory reader", () => {
  it.each(VALID)("accepts %s with the schema's value", (_name, doc) => {
    const quick = readValidStaticDoc(doc);
    const schema = staticInventorySchema.safeParse(doc);
    expect(schema.success).toBe(true);
    expect(quick).toStrictEqual(schema.data);
  });

  it("fills the schema's defaults and turns times into epoch ms", () => {
    const doc = readValidStaticDoc(FULL);
    expect(doc?.workloads[2]).toEqual({ name: "bare", kind: "vm", labels: {}, addresses: [] });
    expect(doc?.workloads[0].addresses[1]).toEqual({
      ip: "10.0.1.6",
      from: Date.UTC(2024, 2, 1),
      to: Date.UTC(2024, 2, 8),
    });
  });

  it.each(INVALID)("turns away %s, which the schema rejects", (_name, doc) => {
    expect(staticInventorySchema.safeParse(doc).success).toBe(false);
    expect(readValidStaticDoc(doc)).toBeUndefined();
  });

  it("never accepts a mutated document the schema rejects, nor reads one differently", () => {
    const next = prng(20261204);
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      let doc: unknown = FULL;
      for (let m = 1 + Math.floor(next() * 3); m > 0; m--) doc = mutate(doc, next);
      const quick = readValidStaticDoc(doc);
      const schema = staticInventorySchema.safeParse(doc);
      if (quick === undefined) {
        rejected++;
        continue;
      }
      accepted++;
      expect(schema.success, JSON.stringify(doc)).toBe(true);
      expect(quick).toStrictEqual(schema.data);
    }
    // the sweep exercised both outcomes
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});

describe("loading a static inventory the quick reader turns away", () => {
  it("reports the schema's message at the file and line of the bad value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "microseg-static-"));
    const file = join(dir, "inventory.yaml");
    writeFileSync(
      file,
      ["staticInventory: v1", "workloads:", "  - name: ok", "  - name: Not_OK", "    kind: vm", ""].join(
        "\n",
      ),
    );
    const err = await loadMixedInventory([file]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicrosegError);
    const p = (err as MicrosegError).problems[0];
    expect(p.code).toBe("resource-invalid");
    expect(p.message).toMatch(/^static inventory: .*DNS-1123/);
    expect(p.location).toMatchObject({ file, line: 4, path: "workloads.1.name" });
  });

  it("reads a valid file to the same workloads and bindings either way", async () => {
    const dir = mkdtempSync(join(tmpdir(), "microseg-static-"));
    const file = join(dir, "inventory.yaml");
    writeFileSync(
      file,
      [
        "staticInventory: v1",
        "workloads:",
        "  - name: db",
        "    namespace: data",
        "    labels: { app: db }",
        "    addresses:",
        "      - 10.0.0.5",
        "      - { ip: 10.0.0.6, from: 2024-03-01T00:00:00Z }",
        "networks:",
        "  - { name: corp, cidrs: [10.200.0.0/16] }",
        "",
      ].join("\n"),
    );
    const inv = await loadMixedInventory([file]);
    expect(inv.workloads.map((w) => [w.id, w.source, w.addresses])).toEqual([
      ["data/db", `${file}:3`, ["10.0.0.5", "10.0.0.6"]],
    ]);
    expect(inv.bindings.map((b) => [b.ip, b.workloadId, b.from])).toEqual([
      ["10.0.0.5", "data/db", undefined],
      ["10.0.0.6", "data/db", Date.UTC(2024, 2, 1)],
    ]);
    expect(inv.networks).toEqual([{ name: "corp", cidrs: ["10.200.0.0/16"] }]);
  });
});

/**
 * Evidence in generated policies: entity rules carry their flows, every target annotates its
 * policies with microseg.dev/evidence, and comments carry no absolute local path.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGenerate } from "../../src/cli/commands/generate.js";
import type { CommunicationMap } from "../../src/model/map.js";

let work: string;
const cwd = process.cwd();

const map = (): CommunicationMap => ({
  schemaVersion: 1,
  workloads: [
    {
      id: "mon/prometheus",
      kind: "pod-owner",
      namespace: "mon",
      name: "prometheus",
      labels: { app: "prom" },
      serviceAccount: "prom",
    },
    {
      id: "mon/api",
      kind: "pod-owner",
      namespace: "mon",
      name: "api",
      labels: { app: "api" },
      serviceAccount: "api",
    },
    { id: "entity:host", kind: "entity", name: "host", labels: {}, addresses: ["10.0.0.1"] },
  ],
  edges: [
    {
      src: "mon/prometheus",
      dst: "entity:host",
      ports: [{ protocol: "TCP", port: 9990 }],
      flows: 10,
      provenance: "observed",
      firstSeen: "2024-01-01T00:00:00.000Z",
      lastSeen: "2024-01-02T00:00:00.000Z",
    },
    {
      src: "mon/prometheus",
      dst: "mon/api",
      ports: [{ protocol: "TCP", port: 8080 }],
      flows: 0,
      provenance: "inferred",
      evidence: [`${join(cwd, "manifests", "prom.yaml")}:12 prometheus env TARGET=api:8080`],
    },
  ],
});

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "microseg-evidence-"));
  await writeFile(join(work, "map.json"), JSON.stringify(map()));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function generate(target: string): Promise<Record<string, string>> {
  const out = join(work, target);
  const r = await runGenerate({ map: join(work, "map.json"), target, out });
  const files: Record<string, string> = {};
  for (const o of r.objects) files[o.file] = await readFile(join(out, o.file), "utf8");
  return files;
}

describe("evidence in generated policies", () => {
  it("Cilium: the toEntities host rule says its flows, and every policy with rules is annotated", async () => {
    const files = await generate("cilium");
    const prom = files["mon/cilium-prometheus.yaml"];
    expect(prom).toMatch(
      /# 10 flows, first seen 2024-01-01T00:00:00.000Z, last seen 2024-01-02T00:00:00.000Z\n\s+- toEntities:\n\s+- host/,
    );
    expect(prom).not.toContain("no flows recorded");
    expect(prom).toContain("microseg.dev/evidence:");
    expect(files["mon/cilium-api.yaml"]).toContain("microseg.dev/evidence:");
  });

  it("Istio: AuthorizationPolicies are annotated with their evidence", async () => {
    const files = await generate("istio");
    const api = files["mon/authorization-policy-api.yaml"];
    expect(api).toContain("microseg.dev/evidence:");
    expect(api).toContain("manifests/prom.yaml:12");
  });

  it("paths under the current directory are written relative to it, in comments and annotations", async () => {
    for (const target of ["k8s", "cilium", "istio"]) {
      const all = Object.values(await generate(target)).join("\n");
      expect(all, target).toContain("manifests/prom.yaml:12");
      expect(all, target).not.toContain(cwd);
    }
  });
});

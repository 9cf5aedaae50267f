/**
 * The maintainers' Istio policies against real traffic: bookinfo's "Authorization for HTTP
 * traffic" task replayed with the bookinfo Hubble captures, and Online Boutique's Helm-rendered
 * AuthorizationPolicies with its static-discovery map (`verify --map`). Each run reports which
 * calls the policies deny and which allow rules no call uses; our generated Istio policies deny
 * none of those calls.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverMap } from "../../src/cli/commands/discover.js";
import { generateFromMap, renderObjects } from "../../src/cli/commands/generate.js";
import { verifyPolicies } from "../../src/cli/commands/verify.js";
import { mapToJson } from "../../src/io/map-file.js";
import { writeDirAtomic, writeFileAtomic } from "../../src/io/write.js";
import { corpusPath } from "../helpers/corpus.js";

const quiet = () => {};
const hubble = corpusPath("flows", "hubble");
const bookinfoTask = corpusPath("apps", "bookinfo", "policies", "istio-authz-http-task");
const obManifests = corpusPath("apps", "online-boutique", "manifests");
const obPolicies = corpusPath(
  "apps",
  "online-boutique",
  "policies",
  "istio-authorization",
  "authorization-policies.yaml",
);
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "microseg-l7-istio-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/**
 * The captures ran bookinfo in namespace `bookinfo`; the task's policies name `default` (in
 * metadata and principals). The test moves them to `bookinfo`, nothing else changes.
 */
async function bookinfoPolicies(): Promise<string> {
  const dir = join(work, "bookinfo-task");
  await mkdir(dir, { recursive: true });
  for (const f of (await readdir(bookinfoTask)).filter((f) => f !== "03-bookinfo-gateway-viewer.yaml")) {
    const text = await readFile(join(bookinfoTask, f), "utf8");
    await writeFile(
      join(dir, f),
      text
        .replaceAll("namespace: default", "namespace: bookinfo")
        .replaceAll("/ns/default/", "/ns/bookinfo/"),
    );
  }
  return dir;
}

describe("bookinfo captures × the Istio authz-http task", () => {
  it("reports the calls the task's policies deny, and the permissions no call uses", async () => {
    const { report } = await verifyPolicies({
      policies: [await bookinfoPolicies()],
      flows: [hubble],
      log: quiet,
    });
    const denied = report.denied.map((d) =>
      `${d.src} -> ${d.dst} ${d.protocol}/${d.port} ${d.http ? `${d.http.method} ${d.http.path}` : ""}`.trim(),
    );
    console.log(
      `bookinfo × Istio task: ${report.summary.denied} denied (${report.denied.length} distinct):\n  ${denied.join("\n  ")}\nunused: ${(report.unused ?? []).map((u) => `${u.policy} rule ${u.ruleIndex}`).join(", ")}`,
    );
    // the bookinfo calls themselves are GETs from the right service accounts: allowed
    expect(
      denied.filter((d) =>
        /^bookinfo\/(productpage|reviews)-v\d -> bookinfo\/(details|reviews|ratings)/.test(d),
      ),
    ).toEqual([]);
    // prometheus' scrape of reviews-v1's Envoy port 15090 comes from a principal no rule admits, but
    // the sidecar does not intercept its own ports (docs/semantics.md): nothing is denied
    expect(report.summary.evaluated).toBeGreaterThan(1000);
    expect(denied).toEqual([]);
    // every viewer rule admits some captured call
    expect(report.unused).toEqual([]);
  });

  it("our generated Istio policies deny none of the captured calls, and warn about the client from outside the mesh", async () => {
    const map = await discoverMap({ flows: [hubble], log: quiet });
    const dir = join(work, "bookinfo-generated");
    const generated = generateFromMap(map, "istio");
    await writeDirAtomic(dir, renderObjects(generated.objects));
    const { report } = await verifyPolicies({ policies: [dir], flows: [hubble], log: quiet });
    expect(report.summary.evaluated).toBeGreaterThan(0);
    // prometheus runs in istio-system (istio-injection=disabled): no sidecar, no mTLS identity; its
    // scrape reaches reviews-v1 only because port 15090 is Envoy's own (not intercepted), and
    // generate warns that any other request of it would be rejected by STRICT mTLS
    expect(report.denied).toEqual([]);
    expect(generated.synth.warnings.filter((w) => w.includes("outside the mesh"))).toEqual([
      "bookinfo/reviews-v1: client istio-system/prometheus is outside the mesh (its namespace is labelled istio-injection=disabled): it presents no mTLS identity, so no principal can admit it and STRICT mTLS rejects its plain-text requests",
    ]);
  });
});

describe("Online Boutique static map × the Helm chart's AuthorizationPolicies", () => {
  let mapFile: string;
  beforeAll(async () => {
    const map = await discoverMap({ inventory: [obManifests], log: quiet });
    mapFile = join(work, "ob-map.json");
    await writeFileAtomic(mapFile, mapToJson(map));
  });

  it("reports the calls denied and the permissions no call uses", async () => {
    const { report } = await verifyPolicies({
      policies: [obPolicies],
      inventory: [obManifests],
      map: mapFile,
      log: quiet,
    });
    const denied = report.denied.map((d) => `${d.src} -> ${d.dst} ${d.protocol}/${d.port}`);
    const unused = (report.unused ?? []).map((u) => `${u.policy} rule ${u.ruleIndex}`);
    console.log(
      `OB × Helm AuthorizationPolicies: denied ${denied.join(", ") || "none"}; unused: ${unused.join(", ") || "none"}`,
    );
    // the chart admits every call of the call graph (at L4; the map has no HTTP paths)
    expect(denied).toEqual([]);
    expect(report.summary.evaluated).toBeGreaterThan(15);
  });

  it("our generated Istio policies deny none of the map's calls", async () => {
    const map = await discoverMap({ inventory: [obManifests], log: quiet });
    const dir = join(work, "ob-generated");
    await writeDirAtomic(dir, renderObjects(generateFromMap(map, "istio").objects));
    const { report } = await verifyPolicies({
      policies: [dir],
      inventory: [obManifests],
      map: mapFile,
      log: quiet,
    });
    expect(report.denied).toEqual([]);
  });
});

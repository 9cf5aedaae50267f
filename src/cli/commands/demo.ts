/**
 * `microseg demo`: the main job end to end on real input, read from the shared corpus —
 * bookinfo Hubble captures (discover → generate → verify by replaying the flows) and Online
 * Boutique's manifests (static discovery → generate → verify the map → connectivity, ours and
 * the maintainers').
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeConnectivity } from "../../analysis/connectivity/connectivity.js";
import { assertInventoryValid, loadK8sInventory } from "../../inventory/k8s/load.js";
import { mapToJson } from "../../io/map-file.js";
import { type OutputFile, writeDirAtomic } from "../../io/write.js";
import { fail } from "../../model/problems.js";
import { renderConnlistTxt } from "../../render/connlist.js";
import { renderTextTable } from "../../render/table.js";
import { loadPolicyInputs } from "../inputs.js";
import type { CliIo } from "../main.js";
import { discoverMap, mapSummaryLine } from "./discover.js";
import { coveredWorkloads, generateFromMap, renderObjects } from "./generate.js";
import { deniedTable, verifyPolicies, verifySummaryLine } from "./verify.js";

/** Options of `demo`. */
export interface DemoOptions {
  data?: string;
  out: string;
  io: CliIo;
  log: (s: string) => void;
}

/** The project root: the nearest folder above this file with a package.json. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Finds the corpus: --data, else ../shared/corpus beside the project. */
export function findCorpus(data?: string): string {
  const dir = data ? resolve(data) : resolve(projectRoot(), "..", "shared", "corpus");
  const need = ["flows/hubble", "apps/online-boutique/manifests"];
  const missing = need.filter((n) => !existsSync(join(dir, n)));
  if (missing.length)
    fail(
      "data-missing",
      `the demo data is not at ${dir} (missing ${missing.join(", ")}); ` +
        "put the shared corpus beside the project (../shared/corpus) or pass --data DIR",
    );
  return dir;
}

/** Runs the demo; returns 0 when our policies deny none of the real traffic. */
export async function runDemo(o: DemoOptions): Promise<number> {
  const corpus = findCorpus(o.data);
  // generated files are read back from disk, as a user would, from a scratch folder
  const work = await mkdtemp(join(tmpdir(), "microseg-demo-"));
  try {
    return await demoIn(corpus, work, o);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function demoIn(corpus: string, work: string, o: DemoOptions): Promise<number> {
  const quiet = () => {};
  const files: OutputFile[] = [];
  const say = (s: string) => o.io.stdout(`${s}\n`);
  let denied = 0;

  // 1. bookinfo: real Hubble captures
  const flows = join(corpus, "flows", "hubble");
  say(`== bookinfo: Hubble flows from ${flows}`);
  const bMap = await discoverMap({ flows: [flows], log: quiet });
  say(`discover: ${mapSummaryLine(bMap)}`);
  const bGen = generateFromMap(bMap, "k8s");
  const bPolicies = renderObjects(bGen.objects);
  files.push({ path: "bookinfo/map.json", content: mapToJson(bMap) });
  for (const f of bPolicies) files.push({ path: `bookinfo/policies/${f.path}`, content: f.content });
  say(`generate: ${bGen.objects.length} NetworkPolicies for ${coveredWorkloads(bGen.synth)} workloads`);
  await writeDirAtomic(join(work, "bookinfo"), bPolicies);
  const bVerify = await verifyPolicies({ policies: [join(work, "bookinfo")], flows: [flows], log: quiet });
  say(verifySummaryLine(bVerify.report));
  if (bVerify.report.denied.length) say(renderTextTable(deniedTable(bVerify.report)));
  denied += bVerify.report.summary.denied;
  files.push({ path: "bookinfo/verify.json", content: `${JSON.stringify(bVerify.report, null, 2)}\n` });

  // 2. Online Boutique: manifests only (static discovery)
  const manifests = join(corpus, "apps", "online-boutique", "manifests");
  say(`\n== Online Boutique: manifests from ${manifests}`);
  const oMap = await discoverMap({ inventory: [manifests], log: quiet });
  say(`discover: ${mapSummaryLine(oMap)} (inferred from env values naming Services)`);
  const oGen = generateFromMap(oMap, "k8s");
  const oPolicies = renderObjects(oGen.objects);
  files.push({ path: "online-boutique/map.json", content: mapToJson(oMap) });
  for (const f of oPolicies) files.push({ path: `online-boutique/policies/${f.path}`, content: f.content });
  say(`generate: ${oGen.objects.length} NetworkPolicies for ${coveredWorkloads(oGen.synth)} workloads`);
  const staging = join(work, "online-boutique");
  await writeDirAtomic(staging, oPolicies);
  await writeDirAtomic(join(work, "map"), [{ path: "map.json", content: mapToJson(oMap) }]);
  const oVerify = await verifyPolicies({
    policies: [staging],
    map: join(work, "map", "map.json"),
    log: quiet,
  });
  say(verifySummaryLine(oVerify.report));
  denied += oVerify.report.summary.denied;
  files.push({
    path: "online-boutique/verify.json",
    content: `${JSON.stringify(oVerify.report, null, 2)}\n`,
  });

  const inv = assertInventoryValid(await loadK8sInventory([manifests]));
  const ours = await loadPolicyInputs({ policies: [staging], inventory: [manifests] }, quiet);
  const oursPairs = analyzeConnectivity({
    workloads: inv.workloads,
    namespaces: inv.namespaces,
    policies: ours.policies,
  });
  files.push({ path: "online-boutique/connectivity-generated.txt", content: renderConnlistTxt(oursPairs) });
  const maintainers = join(corpus, "apps", "online-boutique", "policies", "network-policies");
  const theirs = await loadPolicyInputs({ policies: [maintainers], inventory: [manifests] }, quiet);
  const theirPairs = analyzeConnectivity({
    workloads: inv.workloads,
    namespaces: inv.namespaces,
    policies: theirs.policies,
  });
  files.push({
    path: "online-boutique/connectivity-maintainers.txt",
    content: renderConnlistTxt(theirPairs),
  });
  say(
    `connectivity: our policies allow ${oursPairs.length} pairs; the maintainers' NetworkPolicies allow ${theirPairs.length}`,
  );

  await writeDirAtomic(o.out, files);
  say(`\nwrote ${files.length} files to ${o.out}/ (maps, policies, verify reports, connectivity)`);
  say(
    denied === 0
      ? "result: the generated policies allow all observed traffic"
      : `result: ${denied} flows would be denied`,
  );
  return denied === 0 ? 0 : 1;
}

/**
 * `microseg connectivity`: who can reach whom under the policies, as `src => dst : conns` lines
 * (netpol-analyzer's text form) or JSON.
 */
import { analyzeConnectivity } from "../../analysis/connectivity/connectivity.js";
import { writeFileAtomic } from "../../io/write.js";
import { renderConnlistJson, renderConnlistTxt } from "../../render/connlist.js";
import { countPolicies, loadPolicyInputs } from "../inputs.js";
import type { CliIo } from "../main.js";

/** Options of `connectivity`. */
export interface ConnectivityOptions {
  dir?: string[];
  policies?: string[];
  inventory?: string[];
  output: "txt" | "json";
  out?: string;
  io: CliIo;
  log: (s: string) => void;
}

/** Runs `connectivity`; returns the exit code. */
export async function runConnectivity(o: ConnectivityOptions): Promise<number> {
  const { inventory, policies } = await loadPolicyInputs(o, o.log);
  const pairs = analyzeConnectivity({
    workloads: inventory.workloads,
    namespaces: inventory.namespaces,
    policies,
  });
  const text = o.output === "json" ? renderConnlistJson(pairs) : renderConnlistTxt(pairs);
  if (o.out) await writeFileAtomic(o.out, text);
  else o.io.stdout(text);
  o.log(
    `${inventory.workloads.length} workloads, ${countPolicies(policies)} policies: ${pairs.length} pairs with allowed connections`,
  );
  return 0;
}

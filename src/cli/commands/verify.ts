/**
 * `microseg verify`: replays forwarded request flows (or a map's edges) against policies and
 * lists what the policies would deny. Exit 1 when anything would be denied.
 */
import { type ReplayItem, type ReplayReport, replay } from "../../analysis/replay/replay.js";
import { createEvaluator } from "../../eval/evaluate.js";
import { flowRole, isSelfPeer } from "../../graph/build.js";
import { templatePath } from "../../graph/http-template.js";
import type { IdentityResolver } from "../../identity/resolve.js";
import type { Inventory } from "../../inventory/types.js";
import { readMapFile } from "../../io/map-file.js";
import { writeFileAtomic } from "../../io/write.js";
import type { Flow } from "../../model/flow.js";
import type { CommunicationMap } from "../../model/map.js";
import { parseProtocol } from "../../model/ports.js";
import { fail } from "../../model/problems.js";
import type { Workload } from "../../model/workload.js";
import type { PolicySet } from "../../policy/ir/types.js";
import { renderTextTable, type Table } from "../../render/table.js";
import { prepareFlows } from "../flows.js";
import { countPolicies, loadPolicyInputs, reportProblems } from "../inputs.js";
import type { CliIo } from "../main.js";

/** Options of `verify`. */
export interface VerifyOptions {
  policies: string[];
  inventory?: string[];
  flows?: string[];
  map?: string;
  format?: string;
  /** `--vpc-fields`: the field order of headerless AWS VPC flow logs. */
  vpcFields?: string;
  strict?: boolean;
  /** Log every flow format's detection score. */
  verbose?: boolean;
  output: "table" | "json";
  out?: string;
  io: CliIo;
  log: (s: string) => void;
}

/** The verify report: the replay plus what was replayed. */
export interface VerifyReport extends ReplayReport {
  input: { kind: "flows" | "map"; policies: number };
}

/** Workload records for a map's ids, with namespace labels from the inventory when it has them. */
function mapWorkloads(map: CommunicationMap, inv: Inventory): (id: string) => Workload {
  const byId = new Map<string, Workload>(map.workloads.map((w) => [w.id, w as Workload]));
  return (id) => {
    const w = byId.get(id) ?? inv.workloads.find((x) => x.id === id);
    if (w) {
      const nsLabels = w.namespace ? inv.namespaces.get(w.namespace) : undefined;
      return nsLabels ? { ...w, namespaceLabels: { ...(w.namespaceLabels ?? {}), ...nsLabels } } : w;
    }
    if (id.startsWith("entity:")) return { id, kind: "entity", name: id.slice(7), labels: {} };
    if (id.startsWith("cidr:")) return { id, kind: "external", name: id.slice(5), labels: {} };
    fail("map-invalid", `edge names workload ${id}, which the map does not list`);
  };
}

/** Every edge × port of a map as replay items (one per edge port). */
export function* mapItems(map: CommunicationMap, workload: (id: string) => Workload): Generator<ReplayItem> {
  for (const e of map.edges) {
    const src = workload(e.src);
    const dst = workload(e.dst);
    // one item per edge port, each carrying its edge's flows (the map does not split them by port)
    const edge = `${e.src} -> ${e.dst}`;
    for (const p of e.ports)
      yield { src, dst, protocol: p.protocol, port: p.port, count: 1, flows: e.flows, edge };
  }
}

/**
 * Replay items from flows: exactly the records that `discover` turns into edges (forwarded or
 * audit requests with a port, not within one pod), resolved to workloads; the rest are counted.
 */
export async function* flowItems(
  flows: AsyncIterable<Flow>,
  resolver: IdentityResolver,
  skipped: Record<string, number>,
): AsyncGenerator<ReplayItem> {
  for await (const f of flows) {
    resolver.learn(f); // no-op after a learning pass; one-pass input (stdin) learns as it goes
    const role = flowRole(f);
    if (role !== "edge") {
      skipped[role] = (skipped[role] ?? 0) + 1;
      continue;
    }
    const src = resolver.resolve(f.src, f.time).id;
    const dst = resolver.resolve(f.dst, f.time).id;
    if (isSelfPeer(src, dst)) {
      skipped["self-peer"] = (skipped["self-peer"] ?? 0) + 1;
      continue;
    }
    const item: ReplayItem = {
      src: resolver.workload(src),
      dst: resolver.workload(dst),
      protocol: parseProtocol(f.protocol)!,
      port: f.dst.port!,
      count: 1,
    };
    if (f.time !== undefined) item.time = f.time;
    // a node entity is matched by NetworkPolicy ipBlocks at the address the record carried
    if (src.startsWith("entity:") && f.src.ip) item.srcIp = f.src.ip;
    if (dst.startsWith("entity:") && f.dst.ip) item.dstIp = f.dst.ip;
    if (f.http)
      item.http = {
        method: f.http.method,
        path: templatePath(f.http.path),
        requestPath: f.http.path,
        ...(f.http.host ? { host: f.http.host } : {}),
      };
    yield item;
  }
}

/** Runs the replay for the options (no output). */
export async function verifyPolicies(
  o: Omit<VerifyOptions, "output" | "io">,
): Promise<{ report: VerifyReport; policies: PolicySet }> {
  if (!o.flows?.length === !o.map) fail("usage", "give either --flows or --map (not both)");
  const { inventory, policies } = await loadPolicyInputs(
    { policies: o.policies, inventory: o.inventory },
    o.log,
  );
  const evaluator = createEvaluator(policies);
  const input = { kind: o.map ? ("map" as const) : ("flows" as const), policies: countPolicies(policies) };
  if (o.map) {
    const map = await readMapFile(o.map);
    const report = await replay(mapItems(map, mapWorkloads(map, inventory)), evaluator, {
      hostAlwaysAllowed: true,
    });
    return { report: { ...report, input }, policies };
  }
  const hasInventory = (o.inventory?.length ?? 0) > 0;
  const prepared = await prepareFlows({
    flows: o.flows!,
    format: o.format,
    vpcFields: o.vpcFields,
    strict: o.strict,
    log: o.log,
    verbose: o.verbose,
    ...(hasInventory ? { inventory } : {}),
  });
  const skipped: Record<string, number> = {};
  const report = await replay(flowItems(prepared.stream(), prepared.resolver, skipped), evaluator, {
    hostAlwaysAllowed: true,
  });
  report.summary.skipped = Object.fromEntries(Object.entries(skipped).sort());
  reportProblems(prepared.problems.items, o.log);
  return { report: { ...report, input }, policies };
}

/** The denied list as a table. */
export function deniedTable(r: ReplayReport): Table {
  return {
    columns: [
      { name: "src", type: "string" },
      { name: "dst", type: "string" },
      { name: "port", type: "string" },
      { name: "http", type: "string" },
      { name: "flows", type: "number" },
      { name: "denied by", type: "string" },
      { name: "reason", type: "string" },
    ],
    rows: r.denied.map((d) => [
      d.src,
      d.dst,
      `${d.protocol}/${d.port}`,
      d.http ? `${d.http.method} ${d.http.path}` : "",
      d.flows,
      d.deniedBy,
      d.reason,
    ]),
  };
}

/** One summary line. */
export function verifySummaryLine(r: VerifyReport): string {
  const s = r.summary;
  const skipped = Object.entries(s.skipped)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
  const tail = skipped ? `; not replayed: ${skipped}` : "";
  if (r.input.kind === "map") {
    const f = s.flows ?? { evaluated: 0, allowed: 0, denied: 0 };
    return (
      `verify: ${s.evaluated} edge ports (edges carrying ${f.evaluated} flows) replayed against ${r.input.policies} policies: ` +
      `${s.allowed} edge ports allowed, ${s.denied} would be denied (${s.deniedDistinct} distinct; their edges carry ${f.denied} flows)${tail}`
    );
  }
  return (
    `verify: ${s.evaluated} flows replayed against ${r.input.policies} policies: ${s.allowed} allowed, ` +
    `${s.denied} would be denied (${s.deniedDistinct} distinct)${tail}`
  );
}

/** Runs `verify`; returns 1 when anything would be denied. */
export async function runVerify(o: VerifyOptions): Promise<number> {
  const { report } = await verifyPolicies(o);
  const json = `${JSON.stringify({ denied: report.denied, unused: report.unused ?? [], summary: report.summary }, null, 2)}\n`;
  if (o.out) await writeFileAtomic(o.out, json);
  if (o.output === "json") o.io.stdout(json);
  else if (report.denied.length) o.io.stdout(renderTextTable(deniedTable(report)));
  o.log(verifySummaryLine(report));
  const unused = report.unused ?? [];
  if (unused.length) {
    o.log(`verify: ${unused.length} allow rules were used by no replayed request:`);
    for (const u of unused) o.log(`  ${u.policy} ${u.direction} rule ${u.ruleIndex}`);
  }
  return report.summary.denied > 0 ? 1 : 0;
}

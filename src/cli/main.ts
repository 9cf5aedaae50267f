/**
 * The `microseg` command line: thin commands that parse flags and call the library.
 * Exit codes: 0 ok, 1 findings (denied flows …), 2 bad input or usage.
 */
import { Command, CommanderError, Option } from "commander";
import type { MicrosegConfig } from "../config/schema.js";
import { flowFormatNames } from "../ingest/registry.js";
import { formatProblem, MicrosegError } from "../model/problems.js";
import { TARGET_NAMES } from "../policy/target-names.js";
import { examples, flowFormatHelp, outputOption } from "./help.js";
import { VERSION } from "./version.js";

/**
 * The configuration `--config` names (validated: a bad file is an error whatever the command),
 * or the empty one. Its reader and schema load only when a file is given: most runs have none,
 * and building the schema is a noticeable part of start-up.
 */
async function loadConfigIfGiven(path: string | undefined): Promise<MicrosegConfig> {
  return path ? (await import("../config/load.js")).loadConfig(path) : {};
}

/** Exit codes of every command. */
export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 70 } as const;

/** How a command talks to the outside: output streams (tests pass their own). */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** True when stderr is a terminal (progress output is shown only then). */
  isTty: boolean;
}

const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTty: Boolean(process.stderr.isTTY),
};

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Builds the command tree; `setExit` receives each command's exit code. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const log = (s: string) => io.stderr(`${s}\n`);
  const program = new Command("microseg")
    .description(
      "Network microsegmentation: map who talks to whom from flow logs and inventory, generate " +
        "default-deny policies that allow exactly that, and verify them by replaying the flows.",
    )
    .version(VERSION, "-V, --version")
    .option(
      "--config <file>",
      "configuration file (microseg.yaml: zones, data classes, the CDE), read by generate, zones, lint, " +
        "cde and blast-radius; microseg init writes a starter one",
    )
    .option("--verbose", "say more: every flow format's detection score (discover, verify, ingest)", false)
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(run the command with --help for usage)")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  program
    .command("discover")
    .summary("flows + inventory → communication map")
    .description(
      "Builds the communication map: which workload talks to which, on which ports, how often and " +
        `when. With flows (${flowFormatNames().join(", ")}; detected per file), edges are observed; ` +
        "with manifests only, edges are inferred from env values that name a Service.",
    )
    .option("--flows <path>", "flow file, directory (recursive) or - for stdin; .gz ok; repeatable", collect)
    .option("--inventory <path>", "Kubernetes manifests (file or directory, recursive); repeatable", collect)
    .option("--format <name>", flowFormatHelp(), "auto")
    .option(
      "--vpc-fields <fields>",
      "AWS VPC flow logs without a header line: their field names in order (space- or comma-separated)",
    )
    .option("--strict", "a malformed flow record is fatal instead of skipped", false)
    .option("--store <spec>", "build the map from a store (see ingest) instead of --flows")
    .option("--since <time>", "with --store: from this time (RFC 3339, or a duration ago: 7d, 12h)")
    .option("--until <time>", "with --store: up to this time (RFC 3339, or a duration ago)")
    .addOption(outputOption(["table", "json", "mermaid"], "table"))
    .option("--out <file>", "write the map (JSON) to this file")
    .addHelpText(
      "after",
      examples(
        "microseg discover --flows hubble.jsonl --out map.json",
        "microseg discover --flows vpc-logs/ --inventory k8s/ --out map.json",
        "microseg discover --inventory k8s/ -o mermaid",
        "microseg discover --store .microseg/flows.duckdb --since 7d --out map.json",
      ),
    )
    .action(async (o) => {
      await loadConfigIfGiven(program.opts().config);
      setExit(
        await (await import("./commands/discover.js")).runDiscover({
          ...o,
          verbose: program.opts().verbose,
          io,
          log,
        }),
      );
    });

  program
    .command("generate")
    .summary("map → default-deny policies for --target")
    .description(
      "Writes policies that allow exactly the map's edges: per namespace a default deny (ingress and " +
        "egress) and DNS egress to kube-dns; per workload one policy with one rule per peer, selected by " +
        "namespace name and identifying labels. Each rule carries its evidence (flows, first/last seen).",
    )
    .requiredOption("--map <file>", "communication map (from discover --out)")
    .addOption(new Option("--target <name>", `policy language: ${TARGET_NAMES.join(", ")}`).default("k8s"))
    .option("--out <dir>", "write one file per policy into this directory (else YAML to stdout)")
    .option("--exclude-namespace <ns>", "generate no policies for this namespace; repeatable", collect)
    .option(
      "--include-system-namespaces",
      "also generate policies for kube-system, kube-public, kube-node-lease",
      false,
    )
    .option("--ignore-zones", "turn every edge into rules, even those the zone matrix forbids", false)
    .option("--istio-audit", "istio: write AUDIT policies only (staged rollout; nothing enforced)", false)
    .option(
      "--max-path-templates <n>",
      "cilium/istio: distinct HTTP path templates per edge and method before widening to a prefix",
      (v: string) => Number.parseInt(v, 10),
    )
    .addHelpText(
      "after",
      examples(
        "microseg generate --map map.json --out policies/",
        "microseg generate --map map.json --target cilium > policies.yaml",
        "microseg generate --config microseg.yaml --map map.json --target istio --istio-audit --out istio/",
      ),
    )
    .action(async (o) => {
      const config = await loadConfigIfGiven(program.opts().config);
      await (await import("./commands/generate.js")).runGenerate({ ...o, config, stdout: io.stdout, log });
      setExit(EXIT.ok);
    });

  program
    .command("verify")
    .summary("replay flows (or a map) against policies → would-be-denied flows")
    .description(
      "Replays every forwarded request flow (or, with --map, every edge) against the policies and " +
        "lists what they would deny, with the reason. Exit 1 when anything would be denied.",
    )
    .requiredOption("--policies <path>", "policy files or directories; repeatable", collect)
    .option(
      "--inventory <path>",
      "Kubernetes manifests for workload labels and namespaces; repeatable",
      collect,
    )
    .option("--flows <path>", "flow file, directory or -; repeatable", collect)
    .option("--map <file>", "replay the edges of a map instead of flows")
    .option("--format <name>", flowFormatHelp(), "auto")
    .option(
      "--vpc-fields <fields>",
      "AWS VPC flow logs without a header line: their field names in order (space- or comma-separated)",
    )
    .option("--strict", "a malformed flow record is fatal instead of skipped", false)
    .addOption(outputOption(["table", "json"], "table"))
    .option("--out <file>", "also write the JSON report to this file")
    .addHelpText(
      "after",
      examples(
        "microseg verify --policies policies/ --inventory k8s/ --flows hubble.jsonl",
        "microseg verify --policies policies/ --map map.json -o json --out report.json",
      ),
    )
    .action(async (o) => {
      await loadConfigIfGiven(program.opts().config);
      setExit(
        await (await import("./commands/verify.js")).runVerify({
          ...o,
          verbose: program.opts().verbose,
          io,
          log,
        }),
      );
    });

  program
    .command("connectivity")
    .summary("policies + workloads → who can reach whom")
    .description(
      "Lists every pair of workloads (and external address ranges, and {ingress-controller} for " +
        "Ingress/Route objects) with the connections the policies allow, one `src => dst : conns` line " +
        "each (netpol-analyzer's `list` output and flags). With --src and --dst, answers for one " +
        "connection instead.",
    )
    .option("--dir <path>", "manifests and policies together; repeatable", collect)
    .option("--policies <path>", "policy files or directories; repeatable", collect)
    .option("--inventory <path>", "workload manifests; repeatable", collect)
    .addOption(outputOption(["txt", "json", "csv", "md", "dot"], "txt"))
    .option("--out <file>", "write the result to this file instead of stdout")
    .option(
      "--focusworkload <names>",
      "only pairs with this workload (name or ns/name; a,b); repeatable",
      collect,
    )
    .option(
      "--focusworkload-peer <names>",
      "with --focusworkload: only pairs with this peer; repeatable",
      collect,
    )
    .addOption(new Option("--focus-direction <dir>", "with --focusworkload: ingress or egress only"))
    .option("--focus-conn <conn>", "only pairs that allow this connection, e.g. tcp-80")
    .option(
      "--multiple-networks [bool]",
      "analyse user-defined and secondary networks separately (default false)",
      (v: string) => !/^(false|0|no|off)$/i.test(v),
    )
    .option("--exposure", "also list what each workload is exposed to beyond the input")
    .option("--explain", "explain each pair's allowed and denied connections by the deciding rules")
    .addOption(
      new Option("--explain-only <kind>", "with --explain: only allowed or only denied").choices([
        "allow",
        "deny",
      ]),
    )
    .option("--src <peer>", "single connection: source (ns/name of a workload or pod, or an address)")
    .option("--dst <peer>", "single connection: destination")
    .option("--conn <conn>", "single connection: e.g. tcp-80 (else all allowed connections)")
    .addHelpText(
      "after",
      examples(
        "microseg connectivity --dir k8s/",
        "microseg connectivity --policies policies/ --inventory k8s/ --focusworkload frontend -o md",
        "microseg connectivity --dir k8s/ --src default/frontend --dst default/cartservice --conn tcp-7070",
        "microseg connectivity --dir k8s/ --explain --explain-only deny",
      ),
    )
    .action(async (o) => {
      await loadConfigIfGiven(program.opts().config);
      setExit(await (await import("./commands/connectivity.js")).runConnectivity({ ...o, io, log }));
    });

  program
    .command("ingest")
    .summary("flows → store (DuckDB by default), idempotent per file")
    .description(
      "Reads flow files into a store: hourly edge aggregates (raw flows with --keep-raw), workloads " +
        "and the files' content hashes. Each file is one transaction: a file already ingested (same " +
        "content hash, XXH3-128) is skipped, and a killed run leaves no file half-written. Addresses resolve with the " +
        "inventory's binding valid at each flow's time (manifests, pod dumps, static YAML inventory).",
    )
    .option("--flows <path>", "flow file or directory (recursive); .gz ok; repeatable", collect)
    .option(
      "--inventory <path>",
      "Kubernetes manifests, kubectl get pods -o json dumps, static inventory YAML; repeatable",
      collect,
    )
    .option(
      "--store <spec>",
      "DuckDB file, duckdb:PATH, memory: or clickhouse://host:port/db",
      ".microseg/flows.duckdb",
    )
    .option("--format <name>", flowFormatHelp(), "auto")
    .option("--vpc-fields <names>", "AWS VPC flow logs without a header: the field names in order")
    .option("--keep-raw", "also keep every raw flow record", false)
    .option("--no-bulk", "stream AWS VPC files through the parser instead of letting DuckDB read them")
    .option("--strict", "a malformed flow record is fatal (the file is not ingested)", false)
    .addOption(
      new Option("--chunk-rows <n>", "rows held before writing into the file's transaction")
        .argParser(Number)
        .hideHelp(),
    )
    .addOption(outputOption(["text", "json"], "text", "summary format on stdout"))
    .addHelpText(
      "after",
      examples(
        "microseg ingest --flows vpc-logs/ --inventory pods-0900.json --inventory pods-1500.json",
        "microseg ingest --flows hubble/ --store duckdb:/var/lib/microseg/flows.duckdb",
        "microseg discover --store .microseg/flows.duckdb --since 7d --out map.json",
      ),
    )
    .action(async (o) => {
      await loadConfigIfGiven(program.opts().config);
      setExit(
        await (await import("./commands/ingest.js")).runIngest({
          ...o,
          verbose: program.opts().verbose,
          io,
          log,
        }),
      );
    });

  program
    .command("cde")
    .summary("prove cardholder-data isolation; write the evidence for an assessor")
    .description(
      "Proves that no workload outside the CDE (cde.members of --config), and no outside address, can " +
        "reach a CDE workload except through the declared connectors, listing every breaking path with " +
        "the rules that permit each hop, and what each CDE workload may connect out to (PCI DSS 1.3.2: " +
        "unrestricted outbound, or outbound to a workload that is neither in the CDE nor a connector, " +
        "fails isolation). With --out DIR, writes cde-evidence.md and cde-evidence.json " +
        "(inputs with SHA-256, policies evaluated, timestamp, result per CDE workload). Exit 1 when " +
        "isolation fails.",
    )
    .option("--policies <path>", "policy files or directories; repeatable", collect)
    .option("--inventory <path>", "workload manifests; repeatable", collect)
    .option("--out <dir>", "write cde-evidence.md and cde-evidence.json into this directory")
    .addOption(outputOption(["text", "json", "md"], "text", "what to print"))
    .addHelpText(
      "after",
      examples(
        "microseg cde --config microseg.yaml --policies policies/ --inventory k8s/",
        "microseg cde --config microseg.yaml --policies policies/ --inventory k8s/ --out evidence/",
      ),
    )
    .action(async (o) => {
      const configPath = program.opts().config as string | undefined;
      const config = await loadConfigIfGiven(configPath);
      setExit(await (await import("./commands/cde.js")).runCde({ ...o, config, configPath, io, log }));
    });

  program
    .command("init")
    .summary("write a commented starter microseg.yaml (zones pinned from a map)")
    .description(
      "Writes a commented starter configuration: with --map, the zones the heuristics find pinned as " +
        "selectors; the default zone matrix spelled out; bastions, data classes, the CDE and flow " +
        "sources as examples to fill in. Never replaces an existing file unless --force.",
    )
    .option("--map <file>", "communication map to pin the zones from")
    .option("--out <file>", "write the configuration to this file (else stdout)")
    .option("--force", "replace an existing --out file", false)
    .addHelpText(
      "after",
      examples("microseg init --map map.json --out microseg.yaml", "microseg init > microseg.yaml"),
    )
    .action(async (o) => {
      setExit(await (await import("./commands/init.js")).runInit({ ...o, io, log }));
    });

  program
    .command("lint")
    .summary("find segmentation mistakes in policies (NetworkPolicy/ANP/BANP, Cilium, Istio)")
    .description(
      "Checks policies and the workloads found in the same paths for the classic mistakes: no default " +
        "deny, allow-all peers, broad or pod-IP ipBlocks, data without L7 rules, data reachable from " +
        "public, management reachable from non-bastions, DNS egress anywhere, selectors matching " +
        "nothing, duplicate names, redundant or shadowed rules, missing policyTypes, no flow monitoring. " +
        "Zones come from --config, else the heuristics. Exit 1 when a finding is an error. " +
        "--list-rules prints the catalogue.",
    )
    .argument("[paths...]", "policy and manifest files or directories")
    .addOption(outputOption(["table", "json", "sarif"], "table"))
    .option("--out <file>", "write the result to this file instead of stdout")
    .option("--list-rules", "print the rule catalogue and exit", false)
    .addHelpText(
      "after",
      examples(
        "microseg lint k8s/",
        "microseg lint --config microseg.yaml policies/ k8s/ -o sarif --out lint.sarif",
        "microseg lint --list-rules",
      ),
    )
    .action(async (paths: string[], o) => {
      const configPath = program.opts().config as string | undefined;
      const config = await loadConfigIfGiven(configPath);
      setExit(
        await (await import("./commands/lint.js")).runLint({ ...o, paths, config, configPath, io, log }),
      );
    });

  program
    .command("zones")
    .summary("map → every workload's trust zone, with the reason")
    .description(
      "Classifies every workload of a map into a trust zone: the zones of --config first (first " +
        "selector that matches), else heuristics: exposed (LoadBalancer/NodePort/Ingress or outside " +
        "traffic) → public; database, cache or queue image or port → data; monitoring/logging/CI " +
        "namespace → management; the cluster's namespaces → infrastructure; the rest → application.",
    )
    .requiredOption("--map <file>", "communication map (from discover --out)")
    .addOption(outputOption(["table", "json"], "table"))
    .option("--out <file>", "write the result to this file instead of stdout")
    .addHelpText(
      "after",
      examples(
        "microseg zones --map map.json",
        "microseg zones --config microseg.yaml --map map.json -o json",
      ),
    )
    .action(async (o) => {
      const config = await loadConfigIfGiven(program.opts().config);
      setExit(await (await import("./commands/zones.js")).runZones({ ...o, config, io }));
    });

  program
    .command("blast-radius")
    .summary("if a workload is compromised, what can the attacker reach?")
    .description(
      "Per workload: what it reaches in one hop and transitively (pivoting through every workload it " +
        "reaches) under the policies (permitted: --policies with --inventory) and in a map (used: --map), " +
        "the data classes held there (--config dataClasses), ranked by reach, with the sentence " +
        "'If X is compromised, the attacker can reach Y and Z, which hold pci, pii.'",
    )
    .option("--policies <path>", "policy files or directories; repeatable", collect)
    .option("--inventory <path>", "workload manifests; repeatable", collect)
    .option("--map <file>", "communication map (used reach)")
    .option("--workload <name>", "only this workload (ns/name or name)")
    .addOption(outputOption(["table", "json", "md", "html"], "table"))
    .option("--out <file>", "write the report to this file instead of stdout")
    .addHelpText(
      "after",
      examples(
        "microseg blast-radius --policies policies/ --inventory k8s/",
        "microseg blast-radius --config microseg.yaml --policies policies/ --inventory k8s/ --map map.json",
        "microseg blast-radius --policies policies/ --inventory k8s/ --workload default/frontend -o html --out br.html",
      ),
    )
    .action(async (o) => {
      const config = await loadConfigIfGiven(program.opts().config);
      setExit(await (await import("./commands/blast-radius.js")).runBlastRadius({ ...o, config, io, log }));
    });

  program
    .command("demo")
    .summary("run discover → generate → verify on bundled real input")
    .description(
      "Runs the main job on real captures: Hubble flows of a cluster running Istio's bookinfo, and " +
        "Online Boutique's manifests (static discovery). Reads ../shared/corpus beside the project " +
        "unless --data says where the corpus is.",
    )
    .option("--data <dir>", "the corpus directory (holding flows/ and apps/)")
    .option("--out <dir>", "where to write maps, policies and reports", "microseg-demo")
    .addHelpText("after", examples("microseg demo", "microseg demo --data ../shared/corpus --out /tmp/demo"))
    .action(async (o) => {
      setExit(await (await import("./commands/demo.js")).runDemo({ ...o, io, log }));
    });

  return program;
}

/** Runs the CLI with the given arguments (without node and script); returns the exit code. */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        (e.code === "commander.help" && e.exitCode === 0)
      )
        return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof MicrosegError) {
      for (const p of e.problems) io.stderr(`microseg: ${formatProblem(p)}\n`);
      return EXIT.usage;
    }
    io.stderr(`microseg: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.internal;
  }
}

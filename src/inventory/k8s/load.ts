/**
 * Kubernetes manifests (files or directories; YAML, JSON, lists, `kubectl get` dumps) → Inventory.
 */
import { expandPaths } from "../../io/files.js";
import {
  flattenListDocuments,
  type ParseYamlOptions,
  parseYamlDocuments,
  readManifestFile,
  type YamlParseResult,
} from "../../io/yaml.js";
import { MicrosegError, type Problem } from "../../model/problems.js";
import type { Inventory, K8sResource } from "../types.js";
import { buildK8sInventory } from "./build.js";
import { toK8sResource } from "./resource.js";

/** Options for {@link loadK8sInventory}. */
export interface LoadK8sOptions {
  /** `fatal` (default): a YAML syntax error throws; `skip`: broken documents are skipped with a warning. */
  syntaxErrors?: ParseYamlOptions["syntaxErrors"];
}

/**
 * Reads every manifest under `paths` into an Inventory. Unreadable paths and YAML syntax errors
 * throw a MicrosegError; resource-level problems (missing kind or name, bad ports, unknown kinds,
 * non-Kubernetes documents) are returned in `problems` — see {@link assertInventoryValid}.
 */
export async function loadK8sInventory(
  paths: readonly string[],
  opts: LoadK8sOptions = {},
): Promise<Inventory> {
  const files = await expandPaths(paths);
  const parsed: YamlParseResult[] = [];
  for (const file of files) parsed.push(await readManifestFile(file, yamlOptions(opts)));
  return inventoryFromParsed(parsed, files);
}

/** Builds an inventory from manifest texts (tests, stdin, the HTTP API): same rules as files. */
export function loadK8sInventoryFromText(
  sources: readonly { file: string; text: string }[],
  opts: LoadK8sOptions = {},
): Inventory {
  const parsed = sources.map(({ file, text }) => {
    const r = parseYamlDocuments(text, file, yamlOptions(opts));
    return { documents: flattenListDocuments(r.documents), problems: r.problems };
  });
  return inventoryFromParsed(
    parsed,
    sources.map((s) => s.file),
  );
}

function yamlOptions(opts: LoadK8sOptions): ParseYamlOptions {
  return { syntaxErrors: opts.syntaxErrors ?? "fatal" };
}

function inventoryFromParsed(parsed: readonly YamlParseResult[], files: string[]): Inventory {
  const resources: K8sResource[] = [];
  const problems: Problem[] = [];
  for (const p of parsed) {
    problems.push(...p.problems);
    for (const doc of p.documents) {
      const r = toK8sResource(doc);
      problems.push(...r.problems);
      if (r.resource) resources.push(r.resource);
    }
  }
  return buildK8sInventory(resources, { files, problems });
}

/** Throws a MicrosegError carrying every error-severity problem, if there is one. */
export function throwOnErrors(problems: readonly Problem[]): void {
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length) throw new MicrosegError(errors);
}

/** Throws when the inventory has error problems (fatal for commands: exit 2); returns it otherwise. */
export function assertInventoryValid(inv: Inventory): Inventory {
  throwOnErrors(inv.problems);
  return inv;
}

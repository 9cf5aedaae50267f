/**
 * Help building blocks shared by the commands: `-o/--output` with the human-format synonyms,
 * `--format` listing the flow formats of the registry, and an Examples section.
 */
import { InvalidArgumentError, Option } from "commander";
import { flowFormatNames } from "../ingest/registry.js";

/**
 * The names of the human-readable output, one per command for historical reasons (discover
 * `table`, connectivity `txt` as netpol-analyzer names it, ingest/cde `text`): each command accepts
 * all three and reads them as its own.
 */
export const HUMAN_FORMATS = ["table", "txt", "text"] as const;

/** The canonical name `value` stands for among `names` (human synonyms folded), or undefined. */
export function resolveOutputFormat(value: string, names: readonly string[]): string | undefined {
  const v = value.trim().toLowerCase();
  if (names.includes(v)) return v;
  const human = names.find((n) => (HUMAN_FORMATS as readonly string[]).includes(n));
  if (human && (HUMAN_FORMATS as readonly string[]).includes(v)) return human;
  return undefined;
}

/** How the choices read in help: `table (or txt, text), json, mermaid`. */
export function describeOutputFormats(names: readonly string[]): string {
  return names
    .map((n) =>
      (HUMAN_FORMATS as readonly string[]).includes(n)
        ? `${n} (or ${HUMAN_FORMATS.filter((h) => h !== n).join(", ")})`
        : n,
    )
    .join(", ");
}

/** `-o, --output <format>` accepting `names` (the first human one also as its synonyms). */
export function outputOption(names: readonly string[], def: string, what = "output format"): Option {
  return new Option("-o, --output <format>", `${what}: ${describeOutputFormats(names)}`)
    .default(def)
    .argParser((v: string) => {
      const found = resolveOutputFormat(v, names);
      if (found === undefined)
        throw new InvalidArgumentError(`Allowed choices are ${describeOutputFormats(names)}.`);
      return found;
    });
}

/** The help of `--format`: auto and every format of the registry. */
export function flowFormatHelp(): string {
  return `flow format: auto (detect it per file from the first lines) or one of ${flowFormatNames().join(", ")}`;
}

/** An "Examples:" section for `addHelpText("after", …)`. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}`;
}

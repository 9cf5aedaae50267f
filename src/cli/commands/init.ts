/**
 * `microseg init [--map map.json] [--out microseg.yaml]`: writes a commented starter
 * configuration; with a map, the zones the heuristics find are pinned as selectors. An existing
 * --out file is never replaced unless --force.
 */
import { existsSync } from "node:fs";
import { parseConfig } from "../../config/load.js";
import { starterConfig } from "../../config/starter.js";
import { readMapFile } from "../../io/map-file.js";
import { writeFileAtomic } from "../../io/write.js";
import { fail } from "../../model/problems.js";
import type { CliIo } from "../main.js";
import { zonesOfMap } from "./zones.js";

/** Options of `init`. */
export interface InitOptions {
  map?: string;
  out?: string;
  force?: boolean;
  io: CliIo;
  log: (s: string) => void;
}

/** Runs `init`; the text is checked against the schema before it is written. */
export async function runInit(o: InitOptions): Promise<number> {
  if (o.out && !o.force && existsSync(o.out))
    fail("output-unwritable", `${o.out} exists; give --force to replace it`, { file: o.out });
  const map = o.map ? await readMapFile(o.map) : undefined;
  const text = starterConfig({ map, mapFile: o.map, assignments: map ? zonesOfMap(map) : [] });
  parseConfig(text, o.out ?? "<starter>");
  if (o.out) {
    await writeFileAtomic(o.out, text);
    o.log(`init: wrote ${o.out}`);
  } else o.io.stdout(text);
  return 0;
}

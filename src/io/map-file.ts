/**
 * Reading and writing communication map files (JSON with `schemaVersion`).
 */
import { readFile } from "node:fs/promises";
import { type CommunicationMap, communicationMapSchema, MAP_SCHEMA_VERSION } from "../model/map.js";
import { MicrosegError, problem } from "../model/problems.js";
import { jsonErrorLocation } from "./json-errors.js";
import { writeFileAtomic } from "./write.js";

/** Reads and validates a map file; a bad file is fatal with its location. */
export async function readMapFile(path: string): Promise<CommunicationMap> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new MicrosegError(
      problem("file-unreadable", "error", `cannot read the map: ${(e as Error).message}`, { file: path }),
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const at = jsonErrorLocation(text);
    throw new MicrosegError(
      problem("map-invalid", "error", `not JSON: ${(e as Error).message}`, {
        file: path,
        ...(at ? { line: at.line, column: at.column } : {}),
      }),
    );
  }
  const parsed = communicationMapSchema.safeParse(data);
  if (!parsed.success) {
    throw new MicrosegError(
      parsed.error.issues.slice(0, 10).map((i) =>
        problem("map-invalid", "error", i.message, {
          file: path,
          path: i.path.map(String).join(".") || "(top)",
        }),
      ),
    );
  }
  if (parsed.data.schemaVersion > MAP_SCHEMA_VERSION) {
    throw new MicrosegError(
      problem(
        "map-invalid",
        "error",
        `map schemaVersion ${parsed.data.schemaVersion} is newer than this microseg reads (${MAP_SCHEMA_VERSION})`,
        { file: path, path: "schemaVersion" },
      ),
    );
  }
  return parsed.data;
}

/** Serialises a map as stable, indented JSON. */
export function mapToJson(map: CommunicationMap): string {
  return `${JSON.stringify(map, null, 2)}\n`;
}

/** Writes a map file atomically. */
export async function writeMapFile(path: string, map: CommunicationMap): Promise<void> {
  await writeFileAtomic(path, mapToJson(map));
}

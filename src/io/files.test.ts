import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MicrosegError } from "../model/problems.js";
import { comparePaths, expandPaths } from "./files.js";

describe("expandPaths", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "microseg-files-"));
    for (const f of [
      "b.yaml",
      "a/z.yml",
      "a/b/c.json",
      "a-b.yaml",
      "notes.txt",
      "a/B.YAML",
      "node_modules/x.yaml",
    ]) {
      await mkdir(join(dir, f, ".."), { recursive: true });
      await writeFile(join(dir, f), "kind: X\n");
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("walks directories recursively, sorted, manifest extensions only", async () => {
    const files = (await expandPaths([dir])).map((f) => relative(dir, f));
    expect(files).toEqual(["a/B.YAML", "a/b/c.json", "a/z.yml", "a-b.yaml", "b.yaml"]);
  });

  it("keeps argument order, takes explicit files of any extension and drops duplicates", async () => {
    const files = await expandPaths([join(dir, "notes.txt"), join(dir, "a"), join(dir, "a", "z.yml")]);
    expect(files.map((f) => relative(dir, f))).toEqual(["notes.txt", "a/B.YAML", "a/b/c.json", "a/z.yml"]);
  });

  it("fails with file-unreadable naming a missing path", async () => {
    const missing = join(dir, "nope");
    const err = await expandPaths([missing]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MicrosegError);
    expect((err as MicrosegError).problems[0]).toMatchObject({
      code: "file-unreadable",
      location: { file: missing },
    });
    expect((err as MicrosegError).message).toContain("does not exist");
  });
});

describe("comparePaths", () => {
  it("orders by path segments", () => {
    expect(["a-b.yaml", "a/z/x.yaml", "a/b.yaml"].sort(comparePaths)).toEqual([
      "a/b.yaml",
      "a/z/x.yaml",
      "a-b.yaml",
    ]);
  });
});

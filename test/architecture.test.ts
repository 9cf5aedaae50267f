/**
 * The pure core (DESIGN "Core model", CONVENTIONS habit 2): src/model, src/eval, src/policy/ir,
 * src/graph, src/analysis and src/identity import no node built-ins, no YAML library and no
 * database client. Biome's noRestrictedImports says the same at lint time; this test keeps it
 * true when lint is skipped, and reads imports with the TypeScript parser (static, type-only,
 * re-exports, `import()` calls and types, `require`), so comments and strings do not count.
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/corpus.js";

/** The folders of the pure core. */
const CORE_DIRS = ["src/model", "src/eval", "src/policy/ir", "src/graph", "src/analysis", "src/identity"];

/** One import of a module: its specifier and 1-based line. */
interface ImportSite {
  specifier: string;
  line: number;
}

/** Every module specifier a TypeScript source imports, re-exports, `import()`s or `require`s. */
function findImports(source: string, fileName = "input.ts"): ImportSite[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: ImportSite[] = [];
  const add = (node: ts.Node, spec: ts.Node | undefined) => {
    if (spec && ts.isStringLiteralLike(spec)) {
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      out.push({ specifier: spec.text, line });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node, node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      add(node, node.argument.literal);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === "require";
      if (isImport || isRequire) add(node, node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith("_")));

/** Why a specifier is forbidden in the pure core, or undefined when it is allowed. */
function forbiddenReason(specifier: string): string | undefined {
  if (specifier.startsWith("node:")) return "node built-in";
  const root = specifier.split("/")[0];
  if (BUILTINS.has(specifier) || BUILTINS.has(root)) return "node built-in";
  if (specifier === "yaml" || specifier.startsWith("yaml/")) return "YAML library";
  if (specifier.startsWith("@duckdb/") || specifier === "duckdb") return "database client";
  if (specifier.startsWith("@clickhouse/")) return "database client";
  return undefined;
}

/** `file:line: specifier (reason)` for every forbidden import of a source. */
function forbiddenImports(source: string, file: string): string[] {
  return findImports(source, file).flatMap((i) => {
    const why = forbiddenReason(i.specifier);
    return why ? [`${file}:${i.line}: imports "${i.specifier}" (${why})`] : [];
  });
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|cts|tsx)$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

describe("the import scanner (self-check: it can fail)", () => {
  const sample = [
    "// import { readFile } from 'node:fs' in a comment does not count",
    'import { z } from "zod";',
    'import { readFile } from "node:fs/promises";',
    "import type { Readable } from 'stream';",
    'export { parse } from "yaml";',
    "const m = 'import x from \"fs\"'; // a string is not an import",
    'const db = await import("@duckdb/node-api");',
    "type T = import('crypto').Hash;",
    'const c = require("@clickhouse/client");',
    'import * as p from "path";',
    'import { x } from "../model/ports.js";',
    'import "yaml/util";',
    'import { y } from "fs-extra-lookalike";',
  ].join("\n");

  it("finds every kind of import with its line, and nothing in comments or strings", () => {
    expect(findImports(sample).map((i) => `${i.line} ${i.specifier}`)).toEqual([
      "2 zod",
      "3 node:fs/promises",
      "4 stream",
      "5 yaml",
      "7 @duckdb/node-api",
      "8 crypto",
      "9 @clickhouse/client",
      "10 path",
      "11 ../model/ports.js",
      "12 yaml/util",
      "13 fs-extra-lookalike",
    ]);
  });

  it("names the file and line of each forbidden import, and only those", () => {
    expect(forbiddenImports(sample, "src/model/x.ts")).toEqual([
      'src/model/x.ts:3: imports "node:fs/promises" (node built-in)',
      'src/model/x.ts:4: imports "stream" (node built-in)',
      'src/model/x.ts:5: imports "yaml" (YAML library)',
      'src/model/x.ts:7: imports "@duckdb/node-api" (database client)',
      'src/model/x.ts:8: imports "crypto" (node built-in)',
      'src/model/x.ts:9: imports "@clickhouse/client" (database client)',
      'src/model/x.ts:10: imports "path" (node built-in)',
      'src/model/x.ts:12: imports "yaml/util" (YAML library)',
    ]);
  });
});

describe("the pure core imports no node built-ins, YAML or database libraries", () => {
  const root = repoRoot();
  for (const dir of CORE_DIRS) {
    it(dir, () => {
      const files = tsFiles(join(root, dir));
      expect(files.length, `${dir} has no TypeScript files: was it moved? update CORE_DIRS`).toBeGreaterThan(
        0,
      );
      const found = files.flatMap((f) => forbiddenImports(readFileSync(f, "utf8"), relative(root, f)));
      expect(found).toEqual([]);
    });
  }
});

// Imports point only down the pipeline (STYLE.md, "Layers point down"): every
// relative import of every src/**/*.ts is checked against the table below. A
// file may import its own layer and the layers under it, never one above.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = join(import.meta.dir, "../../src");

// Top to bottom. A path ending in "/" is a folder under src/, any other a file.
//
// base/ sits in the stack layer, beside stack/: it is the second way a stack
// run ends (DevStack's own stack.sh, unstack.sh and clean.sh instead of
// plugstack's driver). stack/modes.ts picks between the two, and base/run.ts
// reuses stack/'s preparation, events, report and state rather than copying
// them, so neither can sit under the other; both use config/, plugins/ and
// packages/ below, and only cli/ above calls them.
//
// shell/ is a leaf: the embedded bash library as text, importing none of the
// domain; plugins/ (check), stack/ and base/ read it.
const LAYERS: readonly { layer: string; paths: readonly string[] }[] = [
  { layer: "cli", paths: ["cli/"] },
  { layer: "stack", paths: ["stack/", "base/"] },
  { layer: "config", paths: ["config/"] },
  { layer: "plugins", paths: ["plugins/"] },
  { layer: "packages", paths: ["packages/"] },
  { layer: "leaf", paths: ["util/", "shell/", "errors.ts", "log.ts", "context.ts", "build-info.ts"] },
];
const ORDER = LAYERS.map((l) => l.layer).join(" → ");

/** The layer of a path relative to src/, or undefined when the table does not place it. */
function layerOf(path: string): number | undefined {
  const i = LAYERS.findIndex((l) => l.paths.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p)));
  return i < 0 ? undefined : i;
}

/** Every module specifier a TypeScript file names: imports, re-exports, type-only ones and dynamic imports. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/^[ \t]*import\s*["']([^"']+)["']/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]!);
  return out;
}

/** What is wrong with `file` (relative to src/) importing `spec`, or null. */
function check(file: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null; // node: builtins and npm packages
  const from = layerOf(file);
  if (from === undefined) return `${file} is in no layer of the table in test/util/layers.test.ts; add its folder there`;
  const target = relative(SRC, resolve(SRC, dirname(file), spec));
  if (target.startsWith("..")) return `src/${file} imports ${spec}, which is outside src/`;
  const to = layerOf(target);
  if (to === undefined) return `src/${file} imports ${spec} (src/${target}), which is in no layer of the table; add its folder there`;
  if (to >= from) return null;
  const allowed = LAYERS.slice(from)
    .map((l) => l.layer)
    .join(", ");
  return `src/${file} imports ${spec}: ${LAYERS[from]!.layer} may import only ${allowed} (imports point down: ${ORDER}); ${LAYERS[to]!.layer} is above it. Move the shared code down, or the caller up`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") ? [relative(SRC, p)] : [];
  });
}

const files = sourceFiles(SRC).sort();

describe("layering", () => {
  test("every src/**/*.ts is in a layer of the table", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => layerOf(f) === undefined)).toEqual([]);
  });

  test("no import points up the pipeline", () => {
    const problems = files.flatMap((f) => specifiers(readFileSync(join(SRC, f), "utf8")).flatMap((s) => check(f, s) ?? []));
    expect(problems).toEqual([]);
  });

  test("the scan finds every import the bundler sees", () => {
    // the scan above is a regex so that type-only imports count too; Bun's own
    // scanner (which drops those) must find nothing it misses
    const transpiler = new Bun.Transpiler({ loader: "ts" });
    const missed = files.flatMap((f) => {
      const text = readFileSync(join(SRC, f), "utf8");
      const found = new Set(specifiers(text));
      return transpiler
        .scanImports(text)
        .filter((i) => !found.has(i.path))
        .map((i) => `src/${f}: ${i.path}`);
    });
    expect(missed).toEqual([]);
  });

  // the rule on rows named after their input, so a message that names file, import and rule is checked too
  const rows: [string, string, string | null][] = [
    [
      "plugins/git.ts",
      "../stack/quote.ts",
      "src/plugins/git.ts imports ../stack/quote.ts: plugins may import only plugins, packages, leaf (imports point down: cli → stack → config → plugins → packages → leaf); stack is above it. Move the shared code down, or the caller up",
    ],
    [
      "packages/command.ts",
      "../cli/output.ts",
      "src/packages/command.ts imports ../cli/output.ts: packages may import only packages, leaf (imports point down: cli → stack → config → plugins → packages → leaf); cli is above it. Move the shared code down, or the caller up",
    ],
    [
      "util/pool.ts",
      "../plugins/fetch.ts",
      "src/util/pool.ts imports ../plugins/fetch.ts: leaf may import only leaf (imports point down: cli → stack → config → plugins → packages → leaf); plugins is above it. Move the shared code down, or the caller up",
    ],
    ["stack/modes.ts", "../base/run.ts", null],
    ["base/run.ts", "../stack/modes.ts", null],
    ["cli/main.ts", "../util/pool.ts", null],
    ["config/evaluate.ts", "../plugins/spec.ts", null],
    ["plugins/lint.ts", "../shell/index.ts", null],
    ["errors.ts", "./util/redact.ts", null],
    ["util/temp.ts", "execa", null],
    ["util/x.ts", "../../scripts/build.ts", "src/util/x.ts imports ../../scripts/build.ts, which is outside src/"],
    ["newfolder/x.ts", "../util/pool.ts", "newfolder/x.ts is in no layer of the table in test/util/layers.test.ts; add its folder there"],
  ];
  for (const [file, spec, want] of rows) test(`${file} -> ${spec}`, () => expect(check(file, spec)).toBe(want));

  test("the scan reads each form of import", () => {
    const text = [
      'import type { A } from "./a.ts";',
      "import {",
      "  type B,",
      "  C,",
      '} from "./bc.ts";',
      'export { D } from "./d.ts";',
      'import "./side.ts";',
      'const e = await import("./e.ts");',
      'import f from "./f.sh" with { type: "text" };',
      '// import g from "./g.ts" (a comment line is not an import)',
    ].join("\n");
    expect(specifiers(text).sort()).toEqual(["./a.ts", "./bc.ts", "./d.ts", "./e.ts", "./f.sh", "./side.ts"]);
  });
});

// One process API (execa): git through plugins/git.ts, everything else
// directly; but the stack shell and the localrc evaluation, which
// util/group-child.ts starts with node's own spawn (execa's first call costs
// a warm stack, whose first process the stack shell is, more than ten
// milliseconds), with an argument array and no shell either way.
test("subprocesses start only through execa (and group-child.ts's spawn, without a shell)", () => {
  const other = /\bfrom\s*["'](?:node:)?child_process["']|\bBun\.(?:spawn|spawnSync|\$)\b/;
  const found = files
    .filter((f) => f !== "util/group-child.ts" && other.test(readFileSync(join(SRC, f), "utf8")))
    .map((f) => `src/${f} starts a process without execa`);
  expect(found).toEqual([]);
  const groupChild = readFileSync(join(SRC, "util/group-child.ts"), "utf8");
  expect(groupChild).not.toMatch(/\bshell\s*:|\bexec(?:Sync)?\(|\bBun\./);
});

// Writes the embedded bash library out as files, laid out like a DevStack
// tree, so that scripts written for DevStack can `source $TOP_DIR/functions`
// unchanged. The stack run lays out its $TOP_DIR with this, and
// `plugstack lib export DIR` gives plugin authors the same tree.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import inc from "./entry/inc.sh" with { type: "text" };
import load from "./entry/load.sh" with { type: "text" };
import openrc from "./entry/openrc.sh" with { type: "text" };
import stackrc from "./entry/stackrc.sh" with { type: "text" };
import top from "./entry/top.sh" with { type: "text" };
import { libraryFiles } from "./index.ts";

/** Directory (inside the tree) that holds the library files and the loader. */
export const LIBRARY_DIR = "plugstack";

/** DevStack's entry files, as paths inside the tree, and what each holds. */
export const ENTRY_FILES: ReadonlyArray<readonly [path: string, text: string]> = [
  ["functions", top],
  ["functions-common", top],
  ["inc/ini-config", inc],
  ["inc/meta-config", inc],
  ["inc/python", inc],
  ["inc/async", inc],
  ["inc/rootwrap", inc],
  ["stackrc", stackrc],
  ["openrc", openrc],
];

/**
 * Writes the library under DIR: plugstack/<file>.sh for each library file,
 * plugstack/load.sh and plugstack/FILES (the load order), and the entry
 * files of ENTRY_FILES. Existing files of the same names are replaced;
 * nothing else in DIR is touched. Returns the written paths, relative to DIR.
 */
export function writeLibraryTree(dir: string): string[] {
  const written: string[] = [];
  const put = (rel: string, text: string) => {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { mode: 0o644 });
    written.push(rel);
  };
  for (const file of libraryFiles) put(join(LIBRARY_DIR, file.name), file.text);
  put(join(LIBRARY_DIR, "FILES"), `${libraryFiles.map((f) => f.name).join("\n")}\n`);
  put(join(LIBRARY_DIR, "load.sh"), load);
  for (const [rel, text] of ENTRY_FILES) put(rel, text);
  return written;
}

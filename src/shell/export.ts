// Writes the embedded bash library out as files, laid out like a DevStack
// tree, so that scripts written for DevStack can `source $TOP_DIR/functions`
// unchanged. The stack run lays out its $TOP_DIR with this, and
// `plugstack lib export DIR` gives plugin authors the same tree.
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import here from "./entry/here.sh" with { type: "text" };
import inc from "./entry/inc.sh" with { type: "text" };
import lib from "./entry/lib.sh" with { type: "text" };
import load from "./entry/load.sh" with { type: "text" };
import openrc from "./entry/openrc.sh" with { type: "text" };
import stackrc from "./entry/stackrc.sh" with { type: "text" };
import top from "./entry/top.sh" with { type: "text" };
import { libraryFiles } from "./index.ts";
import discoverHosts from "./tools/discover_hosts.sh" with { type: "text" };
import updateCloudsYaml from "./tools/update_clouds_yaml.py" with { type: "text" };

/** $TOP_DIR/tools: plugstack's own scripts for the DevStack tools plugins call. */
const TOOL_FILES: ReadonlyArray<readonly [path: string, text: string]> = [
  ["tools/update_clouds_yaml.py", updateCloudsYaml],
  ["tools/discover_hosts.sh", discoverHosts],
];

/** Directory (inside the tree) that holds the library files and the loader. */
export const LIBRARY_DIR = "plugstack";

/**
 * DevStack's service library files whose functions plugins call (see
 * compat/functions.md): plugins that `source $TOP_DIR/lib/NAME` get the
 * library. A user's own lib/ beside local.conf, copied later, wins.
 */
export const SERVICE_LIB_PATHS = [
  "lib/apache",
  "lib/database",
  "lib/databases/mysql",
  "lib/databases/postgresql",
  "lib/keystone",
  "lib/lvm",
  "lib/neutron",
  "lib/neutron-legacy",
  "lib/neutron_plugins/ml2",
  "lib/neutron_plugins/ovn_agent",
  "lib/neutron_plugins/ovs_source",
  "lib/neutron_plugins/services/l3",
  "lib/neutron_plugins/services/placement",
  "lib/nova",
  "lib/nova_plugins/functions-libvirt",
  "lib/rpc_backend",
  "lib/stack",
  "lib/swift",
  "lib/tls",
] as const;

const HERE_MARK = "# <entry/here.sh: plugstack writes it here, setting _ps_here>\n";

/** An entry file's text with entry/here.sh (its own directory in _ps_here) in place of its mark. */
function withHere(text: string): string {
  if (!text.includes(HERE_MARK)) throw new Error("an entry file without the entry/here.sh mark");
  return text.replace(HERE_MARK, here.replace(/^# shellcheck shell=bash\n/, ""));
}

/** DevStack's entry files, as paths inside the tree, and what each holds. */
export const ENTRY_FILES: ReadonlyArray<readonly [path: string, text: string]> = [
  ["functions", withHere(top)],
  ["functions-common", withHere(top)],
  ["inc/ini-config", withHere(inc)],
  ["inc/meta-config", withHere(inc)],
  ["inc/python", withHere(inc)],
  ["inc/async", withHere(inc)],
  ["inc/rootwrap", withHere(inc)],
  ["stackrc", withHere(stackrc)],
  ["openrc", withHere(openrc)],
  ...SERVICE_LIB_PATHS.map((p) => [p, withHere(lib)] as const),
];

/** The files of the library tree: path inside the tree, text, and whether it is executable (tools/). */
export function libraryTree(): { rel: string; text: string; executable: boolean }[] {
  return [
    ...libraryFiles.map((file) => ({ rel: join(LIBRARY_DIR, file.name), text: file.text, executable: false })),
    { rel: join(LIBRARY_DIR, "FILES"), text: `${libraryFiles.map((f) => f.name).join("\n")}\n`, executable: false },
    { rel: join(LIBRARY_DIR, "load.sh"), text: withHere(load), executable: false },
    ...ENTRY_FILES.map(([rel, text]) => ({ rel, text, executable: false })),
    ...TOOL_FILES.map(([rel, text]) => ({ rel, text, executable: true })),
  ];
}

let digest: string | undefined;

/**
 * sha256 of the library tree (every file's path, mode and text): what the
 * stack run's $TOP_DIR key and the kept localrc evaluation's key both cover,
 * hashed once per process (about 280 KB).
 */
export function libraryDigest(): string {
  if (digest === undefined) {
    const h = createHash("sha256");
    for (const f of libraryTree()) h.update(`${f.rel}\0${f.executable}\0${f.text}\0`);
    digest = h.digest("hex");
  }
  return digest;
}

/**
 * Writes the library under DIR: plugstack/<file>.sh for each library file,
 * plugstack/load.sh and plugstack/FILES (the load order), and the entry
 * files of ENTRY_FILES (functions, functions-common, inc/*, stackrc,
 * openrc and the lib/* paths of SERVICE_LIB_PATHS) and tools/ (TOOL_FILES). Existing files of the same names are replaced;
 * nothing else in DIR is touched. Returns the written paths, relative to DIR.
 */
export function writeLibraryTree(dir: string): string[] {
  const written: string[] = [];
  for (const { rel, text, executable } of libraryTree()) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { mode: 0o644 });
    if (executable) chmodSync(path, 0o755);
    written.push(rel);
  }
  return written;
}

// $TOP_DIR for one run: laid out like a DevStack tree so that plugins can
// source $TOP_DIR/functions, $TOP_DIR/stackrc, $TOP_DIR/lib/... and append
// to $RC_DIR/.localrc.auto, as they do under DevStack.
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import driver from "../shell/driver.sh" with { type: "text" };
import { libraryDigest, writeLibraryTree } from "../shell/export.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";

/** The user's files beside local.conf that DevStack keeps in its tree (files/ goes to the download cache). */
const USER_TREE_ENTRIES = ["extras.d", "lib", "tools", "local.sh"] as const;

/** $TOP_DIR of the runs in DEST. */
export function topDirFor(dest: string): string {
  return join(dest, ".plugstack", "top");
}

/**
 * $FILES: DevStack keeps $TOP_DIR/files across runs and plugins use it as a
 * download cache, so it lives beside $TOP_DIR ($DEST/.plugstack/files), is
 * linked in as $TOP_DIR/files, and survives `clean`.
 */
export function filesDirFor(topDir: string): string {
  return join(dirname(topDir), "files");
}

export interface TopDirInput {
  topDir: string;
  /** directory of local.conf */
  configDir: string;
  /** the localrc text (written to .localrc.auto) */
  localrc: string;
}

/**
 * Lays out $TOP_DIR for a run: the library tree, the user's tree entries
 * beside local.conf, $FILES, .localrc.auto and the driver. A fresh tree
 * every run, like stack.sh regenerates .localrc.auto; but when the tree is
 * exactly as the last layout left it (keptTree: the same library, the same
 * user entries, and nothing under $TOP_DIR added, removed or changed since,
 * by stat) it is kept, and only what every layout writes again is written.
 */
export function layoutTopDir(input: TopDirInput): void {
  const { topDir } = input;
  const key = treeKey(input.configDir);
  const kept = keptTree(topDir, key);
  if (!kept) {
    // Passwords settled by an earlier run (read_password) stay the same.
    const passwordsFile = join(topDir, ".localrc.password");
    const passwords = existsSync(passwordsFile) ? readFileSync(passwordsFile) : null;
    rmSync(topDir, { recursive: true, force: true });
    mkdirSync(join(topDir, ".plugstack"), { recursive: true });
    writeLibraryTree(topDir);
    // Copies, not links: plugins write into $TOP_DIR/lib/... and must not
    // change the user's own files. The user's tools/ come after plugstack's,
    // so a script of the same name is the user's.
    for (const entry of USER_TREE_ENTRIES) {
      const from = join(input.configDir, entry);
      if (existsSync(from)) cpSync(from, join(topDir, entry), { recursive: true, preserveTimestamps: true });
    }
    if (passwords) writeFileSync(passwordsFile, passwords, { mode: 0o600 });
    // the run script sources it from here (stack/script.ts)
    const driverPath = join(topDir, ".plugstack", "driver.sh");
    writeFileSync(driverPath, driver);
    chmodSync(driverPath, 0o644);
  }
  // $FILES is the plugins' download cache, outside the tree: the user's files go in every run
  const files = filesDirFor(topDir);
  mkdirSync(files, { recursive: true });
  const userFiles = join(input.configDir, "files");
  if (existsSync(userFiles)) cpSync(userFiles, files, { recursive: true, preserveTimestamps: true });
  if (!kept) symlinkSync(files, join(topDir, "files"));
  writeFileSync(join(topDir, ".localrc.auto"), input.localrc.endsWith("\n") || !input.localrc ? input.localrc : `${input.localrc}\n`);
  if (!kept) writeFileAtomic(treeRecordPath(topDir), `${JSON.stringify({ key, tree: describeTree(topDir) })}\n`);
}

/** Written by every layout, or by the runs themselves: not part of what a kept tree must match. */
const REWRITTEN = new Set([
  ".localrc.auto",
  ".localrc.password",
  ".plugstack/tree.json",
  ".plugstack/run-stack.sh",
  ".plugstack/run-unstack.sh",
  ".plugstack/run-clean.sh",
]);

function treeRecordPath(topDir: string): string {
  return join(topDir, ".plugstack", "tree.json");
}

/** What a layout writes into the tree: the library and driver texts, and the user's tree entries as they are now. */
function treeKey(configDir: string): string {
  const h = createHash("sha256");
  h.update(`library\0${libraryDigest()}\0driver\0${driver}\0config\0${configDir}\0`);
  for (const entry of USER_TREE_ENTRIES) h.update(`${describeTree(join(configDir, entry)).join("\n")}\0`);
  return h.digest("hex");
}

/**
 * Every entry under `root` (root itself included) by lstat, sorted: type,
 * and for a file or a symlink its size, mtime, ctime, inode and mode (and a
 * symlink's target), so that any write, chmod, rename or replacement shows.
 * Entries in REWRITTEN are left out.
 */
function describeTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    if (REWRITTEN.has(rel)) return;
    const path = rel ? join(root, rel) : root;
    const st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
    if (!st) return void out.push(`${rel}\tmissing`);
    if (st.isDirectory()) {
      out.push(`${rel}\tdir\t${st.mode}`);
      for (const name of readdirSync(path).sort()) walk(rel ? `${rel}/${name}` : name);
      return;
    }
    const link = st.isSymbolicLink() ? readlinkSync(path) : "";
    out.push(`${rel}\t${st.mode}\t${st.size}\t${st.mtimeNs}\t${st.ctimeNs}\t${st.ino}\t${link}`);
  };
  walk("");
  return out;
}

/** The tree under `topDir` is as the last layout with this key left it. */
function keptTree(topDir: string, key: string): boolean {
  let record: { key?: unknown; tree?: unknown[] };
  try {
    record = JSON.parse(readFileSync(treeRecordPath(topDir), "utf8"));
  } catch {
    return false;
  }
  const { tree } = record;
  if (record.key !== key || !Array.isArray(tree)) return false;
  const now = describeTree(topDir);
  return now.length === tree.length && now.every((line, i) => line === tree[i]);
}

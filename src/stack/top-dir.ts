// $TOP_DIR for one run: laid out like a DevStack tree so that plugins can
// source $TOP_DIR/functions, $TOP_DIR/stackrc, $TOP_DIR/lib/... and append
// to $RC_DIR/.localrc.auto, as they do under DevStack.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import driver from "../shell/driver.sh" with { type: "text" };
import { writeLibraryTree } from "../shell/export.ts";

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

export function layoutTopDir(input: TopDirInput): void {
  const { topDir } = input;
  // Passwords settled by an earlier run (read_password) stay the same.
  const passwordsFile = join(topDir, ".localrc.password");
  const passwords = existsSync(passwordsFile) ? readFileSync(passwordsFile) : null;
  // A fresh tree every run, like stack.sh regenerates .localrc.auto.
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
  const files = filesDirFor(topDir);
  mkdirSync(files, { recursive: true });
  const userFiles = join(input.configDir, "files");
  if (existsSync(userFiles)) cpSync(userFiles, files, { recursive: true, preserveTimestamps: true });
  symlinkSync(files, join(topDir, "files"));
  writeFileSync(join(topDir, ".localrc.auto"), input.localrc.endsWith("\n") || !input.localrc ? input.localrc : `${input.localrc}\n`);
  if (passwords) writeFileSync(passwordsFile, passwords, { mode: 0o600 });
  // the run script sources it from here (stack/script.ts)
  const driverPath = join(topDir, ".plugstack", "driver.sh");
  writeFileSync(driverPath, driver);
  chmodSync(driverPath, 0o644);
}

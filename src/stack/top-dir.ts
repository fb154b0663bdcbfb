// $TOP_DIR for one run: laid out like a DevStack tree so that plugins can
// source $TOP_DIR/functions, $TOP_DIR/stackrc, $TOP_DIR/lib/... and append
// to $RC_DIR/.localrc.auto, as they do under DevStack.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import driver from "../shell/driver.sh" with { type: "text" };
import { writeLibraryTree } from "../shell/export.ts";

/** The user's files beside local.conf that DevStack keeps in its tree. */
const USER_TREE_ENTRIES = ["extras.d", "lib", "files", "local.sh"] as const;

export interface TopDirInput {
  topDir: string;
  /** directory of local.conf */
  configDir: string;
  /** the localrc text (written to .localrc.auto) */
  localrc: string;
}

export function layoutTopDir(input: TopDirInput): { driverPath: string } {
  const { topDir } = input;
  // Passwords settled by an earlier run (read_password) stay the same.
  const passwordsFile = join(topDir, ".localrc.password");
  const passwords = existsSync(passwordsFile) ? readFileSync(passwordsFile) : null;
  // A fresh tree every run, like stack.sh regenerates .localrc.auto.
  rmSync(topDir, { recursive: true, force: true });
  mkdirSync(join(topDir, ".plugstack"), { recursive: true });
  writeLibraryTree(topDir);
  // Copies, not links: plugins write into $TOP_DIR/lib/... and must not
  // change the user's own files.
  for (const entry of USER_TREE_ENTRIES) {
    const from = join(input.configDir, entry);
    if (existsSync(from)) cpSync(from, join(topDir, entry), { recursive: true, preserveTimestamps: true });
  }
  mkdirSync(join(topDir, "files"), { recursive: true });
  writeFileSync(join(topDir, ".localrc.auto"), input.localrc.endsWith("\n") || !input.localrc ? input.localrc : `${input.localrc}\n`);
  if (passwords) writeFileSync(passwordsFile, passwords, { mode: 0o600 });
  const driverPath = join(topDir, ".plugstack", "driver.sh");
  writeFileSync(driverPath, driver);
  chmodSync(driverPath, 0o644);
  return { driverPath };
}

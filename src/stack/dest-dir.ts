// DEST on disk: that it is usable, and which top-level directories
// plugstack's runs made in it (clean removes those).
import { accessSync, constants, existsSync, mkdirSync, readdirSync } from "node:fs";
import { PlugstackError } from "../errors.ts";
import { DEFAULT_DEST } from "./dest.ts";
import { recordCreated } from "./state.ts";

/** DEST must exist (it is created) and be writable before anything is put there. */
export function ensureDest(dest: string): void {
  const hint = `set DEST in localrc or pass --dest with a directory you can write (DevStack's default ${DEFAULT_DEST} needs root to create)`;
  try {
    mkdirSync(dest, { recursive: true });
    accessSync(dest, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new PlugstackError(`cannot use DEST ${dest}: ${code === "EACCES" || code === "EPERM" ? "permission denied" : code}`, hint);
  }
}

/** The top-level names in DEST now (null: DEST does not exist). */
export function snapshotDest(dest: string): Set<string> | null {
  return existsSync(dest) ? new Set(readdirSync(dest)) : null;
}

/** Records the top-level directories made under DEST since `before` (logs, data, status, ...), for clean. */
export function recordCreatedSince(dest: string, before: Set<string> | null): void {
  if (!existsSync(dest)) return;
  const made = readdirSync(dest, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith(".") && !before?.has(d.name))
    .map((d) => d.name);
  recordCreated(dest, made);
}

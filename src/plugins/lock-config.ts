// The lock that `fetch` and `bundle create` work from: the existing one when
// it matches the config; otherwise the config resolved against it (locked
// commits kept where url and ref are unchanged) and written, unless --locked,
// where any difference is an error listing each one. A plugin whose URL
// changed is never re-pinned here: `plugstack lock` does that, with a diff.
import type { Ctx } from "../context.ts";
import type { FetchProgress } from "./fetch.ts";
import { LockError } from "../errors.ts";
import { redact } from "../util/redact.ts";
import { assertLocked, checkLocked, type Lock, type LockDiffRow, loadLock, renderLock, sameLockUrl, writeLock } from "./lockfile.ts";
import { resolveLockUpdate, vanishedError } from "./lock-update.ts";
import type { PluginSpec } from "./spec.ts";

export interface CurrentLockOptions {
  specs: readonly PluginSpec[];
  lockPath: string;
  /** the config's directory (relative plugin paths) */
  baseDir: string;
  locked: boolean;
  /** resolve, but do not write */
  dryRun?: boolean;
  onProgress?: (e: FetchProgress) => void;
}

export interface CurrentLock {
  lock: Lock;
  /** what changed in the lock (empty when it was current); renderLockDiff makes lines of it */
  changes: LockDiffRow[];
  written: boolean;
}

/** Plugins whose URL in the config is another repo than the one the lock pins (credentials aside). */
export function urlChanges(lock: Lock, specs: readonly Pick<PluginSpec, "name" | "url">[]): string[] {
  const out: string[] = [];
  for (const s of specs) {
    const e = lock.plugins.find((p) => p.name === s.name);
    if (e && !sameLockUrl(e.url, s.url)) out.push(`${s.name}: ${redact(e.url)} in the lock, ${redact(s.url)} in the config`);
  }
  return out;
}

/** The config's lock, brought up to date and written when needed (see the module comment). */
export async function resolveCurrentLock(ctx: Pick<Ctx, "env" | "offline" | "cacheDir" | "log" | "jobs" | "cwd">, opts: CurrentLockOptions): Promise<CurrentLock> {
  const lock = loadLock(opts.lockPath);
  if (opts.locked) {
    assertLocked(lock, opts.specs, opts.lockPath);
    return { lock: lock!, changes: [], written: false };
  }
  if (lock && checkLocked(lock, opts.specs).length === 0) return { lock, changes: [], written: false };
  const moved = lock ? urlChanges(lock, opts.specs) : [];
  if (moved.length) {
    throw new LockError(
      `${opts.lockPath} pins other URLs than the config; it is not rewritten without asking:\n${moved.map((m) => `  - ${m}`).join("\n")}`,
      "run `plugstack lock` to re-resolve them (it shows the change), then run this command again",
    );
  }
  const upd = await resolveLockUpdate(ctx, opts.specs, { lock, baseDir: opts.baseDir, onProgress: opts.onProgress });
  if (upd.vanished.length) throw vanishedError(upd.vanished);
  const changed = !lock || renderLock(lock) !== renderLock(upd.lock);
  if (changed && !opts.dryRun) writeLock(opts.lockPath, upd.lock);
  return { lock: upd.lock, changes: upd.rows, written: changed && !opts.dryRun };
}

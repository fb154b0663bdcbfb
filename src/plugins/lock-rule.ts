// The lock rule, for every command that reads a config (stack, lock, fetch,
// bundle create, add, plan, ...): resolve the config against
// local.conf.lock, compare, and write the lock when it changed, unless
// --locked (then any difference is an error listing each one) or --dry-run
// (then nothing is written). Everything that writes a lock for a config goes
// through `applyLock`; `assertLocked` is the one --locked check.
import type { Ctx } from "../context.ts";
import { LockError } from "../errors.ts";
import { redact } from "../util/redact.ts";
import { withScratchCache } from "./cache.ts";
import type { FetchProgress, MaterialisedPlugin, ResolvedPlugin } from "./fetch.ts";
import { shortSha } from "./git.ts";
import { type LockUpdate, resolveLockUpdate, vanishedError } from "./lock-update.ts";
import {
  checkLocked,
  diffLocks,
  type Lock,
  type LockDiffRow,
  type LockedRepo,
  loadLock,
  lockFromPlugins,
  renderLock,
  sameLockUrl,
  sameRepo,
  writeLock,
} from "./lockfile.ts";
import type { PluginSpec } from "./spec.ts";

/** What the command line asked of the lock. */
export interface LockMode {
  /** --locked / --frozen: the lock must match; it is never written */
  locked: boolean;
  /** --dry-run: resolve and compare, write nothing */
  dryRun: boolean;
}

/** --locked: throw a LockError listing every difference between the lock and the config. */
export function assertLocked(lock: Lock | null, specs: readonly Pick<PluginSpec, "name" | "url" | "ref" | "base">[], lockPath: string): asserts lock is Lock {
  const diffs = checkLocked(lock, specs);
  if (lock && !diffs.length) return;
  throw new LockError(
    `${lockPath} does not match the config (--locked):\n${diffs.map((d) => `  - ${d}`).join("\n")}`,
    "run `plugstack lock` to update the lock, or drop --locked/--frozen",
  );
}

/** --locked: every git checkout must end at its locked commit (a kept dirty one may not). */
export function assertAtLockedCommits(fetched: readonly MaterialisedPlugin[]): void {
  const off = fetched.filter((p) => p.source === "git" && p.commit && p.head !== p.commit);
  if (!off.length) return;
  throw new LockError(
    `--locked: ${off.length === 1 ? "a checkout is" : `${off.length} checkouts are`} not at the locked commit:\n${off
      .map((p) => `  ${p.name}: ${p.dir} is at ${shortSha(p.head)}, the lock says ${shortSha(p.commit)}${p.message ? ` (${p.message})` : ""}`)
      .join("\n")}`,
    "commit or stash the local changes there, or run with --force to stash them and move the checkout",
  );
}

export interface AppliedLock {
  /** what moved from the lock on disk (empty when nothing did) */
  changes: LockDiffRow[];
  /** whether the file was written */
  written: boolean;
}

/** The one place a config's lock is written: `next` replaces `current` when it differs, unless locked or a dry run. */
export function applyLock(lockPath: string, current: Lock | null, next: Lock, mode: LockMode): AppliedLock {
  if (mode.locked || (current && renderLock(current) === renderLock(next))) return { changes: [], written: false };
  const changes = diffLocks(current, next);
  if (!mode.dryRun) writeLock(lockPath, next);
  return { changes, written: !mode.dryRun };
}

/** Plugins whose URL in the config is another repo than the one the lock pins (credentials aside). */
function urlChanges(lock: Lock, specs: readonly Pick<PluginSpec, "name" | "url">[]): string[] {
  const out: string[] = [];
  for (const s of specs) {
    const e = lock.plugins.find((p) => p.name === s.name);
    if (e && !sameLockUrl(e.url, s.url)) out.push(`${s.name}: ${redact(e.url)} in the lock, ${redact(s.url)} in the config`);
  }
  return out;
}

export type LockCtx = Pick<Ctx, "env" | "offline" | "cacheDir" | "log" | "jobs" | "cwd">;

export interface SyncLockOptions extends LockMode {
  /** lockSpecs(prep): the plugins and the base */
  specs: readonly PluginSpec[];
  lockPath: string;
  /** the config's directory (relative plugin paths) */
  baseDir: string;
  /**
   * "lock" (`plugstack lock`, `add`): re-pin changed URLs and report vanished refs;
   * "use" (fetch, bundle create): a lock that matches is used as it is, a
   * changed URL or a vanished ref is an error.
   */
  purpose: "lock" | "use";
  /** `lock --update`: every entry, or these plugins (and the repos they cloned) */
  update?: boolean | readonly string[];
  onProgress?: (e: FetchProgress) => void;
}

export interface SyncedLock extends AppliedLock {
  /** the lock as it is now (or would be, for a dry run) */
  lock: Lock;
  notes: LockUpdate["notes"];
  vanished: LockUpdate["vanished"];
}

/** The config's lock, resolved, compared and written by the lock rule (see the module comment). */
export async function syncLock(ctx: LockCtx, opts: SyncLockOptions): Promise<SyncedLock> {
  const lock = loadLock(opts.lockPath);
  if (opts.locked) {
    assertLocked(lock, opts.specs, opts.lockPath);
    return { lock, changes: [], written: false, notes: {}, vanished: [] };
  }
  if (opts.purpose === "use") {
    if (lock && checkLocked(lock, opts.specs).length === 0) return { lock, changes: [], written: false, notes: {}, vanished: [] };
    const moved = lock ? urlChanges(lock, opts.specs) : [];
    if (moved.length) {
      throw new LockError(
        `${opts.lockPath} pins other URLs than the config; it is not rewritten without asking:\n${moved.map((m) => `  - ${m}`).join("\n")}`,
        "run `plugstack lock` to re-resolve them (it shows the change), then run this command again",
      );
    }
  }
  const resolve = (c: LockCtx) => resolveLockUpdate(c, opts.specs, { lock, update: opts.update, baseDir: opts.baseDir, onProgress: opts.onProgress });
  // a dry run fetches what resolving needs into a scratch cache, not the user's
  const upd = await withScratchCache(ctx, resolve, { dryRun: !!opts.dryRun });
  if (opts.purpose === "use" && upd.vanished.length) throw vanishedError(upd.vanished);
  const applied = applyLock(opts.lockPath, lock, upd.lock, opts);
  return { lock: upd.lock, changes: upd.rows, written: applied.written, notes: upd.notes, vanished: upd.vanished };
}

/** Repos found on a run replace the entries of the same repo (sameRepo); the others stay. */
export function mergeRepos(old: readonly LockedRepo[], found: readonly LockedRepo[]): LockedRepo[] {
  const out = [...old];
  for (const r of found) {
    if (!r.commit) continue;
    const i = out.findIndex((o) => sameRepo(o, r));
    if (i < 0) out.push(r);
    else out[i] = r;
  }
  return out;
}

/**
 * The lock a stack run keeps (never under --locked): its plugins (and base)
 * from the checkouts, with [[repo]] entries of plugins no longer enabled
 * dropped as `lock` drops them. `start` writes it before the hooks run;
 * `pinRepos` adds what git_clone pinned during the run. `changes` collects
 * every row that moved over the run.
 */
export function startRunLock(lockPath: string, lock: Lock | null, fetched: readonly ResolvedPlugin[], mode: LockMode) {
  const enabled = new Set(fetched.map((p) => p.name));
  let current = lock;
  const changes: LockDiffRow[] = [];
  const apply = (repos: readonly LockedRepo[]) => {
    const next = lockFromPlugins(
      fetched,
      repos.filter((r) => enabled.has(r.requested_by)),
    );
    const applied = applyLock(lockPath, current, next, mode);
    changes.push(...applied.changes);
    if (applied.written) current = next;
  };
  apply(lock?.repos ?? []);
  return {
    /** what git_clone reported on the run (written even when the run failed later) */
    pinRepos(found: readonly LockedRepo[]): void {
      if (found.length) apply(mergeRepos(current?.repos ?? [], found));
    },
    /** the lock as written last (the one read when nothing changed) */
    current: () => current,
    changes,
  };
}

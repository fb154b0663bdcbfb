// The config-level commands of the lock rule (plugins/lock-rule.ts):
// `lock`, `fetch` and `bundle create` each read local.conf, bring its lock up
// to date (or check it, under --locked; or only compare, under --dry-run),
// then do their own work from the lock.
import { fetchStackExtras, type StackExtras } from "../base/fetch-extras.ts";
import type { Ctx } from "../context.ts";
import { LockError } from "../errors.ts";
import { type BundleCreateResult, createBundle } from "../plugins/bundle.ts";
import type { FetchProgress } from "../plugins/fetch.ts";
import { type CacheStatusRow, cacheStatus, type FillResult, fillCache, lockTargets } from "../plugins/fill.ts";
import { type LockMode, type SyncedLock, syncLock } from "../plugins/lock-rule.ts";
import { checkLocked, type LockDiffRow, loadLock } from "../plugins/lockfile.ts";
import { doesHostSetup, lockSpecs, type Prepared, prepareConfig } from "./prepare.ts";

export interface ConfigLockOptions extends LockMode {
  configPath: string;
  baseFlag?: string;
  onProgress?: (e: FetchProgress) => void;
}

export interface LockCommandResult {
  config: string;
  lockPath: string;
  written: boolean;
  lockChanges: LockDiffRow[];
  notes: SyncedLock["notes"];
  vanished: SyncedLock["vanished"];
}

async function prepared(ctx: Ctx, opts: ConfigLockOptions): Promise<{ prep: Prepared; ctx: Ctx }> {
  const prep = await prepareConfig(ctx, { configPath: opts.configPath, baseFlag: opts.baseFlag, order: "declared" });
  return { prep, ctx: { ...ctx, offline: prep.offline } };
}

/** `plugstack lock [--update [NAME...]]`: the config's lock, re-resolved where asked, written by the lock rule. */
export async function lockConfig(ctx: Ctx, opts: ConfigLockOptions & { update?: boolean | readonly string[] }): Promise<LockCommandResult> {
  const { prep, ctx: run } = await prepared(ctx, opts);
  const r = await syncLock(run, { ...opts, specs: lockSpecs(prep), lockPath: prep.lockPath, baseDir: prep.config.dir, purpose: "lock" });
  return { config: prep.config.path, lockPath: prep.lockPath, written: r.written, lockChanges: r.changes, notes: r.notes, vanished: r.vanished };
}

export interface FetchOptions extends ConfigLockOptions {
  packages: boolean;
  python: boolean;
}

export type FetchCommandResult =
  | { dryRun: true; config: string; cacheDir: string; lockPath: string; lockChanges: LockDiffRow[]; entries: CacheStatusRow[] }
  | {
      dryRun: false;
      config: string;
      cacheDir: string;
      lockPath: string;
      lockChanges: LockDiffRow[];
      lockWritten: boolean;
      entries: FillResult[];
      extras: StackExtras;
    };

/**
 * `plugstack fetch`: the lock brought up to date (or checked), then every
 * locked commit in the cache, and the packages and wheels when asked. With
 * --dry-run the lock is listed as it is (resolving a changed config would
 * already fetch), each difference from the config a warning.
 */
export async function fetchConfig(ctx: Ctx, opts: FetchOptions): Promise<FetchCommandResult> {
  const { prep, ctx: run } = await prepared(ctx, opts);
  const baseDir = prep.config.dir;
  const common = { config: prep.config.path, cacheDir: run.cacheDir, lockPath: prep.lockPath };
  if (opts.dryRun) {
    const lock = loadLock(prep.lockPath);
    if (!lock)
      throw new LockError(`fetch --dry-run: there is no lock at ${prep.lockPath}, so nothing to list`, "run `plugstack lock` (or `plugstack fetch`) first");
    for (const d of checkLocked(lock, lockSpecs(prep))) run.log.warn(`the lock does not match the config (fetch would update it first): ${d}`);
    return { dryRun: true, ...common, lockChanges: [], entries: await cacheStatus(run, lockTargets(lock, baseDir)) };
  }
  const current = await syncLock(run, { ...opts, specs: lockSpecs(prep), lockPath: prep.lockPath, baseDir, purpose: "use" });
  const entries = await fillCache(run, lockTargets(current.lock, baseDir), { onProgress: opts.onProgress });
  const services = (prep.vars.ENABLED_SERVICES ?? "").split(",").filter(Boolean);
  const extras = await fetchStackExtras(run, current.lock, {
    baseDir,
    dest: prep.dest,
    services,
    packages: opts.packages,
    python: opts.python,
    hostSetup: doesHostSetup(prep),
  });
  return { dryRun: false, ...common, lockChanges: current.changes, lockWritten: current.written, entries, extras };
}

export interface BundleOptions extends ConfigLockOptions {
  /** the bundle file, absolute */
  file: string;
  packages: boolean;
}

export type BundleCommandResult =
  | { dryRun: true; file: string; config: string; lockPath: string; lockChanges: LockDiffRow[]; entries: CacheStatusRow[] }
  | ({ dryRun: false; config: string; lockPath: string; lockChanges: LockDiffRow[] } & BundleCreateResult);

/**
 * `plugstack bundle create FILE`: the lock brought up to date (or checked),
 * the cache filled for it (unless offline), then FILE. --dry-run writes
 * nothing: not the lock, not the cache, not FILE.
 */
export async function bundleConfig(ctx: Ctx, opts: BundleOptions): Promise<BundleCommandResult> {
  const { prep, ctx: run } = await prepared(ctx, opts);
  const baseDir = prep.config.dir;
  const current = await syncLock(run, { ...opts, specs: lockSpecs(prep), lockPath: prep.lockPath, baseDir, purpose: "use" });
  const common = { config: prep.config.path, lockPath: prep.lockPath, lockChanges: current.changes };
  if (opts.dryRun) return { dryRun: true, file: opts.file, ...common, entries: await cacheStatus(run, lockTargets(current.lock, baseDir)) };
  if (!run.offline) await fillCache(run, lockTargets(current.lock, baseDir), { onProgress: opts.onProgress });
  const r = await createBundle(run, opts.file, current.lock, { baseDir, packages: opts.packages, configPath: prep.config.path });
  return { dryRun: false, ...common, ...r };
}

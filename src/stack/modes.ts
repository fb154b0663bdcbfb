// stack, unstack and clean, end to end (CONTRACT 4): prepare the config,
// hold DEST, then the plugin-only run or the base layer's.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { runBaseClean, runBaseStack, runBaseUnstack } from "../base/run.ts";
import type { Ctx } from "../context.ts";
import type { CleanStamp } from "../plugins/clean-check.ts";
import { type FetchProgress, type MaterialisedPlugin, materialisePlugins, type ResolvedPlugin } from "../plugins/fetch.ts";
import { assertAtLockedCommits, assertLocked, startRunLock } from "../plugins/lock-rule.ts";
import type { LockDiffRow } from "../plugins/lockfile.ts";
import { loadLock } from "../plugins/lockfile.ts";
import { isTrue } from "../util/bash-truth.ts";
import { setActivity } from "../util/processes.ts";
import { ensureDest, recordCreatedSince, snapshotDest } from "./dest-dir.ts";
import { withDestLock } from "./dest-lock.ts";
import { hostProbeFor } from "./host-probe.ts";
import { removeWhatPlugstackMade, reposFromEvents, statePlugins } from "./outcome.ts";
import { lockSpecs, noPluginsWarning, type Prepared, prepareConfig } from "./prepare.ts";
import { runMode, runModeShell, type ShellSummary } from "./run-mode.ts";
import { existingPlugins, orderPlugins } from "./run-order.ts";
import type { ShellEvent } from "./shell.ts";
import { loadState } from "./state.ts";
import { filesDirFor, topDirFor } from "./top-dir.ts";

export interface ModeOptions {
  configPath: string;
  destFlag?: string;
  baseFlag?: string;
  locked: boolean;
  force: boolean;
  order: "declared" | "requires";
  /** fail at once when another run holds DEST (default: wait for it) */
  noWait?: boolean;
  onProgress?: (e: FetchProgress) => void;
  onEvent?: (e: ShellEvent) => void;
  onOutput?: (line: string) => void;
}

export interface ModeResult {
  dest: string;
  plugins: ResolvedPlugin[];
  shells: ShellSummary[];
  totalMs: number;
  lockChanges: LockDiffRow[];
  removed: string[];
  /**
   * Whether the run changed what is stacked. stack: false only when the last
   * run was a successful stack of the same config at the same commits, and
   * this run kept every checkout and the lock as they were (the hooks run
   * every time, as stack.sh's do). unstack, clean and runs on the DevStack
   * base layer: always true.
   */
  changed: boolean;
}

/** Runs `fn` holding DEST, then records the top-level directories it made there (logs, data, status, ...), for clean. */
async function inDest<T>(ctx: Ctx, prep: Prepared, opts: ModeOptions, fn: () => Promise<T>): Promise<T> {
  const before = snapshotDest(prep.dest);
  ensureDest(prep.dest);
  return withDestLock(ctx, prep.dest, opts, async () => {
    try {
      return await fn();
    } finally {
      recordCreatedSince(prep.dest, before);
    }
  });
}

export async function runStack(ctx: Ctx, opts: ModeOptions): Promise<ModeResult> {
  const t0 = performance.now();
  const prep = await prepareConfig(ctx, opts);
  const none = noPluginsWarning(prep);
  if (none) ctx.log.warn(none);
  // --locked fails before DEST is touched
  if (opts.locked) assertLocked(loadLock(prep.lockPath), lockSpecs(prep), prep.lockPath);
  prep.keepEvaluation();
  if (prep.base) return inDest(ctx, prep, opts, () => runBaseStack(ctx, prep, opts));
  return inDest(ctx, prep, opts, () => stackPlugins(ctx, opts, prep, t0));
}

/** sha256 of local.conf's bytes and the localrc text the run sources (a plain localrc, DEVSTACK_LOCAL_CONFIG). */
function configFingerprint(prep: Prepared): string {
  return createHash("sha256").update(readFileSync(prep.config.path)).update("\0").update(prep.config.localrc.text).digest("hex");
}

async function stackPlugins(ctx: Ctx, opts: ModeOptions, prep: Prepared, t0: number): Promise<ModeResult> {
  const runCtx = { ...ctx, offline: prep.offline };
  const hostProbe = hostProbeFor(ctx.env, ctx.cwd, prep.localrcRunsCommands);
  setActivity("fetching plugins");
  const lock = loadLock(prep.lockPath);
  const previous = loadState(prep.dest);
  const fetched = await materialisePlugins(runCtx, prep.specs, {
    dest: prep.dest,
    force: opts.force,
    reclone: isTrue(prep.vars.RECLONE),
    errorOnClone: isTrue(prep.vars.ERROR_ON_CLONE),
    gitDepth: Number(prep.vars.GIT_DEPTH ?? 0) || 0,
    lock,
    locked: opts.locked,
    onProgress: opts.onProgress,
    cleanStamps: previous?.checkouts ?? {},
  });
  if (opts.locked) assertAtLockedCommits(fetched);
  const plugins = await orderPlugins(fetched, opts.order, ctx.log);
  const runLock = startRunLock(prep.lockPath, lock, fetched, { locked: opts.locked, dryRun: false });
  const configSha256 = configFingerprint(prep);
  const run = await runModeShell(
    runCtx,
    prep,
    { ...opts, configSha256, checkouts: cleanStampsOf(fetched), previousState: previous, hostProbe },
    "stack",
    plugins,
  );
  // what git_clone pinned is kept even when the run failed later
  runLock.pinRepos(reposFromEvents(run.events));
  if (run.failure) throw run.failure;
  const last = previous?.last === "stack" ? previous.runs.stack : undefined;
  const same =
    last?.status === "ok" &&
    last.configSha256 === configSha256 &&
    runLock.changes.length === 0 &&
    fetched.every((p) => p.status === "reused" || p.status === "linked") &&
    JSON.stringify(previous?.plugins) === JSON.stringify(statePlugins(plugins));
  return { dest: prep.dest, plugins, shells: [run.summary], totalMs: performance.now() - t0, lockChanges: runLock.changes, removed: [], changed: !same };
}

/** The stamps of the checkouts this run found clean, for state.json. */
export function cleanStampsOf(fetched: readonly MaterialisedPlugin[]): Record<string, CleanStamp> {
  return Object.fromEntries(fetched.flatMap((p) => (p.cleanStamp ? [[p.dir, p.cleanStamp]] : [])));
}

export async function runUnstack(ctx: Ctx, opts: ModeOptions): Promise<ModeResult> {
  const t0 = performance.now();
  const prep = await prepareConfig(ctx, opts);
  if (prep.base) return inDest(ctx, prep, opts, () => runBaseUnstack(ctx, prep, opts));
  return inDest(ctx, prep, opts, async () => {
    const hostProbe = hostProbeFor(ctx.env, ctx.cwd, prep.localrcRunsCommands);
    const plugins = await orderPlugins(existingPlugins(prep.specs, prep.dest, ctx.log), opts.order, ctx.log);
    const summary = await runMode({ ...ctx, offline: prep.offline }, prep, { ...opts, hostProbe }, "unstack", plugins);
    return { dest: prep.dest, plugins, shells: [summary], totalMs: performance.now() - t0, lockChanges: [], removed: [], changed: true };
  });
}

/**
 * clean: unstack first (its own shell, as clean.sh runs unstack.sh), then the
 * clean hooks, then remove what plugstack made: $TOP_DIR, the state, the
 * links to plugin directories, and checkouts that are exactly as plugstack
 * left them (at the recorded commit, nothing changed or added).
 */
export async function runClean(ctx: Ctx, opts: ModeOptions): Promise<ModeResult> {
  const t0 = performance.now();
  const prep = await prepareConfig(ctx, opts);
  ensureDest(prep.dest);
  if (prep.base) return withDestLock(ctx, prep.dest, opts, () => runBaseClean(ctx, prep, opts));
  return withDestLock(ctx, prep.dest, opts, () => cleanPlugins(ctx, opts, prep, t0));
}

async function cleanPlugins(ctx: Ctx, opts: ModeOptions, prep: Prepared, t0: number): Promise<ModeResult> {
  const runCtx = { ...ctx, offline: prep.offline };
  const hostProbe = hostProbeFor(ctx.env, ctx.cwd, prep.localrcRunsCommands);
  const plugins = await orderPlugins(existingPlugins(prep.specs, prep.dest, ctx.log), opts.order, ctx.log);
  const state = loadState(prep.dest);
  const un = await runMode(runCtx, prep, { ...opts, hostProbe }, "unstack", plugins);
  // the unstack hooks may have changed the host (addresses): clean's stackrc asks it again
  const cl = await runMode(runCtx, prep, opts, "clean", plugins);
  // everything plugstack keeps under $DEST/.plugstack goes but $FILES, the
  // download cache (DevStack's clean.sh leaves $TOP_DIR/files too)
  const removed = await removeWhatPlugstackMade(runCtx, prep.dest, plugins, state, [filesDirFor(topDirFor(prep.dest))]);
  return { dest: prep.dest, plugins, shells: [un, cl], totalMs: performance.now() - t0, lockChanges: [], removed, changed: true };
}

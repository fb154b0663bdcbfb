// stack, unstack and clean, end to end (CONTRACT 4).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Ctx } from "../context.ts";
import { LockError } from "../errors.ts";
import { type FetchProgress, type MaterialisedPlugin, materialisePlugins, type ResolvedPlugin } from "../plugins/fetch.ts";
import { checkLocked, type LockDiffRow, loadLock } from "../plugins/lockfile.ts";
import { shortSha } from "../plugins/git.ts";
import type { Mode } from "./plan.ts";
import { assertLockedClean, ensureDest, existingPlugins, isTrue, noPluginsWarning, orderPlugins, type Prepared, prepareConfig, topDirFor } from "./prepare.ts";
import type { RunTimings } from "./report.ts";
import { runStackShell } from "./run.ts";
import type { ShellEvent } from "./shell.ts";
import { setActivity } from "../util/processes.ts";
import { withDestLock } from "./dest-lock.ts";
import { finishedRun, loadState, recordCreated, recordRun } from "./state.ts";
import { runBaseClean, runBaseStack, runBaseUnstack } from "../base/run.ts";
import { lockWriter, mergeRepos, removeWhatPlugstackMade, reposFromEvents, statePlugins } from "./outcome.ts";
import { filesDirFor } from "./top-dir.ts";

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

export interface ShellSummary {
  mode: Mode;
  timings: RunTimings;
  logFile: string;
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



function shellExports(ctx: Ctx, prep: Prepared, opts: ModeOptions, plugins: ResolvedPlugin[], runFile: string): Record<string, string> {
  mkdirSync(dirname(runFile), { recursive: true });
  writeFileSync(runFile, JSON.stringify({ config: prep.config.path, dest: prep.dest, plugins: plugins.map((p) => ({ name: p.name, dir: p.dir })) }));
  return {
    PLUGSTACK_CACHE_DIR: ctx.cacheDir,
    PLUGSTACK_OFFLINE: prep.offline ? "True" : "False",
    PLUGSTACK_LOCKED: opts.locked ? "True" : "False",
    PLUGSTACK_LOCKFILE: prep.lockPath,
    PLUGSTACK_RUN_FILE: runFile,
    PLUGSTACK_PLUGIN: "",
  };
}


/** Runs one shell and records it in state.json; throws its HookError when it failed. */
async function runMode(ctx: Ctx, prep: Prepared, opts: ModeOptions, mode: Mode, plugins: ResolvedPlugin[], onEvents?: (events: ShellEvent[]) => void, configSha256?: string): Promise<ShellSummary> {
  const startedAt = new Date().toISOString();
  const runFile = join(topDirFor(prep.dest), "..", `run-${mode}.json`);
  const out = await runStackShell({
    mode,
    config: prep.config,
    plugins,
    dest: prep.dest,
    destOverride: opts.destFlag,
    env: ctx.env,
    exports: shellExports(ctx, prep, opts, plugins, runFile),
    onEvent: opts.onEvent,
    onOutput: opts.onOutput,
  });
  onEvents?.(out.events);
  const f = out.failure?.detail;
  recordRun(prep.dest, mode === "stack" ? statePlugins(plugins) : null, finishedRun({
    mode,
    config: prep.config.path,
    startedAt,
    exitStatus: out.status,
    stepsDone: out.stepsDone,
    timings: out.timings,
    log: out.logFile,
    ...(configSha256 ? { configSha256 } : {}),
  }, f));
  if (out.failure) throw out.failure;
  return { mode, timings: out.timings, logFile: out.logFile };
}

export async function runStack(ctx: Ctx, opts: ModeOptions): Promise<ModeResult> {
  const t0 = performance.now();
  const prep = await prepareConfig(ctx, opts);
  const none = noPluginsWarning(prep);
  if (none) ctx.log.warn(none);
  const before = snapshotDest(prep.dest);
  ensureDest(prep.dest);
  if (prep.base) return withDestLock(ctx, prep.dest, opts, () => recordingCreated(prep.dest, before, () => runBaseStack(ctx, prep, opts)));
  return withDestLock(ctx, prep.dest, opts, () => recordingCreated(prep.dest, before, () => stackLocked(ctx, opts, prep, t0)));
}

/** The top-level names in DEST now (null: DEST does not exist). */
function snapshotDest(dest: string): Set<string> | null {
  return existsSync(dest) ? new Set(readdirSync(dest)) : null;
}

/** Runs `fn`, then records the top-level directories it made under DEST (logs, data, status, ...), for clean. */
async function recordingCreated<T>(dest: string, before: Set<string> | null, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    if (existsSync(dest)) {
      const made = readdirSync(dest, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith(".") && !before?.has(d.name))
        .map((d) => d.name);
      recordCreated(dest, made);
    }
  }
}

/** --locked/--frozen: every git checkout must end at its locked commit (a kept dirty one may not). */
function assertAtLockedCommits(fetched: MaterialisedPlugin[]): void {
  const off = fetched.filter((p) => p.source === "git" && p.commit && p.head !== p.commit);
  if (!off.length) return;
  throw new LockError(
    `--locked: ${off.length === 1 ? "a checkout is" : `${off.length} checkouts are`} not at the locked commit:\n${off
      .map((p) => `  ${p.name}: ${p.dir} is at ${shortSha(p.head)}, the lock says ${shortSha(p.commit)}${p.message ? ` (${p.message})` : ""}`)
      .join("\n")}`,
    "commit or stash the local changes there, or run with --force to stash them and move the checkout",
  );
}

/** sha256 of local.conf's bytes and the localrc text the run sources (a plain localrc, DEVSTACK_LOCAL_CONFIG). */
function configFingerprint(prep: Prepared): string {
  return createHash("sha256").update(readFileSync(prep.config.path)).update("\0").update(prep.config.localrc.text).digest("hex");
}

async function stackLocked(ctx: Ctx, opts: ModeOptions, prep: Prepared, t0: number): Promise<ModeResult> {
  const runCtx = { ...ctx, offline: prep.offline };
  setActivity("fetching plugins");
  const lock = loadLock(prep.lockPath);
  if (opts.locked) assertLockedClean(lock ? checkLocked(lock, prep.specs) : [`${prep.lockPath} does not exist`], prep.lockPath);
  const fetched = await materialisePlugins(runCtx, prep.specs, {
    dest: prep.dest,
    force: opts.force,
    reclone: isTrue(prep.vars.RECLONE),
    errorOnClone: isTrue(prep.vars.ERROR_ON_CLONE),
    gitDepth: Number(prep.vars.GIT_DEPTH ?? 0) || 0,
    lock,
    locked: opts.locked,
    onProgress: opts.onProgress,
  });
  if (opts.locked) assertAtLockedCommits(fetched);
  const plugins = await orderPlugins(fetched, opts.order, ctx.log);
  const writer = lockWriter(prep.lockPath, lock, fetched, opts.locked);
  writer.write(lock?.repos ?? []);
  let events: ShellEvent[] = [];
  const previous = loadState(prep.dest);
  const configSha256 = configFingerprint(prep);
  try {
    const summary = await runMode(runCtx, prep, opts, "stack", plugins, (e) => (events = e), configSha256);
    const last = previous?.last === "stack" ? previous.runs.stack : undefined;
    const same =
      last?.status === "ok" &&
      last.configSha256 === configSha256 &&
      writer.changes.length === 0 &&
      fetched.every((p) => p.status === "reused" || p.status === "linked") &&
      JSON.stringify(previous?.plugins) === JSON.stringify(statePlugins(plugins));
    return { dest: prep.dest, plugins, shells: [summary], totalMs: performance.now() - t0, lockChanges: writer.changes, removed: [], changed: !same };
  } finally {
    const repos = reposFromEvents(events);
    if (repos.length) writer.write(mergeRepos(lock?.repos ?? [], repos));
  }
}

export async function runUnstack(ctx: Ctx, opts: ModeOptions): Promise<ModeResult> {
  const t0 = performance.now();
  const prep = await prepareConfig(ctx, opts);
  const before = snapshotDest(prep.dest);
  ensureDest(prep.dest);
  if (prep.base) return withDestLock(ctx, prep.dest, opts, () => recordingCreated(prep.dest, before, () => runBaseUnstack(ctx, prep, opts)));
  return withDestLock(ctx, prep.dest, opts, () => recordingCreated(prep.dest, before, async () => {
    const plugins = await orderPlugins(existingPlugins(prep.specs, prep.dest, ctx.log), opts.order, ctx.log);
    const summary = await runMode({ ...ctx, offline: prep.offline }, prep, opts, "unstack", plugins);
    return { dest: prep.dest, plugins, shells: [summary], totalMs: performance.now() - t0, lockChanges: [], removed: [], changed: true };
  }));
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
  return withDestLock(ctx, prep.dest, opts, () => cleanLocked(ctx, opts, prep, t0));
}


async function cleanLocked(ctx: Ctx, opts: ModeOptions, prep: Prepared, t0: number): Promise<ModeResult> {
  const runCtx = { ...ctx, offline: prep.offline };
  const plugins = await orderPlugins(existingPlugins(prep.specs, prep.dest, ctx.log), opts.order, ctx.log);
  const state = loadState(prep.dest);
  const un = await runMode(runCtx, prep, opts, "unstack", plugins);
  const cl = await runMode(runCtx, prep, opts, "clean", plugins);
  // everything plugstack keeps under $DEST/.plugstack goes but $FILES, the
  // download cache (DevStack's clean.sh leaves $TOP_DIR/files too)
  const removed = await removeWhatPlugstackMade(runCtx, prep.dest, plugins, state, [filesDirFor(topDirFor(prep.dest))]);
  return { dest: prep.dest, plugins, shells: [un, cl], totalMs: performance.now() - t0, lockChanges: [], removed, changed: true };
}


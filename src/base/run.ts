// The base layer's runs (CONTRACT 12): DevStack's own stack.sh, unstack.sh
// and clean.sh from the pinned checkout at $DEST/devstack, unchanged. Before
// stack.sh, plugstack checks out the plugins and every locked repo from its
// cache, as DevStack's gate pre-clones required projects (with
// ERROR_ON_CLONE=True when locked, so nothing else is cloned). The localrc it
// writes loads the driver's event helpers and the base hooks, which report
// each phase, hook, failure and git_clone on a pipe, so timings, the failure
// report, state.json and [[repo]] pinning work as in the plugin-only runs.

import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Ctx } from "../context.ts";
import { PlugstackError } from "../errors.ts";
import { cloneRepo } from "../plugins/clone-repo.ts";
import { materialisePlugins, type ResolvedPlugin } from "../plugins/fetch.ts";
import { shortSha } from "../plugins/git.ts";
import { startRunLock } from "../plugins/lock-rule.ts";
import { BASE_NAME, type Lock, type LockedRepo, loadLock, lockFromPlugins, sameLockUrl } from "../plugins/lockfile.ts";
import { isCacheMiss, offlineError, resolveCommit } from "../plugins/resolve.ts";
import driver from "../shell/driver.sh" with { type: "text" };
import { ensureDest } from "../stack/dest-dir.ts";
import type { ModeOptions, ModeResult } from "../stack/modes.ts";
import { removeWhatPlugstackMade, reposFromEvents, statePlugins } from "../stack/outcome.ts";
import type { Mode } from "../stack/plan.ts";
import { lockSpecs, type Prepared } from "../stack/prepare.ts";
import { collectTimings } from "../stack/report.ts";
import { failureReport, openRunLog } from "../stack/run.ts";
import type { ModeRun, ShellSummary } from "../stack/run-mode.ts";
import { existingPlugins, orderPlugins } from "../stack/run-order.ts";
import { runShell, type ShellResult } from "../stack/shell.ts";
import { finishedRun, loadState, recordRun } from "../stack/state.ts";
import { isTrue } from "../util/bash-truth.ts";
import { loadExeca } from "../util/execa-lazy.ts";
import { locationOf } from "../util/git-url.ts";
import { renderAssign } from "../util/quote.ts";
import hooks from "./hooks.sh" with { type: "text" };
import { renderBaseLocalConf, WRITTEN_MARK } from "./localconf.ts";
import { type BaseRunInfo, prepareBaseRun } from "./preparers.ts";
import { commandAs, ensureStackUser, envAs, type RunAs } from "./user.ts";

/** DevStack's stack.sh keeps fds 3 and 6 for itself; events come on this one. */
const BASE_EVENT_FD = 9;

const SCRIPTS: Record<Mode, string> = { stack: "stack.sh", unstack: "unstack.sh", clean: "clean.sh" };

/** $DEST/devstack: the base checkout, DevStack's TOP_DIR. */
function baseDirFor(dest: string): string {
  return join(dest, BASE_NAME);
}

/** Where the hook files live for DevStack's scripts to source. */
function hookDir(dest: string): string {
  return join(dest, ".plugstack", "base");
}

/** The directory git_clone uses for a repo in DevStack: $DEST/<last path component without .git>. */
function repoDirFor(dest: string, url: string): string {
  const name =
    url
      .replace(/\/+$/, "")
      .replace(/\.git$/, "")
      .split(/[/:]/)
      .pop() || url;
  return join(dest, name);
}

/** Write the hook files and $TOP_DIR/local.conf; a local.conf plugstack did not write is moved aside first. */
function writeBaseFiles(ctx: Ctx, prep: Prepared, baseDir: string, extra: string[]): void {
  const dir = hookDir(prep.dest);
  mkdirSync(dir, { recursive: true });
  chmodSync(dirname(dir), 0o755);
  chmodSync(dir, 0o755);
  const files = [join(dir, "driver.sh"), join(dir, "hooks.sh")];
  // the stack shell's driver, without the library (it needs none of it)
  writeFileSync(files[0]!, driver, { mode: 0o644 });
  writeFileSync(files[1]!, hooks, { mode: 0o644 });
  const target = join(baseDir, "local.conf");
  if (target === prep.config.path) {
    throw new PlugstackError(
      `${target} is both your config and the local.conf plugstack writes into the DevStack checkout`,
      `keep your local.conf outside ${baseDir} (e.g. copy it to the directory you run plugstack from) and pass it with -c`,
    );
  }
  if (existsSync(target) && !readFileSync(target, "utf8").startsWith(WRITTEN_MARK)) {
    const saved = `${target}.saved-by-plugstack-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    renameSync(target, saved);
    ctx.log.warn(`${target} was not written by plugstack: moved to ${saved}`);
  }
  writeFileSync(target, renderBaseLocalConf({ config: prep.config, hookFiles: files, extra }));
}

/** Checkouts DevStack's user must own (it writes into them: egg-info, logs, .localrc.auto). */
async function chownTo(as: RunAs, paths: string[]): Promise<void> {
  const execa = await loadExeca();
  if (!as.switchUser) return;
  const present = paths.filter((p) => existsSync(p));
  if (present.length) await execa("chown", ["-R", "--", `${as.uid}:${as.gid}`, ...present]);
}

/** A failure where a plugin sources a file of DevStack's tree that this base does not have. */
function missingTopDirFile(result: ShellResult, baseDir: string, commit: string | null): { message: string; hint: string } | undefined {
  const err = [...result.events].reverse().find((e) => e.type === "error");
  const command = err?.fields[3] ?? "";
  const m = /^(?:source|\.)\s+(\S+)/.exec(command);
  if (!m) return undefined;
  // $BASH_COMMAND keeps the words as written: $TOP_DIR is the base checkout
  const path = m[1]!
    .replace(/^["']|["']$/g, "")
    .replace(/^\$\{?TOP_DIR\}?(?=\/)/, baseDir)
    .replace(/^\$\{?RC_DIR\}?(?=\/)/, baseDir);
  if (!path.startsWith(`${baseDir}/`) || existsSync(path)) return undefined;
  const rel = path.slice(baseDir.length + 1);
  return {
    message: `$TOP_DIR/${rel} does not exist in the base (DevStack at ${commit ? shortSha(commit) : "its checkout"}, ${baseDir})`,
    hint: `the plugin was written for a DevStack that has ${rel}: point PLUGSTACK_BASE at the DevStack branch the plugin's branch goes with (e.g. PLUGSTACK_BASE=devstack@stable/2026.1), or use the plugin's branch for this DevStack`,
  };
}

interface BaseShellInput {
  mode: Mode;
  prep: Prepared;
  opts: ModeOptions;
  as: RunAs;
  plugins: ResolvedPlugin[];
  base: ResolvedPlugin;
  lock: Lock;
}

/** One run of DevStack's script for `mode`, recorded in state.json; a failed run comes back with its HookError, not thrown. */
async function runBaseShellOnce(ctx: Ctx, input: BaseShellInput): Promise<ModeRun> {
  const { mode, prep, opts, as, base } = input;
  const baseDir = base.dir;
  const script = join(baseDir, SCRIPTS[mode]);
  if (!existsSync(script)) {
    throw new PlugstackError(
      `the base checkout ${baseDir} has no ${SCRIPTS[mode]}`,
      "PLUGSTACK_BASE must name a DevStack repository (e.g. PLUGSTACK_BASE=devstack)",
    );
  }
  const info: BaseRunInfo = {
    baseDir,
    dest: prep.dest,
    cacheDir: ctx.cacheDir,
    offline: prep.offline,
    locked: opts.locked,
    services: (prep.vars.ENABLED_SERVICES ?? "").split(",").filter(Boolean),
    stackUser: as.user,
    lock: input.lock,
    log: ctx.log,
    mode,
  };
  const { preps, restore } = await prepareBaseRun(ctx, info);
  const startedAt = new Date().toISOString();
  const logFile = openRunLog({ mode, config: prep.config, plugins: [base, ...input.plugins], dest: prep.dest });
  appendFileSync(logFile, `# running ${script} as ${as.user}\n`);
  let result: ShellResult;
  try {
    const extra = [
      ...(opts.destFlag ? [renderAssign("DEST", opts.destFlag)] : []),
      // locked: every repo was checked out from the cache at its locked commit; nothing else may be cloned
      ...(opts.locked || prep.offline ? ["ERROR_ON_CLONE=True", "RECLONE=False"] : []),
      ...preps.flatMap((p) => p.localrc ?? []),
    ];
    writeBaseFiles(ctx, prep, baseDir, extra);
    await chownTo(as, [hookDir(prep.dest), join(baseDir, "local.conf")]);
    const env = { ...envAs(as, ctx.env), ...Object.assign({}, ...preps.map((p) => p.env ?? {})) };
    result = await runShell({
      script,
      command: commandAs(as, ["bash", script]),
      cwd: baseDir,
      env,
      logFile,
      eventFd: BASE_EVENT_FD,
      mode,
      onEvent: opts.onEvent,
      onOutput: opts.onOutput,
    });
  } finally {
    await restore();
  }
  const timings = collectTimings(result.events);
  const failure =
    result.status !== 0 ? failureReport(result, logFile, (f, l) => (l ? `${f}:${l}` : f), missingTopDirFile(result, baseDir, base.commit)) : undefined;
  recordRun(
    prep.dest,
    mode === "stack" ? statePlugins([base, ...input.plugins]) : null,
    finishedRun(
      {
        mode,
        config: prep.config.path,
        startedAt,
        exitStatus: result.status,
        stepsDone: timings.steps.map((s) => s.name),
        timings,
        log: logFile,
      },
      failure && { ...failure.detail, status: result.status },
    ),
  );
  return { summary: { mode, timings, logFile }, events: result.events, ...(failure ? { failure } : {}) };
}

/** runBaseShellOnce, throwing the HookError of a failed run. */
async function runBaseShell(ctx: Ctx, input: BaseShellInput): Promise<ShellSummary> {
  const run = await runBaseShellOnce(ctx, input);
  if (run.failure) throw run.failure;
  return run.summary;
}

/**
 * Check out every locked [[repo]] at $DEST/<name> from the cache, as the gate
 * pre-clones required projects. An existing checkout is kept as DevStack's
 * git_clone keeps it, except when locked: then a clean one is moved to its
 * locked commit (one with local changes stays, with a warning).
 */
async function precloneRepos(ctx: Ctx, prep: Prepared, lock: Lock | null, opts: { force: boolean; locked: boolean }): Promise<string[]> {
  const dirs: string[] = [];
  const misses = [];
  for (const r of lock?.repos ?? []) {
    const dir = repoDirFor(prep.dest, r.url);
    try {
      const c = await cloneRepo(
        { ...ctx, cwd: prep.config.dir },
        { url: r.url, dir, ref: r.ref, plugin: r.requested_by, lock, force: opts.force, reclone: opts.locked },
      );
      if (c.commit && c.commit !== r.commit)
        ctx.log.warn(
          `${dir} stays at ${shortSha(c.commit)}; the lock says ${shortSha(r.commit)}${opts.locked ? "" : " (stack --locked moves a clean checkout there)"}`,
        );
      dirs.push(dir);
    } catch (e) {
      if (e instanceof PlugstackError && prep.offline && /not in the cache/.test(e.message))
        misses.push({ miss: true as const, name: `${basename(dir)} (git_clone by ${r.requested_by})`, url: r.url, ref: r.ref, commit: r.commit });
      else throw e;
    }
  }
  if (misses.length) throw offlineError(misses, "repo");
  return dirs;
}

/** Pin what DevStack cloned itself on this run in the cache, so the next run serves it from there. */
async function cacheClonedRepos(ctx: Ctx, prep: Prepared, repos: LockedRepo[]): Promise<void> {
  if (prep.offline) return;
  for (const r of repos) {
    if (!r.commit) continue;
    const location = locationOf(r.url, prep.config.dir);
    const got = await resolveCommit(ctx, {
      label: `${basename(repoDirFor(prep.dest, r.url))} (git_clone by ${r.requested_by})`,
      location,
      ref: r.ref,
      refGiven: true,
      lockedCommit: r.commit,
      updateCommand: `plugstack lock --update ${r.requested_by}`,
      refSource: `the ref passed to git_clone ${r.url}`,
    });
    if (isCacheMiss(got)) ctx.log.warn(`${r.url}: ${shortSha(r.commit)} could not be put in the cache`);
  }
}

function requireBase(prep: Prepared): NonNullable<Prepared["base"]> {
  if (!prep.base) throw new PlugstackError("no base layer is configured", "set PLUGSTACK_BASE in localrc, or pass --base");
  return prep.base;
}

/** stack with a base: pin and check out everything, then DevStack's stack.sh as the stack user. */
export async function runBaseStack(ctx: Ctx, prep: Prepared, opts: ModeOptions): Promise<ModeResult> {
  const t0 = performance.now();
  requireBase(prep);
  ensureDest(prep.dest);
  const as = await ensureStackUser(ctx, { stackUser: prep.vars.STACK_USER || "stack", dest: prep.dest });
  const runCtx = { ...ctx, offline: prep.offline };
  // runStack checked --locked before DEST was touched
  const lock = loadLock(prep.lockPath);
  const fetched = await materialisePlugins(runCtx, lockSpecs(prep), {
    dest: prep.dest,
    force: opts.force,
    reclone: isTrue(prep.vars.RECLONE),
    errorOnClone: false,
    gitDepth: Number(prep.vars.GIT_DEPTH ?? 0) || 0,
    lock,
    locked: opts.locked,
    onProgress: opts.onProgress,
  });
  const base = fetched.find((p) => p.base)!;
  const plugins = await orderPlugins(
    fetched.filter((p) => !p.base),
    opts.order,
    ctx.log,
  );
  const repoDirs = await precloneRepos(runCtx, prep, lock, { force: opts.force, locked: opts.locked });
  await chownTo(as, [base.dir, ...plugins.filter((p) => p.source === "git").map((p) => p.dir), ...repoDirs]);

  const runLock = startRunLock(prep.lockPath, lock, fetched, { locked: opts.locked, dryRun: false });
  const run = await runBaseShellOnce(runCtx, { mode: "stack", prep, opts, as, plugins, base, lock: runLock.current() ?? lockFromPlugins(fetched) });
  // what DevStack cloned is pinned even when the run failed later
  // fetch_plugins clones the plugins through git_clone too: they are [[plugin]] entries already
  const found = reposFromEvents(run.events).filter((r) => !fetched.some((p) => sameLockUrl(p.url, r.url)));
  if (found.length && !opts.locked) {
    try {
      await cacheClonedRepos(runCtx, prep, found);
    } catch (e) {
      // the run's own failure is the one to report
      if (!run.failure) throw e;
      ctx.log.warn(`could not put what DevStack cloned in the cache: ${e instanceof Error ? e.message : String(e)}`);
    }
    runLock.pinRepos(found);
  }
  if (run.failure) throw run.failure;
  return {
    dest: prep.dest,
    plugins: [base, ...plugins],
    shells: [run.summary],
    totalMs: performance.now() - t0,
    lockChanges: runLock.changes,
    removed: [],
    changed: true,
  };
}

/** The base and plugins as they are under $DEST (unstack, clean): nothing is fetched. */
async function existingBase(ctx: Ctx, prep: Prepared, opts: ModeOptions, mode: Mode): Promise<{ base: ResolvedPlugin; plugins: ResolvedPlugin[] }> {
  const spec = requireBase(prep);
  const dir = baseDirFor(prep.dest);
  if (!existsSync(join(dir, "stack.sh"))) {
    throw new PlugstackError(
      `there is no DevStack checkout at ${dir}, so there is nothing to ${mode}`,
      "run `plugstack stack` first (it checks out the base there)",
    );
  }
  const state = loadState(prep.dest);
  const recorded = state?.plugins.find((p) => p.base);
  const base: ResolvedPlugin = { ...spec, source: "git", commit: recorded?.commit ?? null, resolvedRef: recorded?.ref ?? spec.ref, dir };
  return { base, plugins: await orderPlugins(existingPlugins(prep.specs, prep.dest, ctx.log), opts.order, ctx.log) };
}

/** unstack with a base: DevStack's unstack.sh. */
export async function runBaseUnstack(ctx: Ctx, prep: Prepared, opts: ModeOptions): Promise<ModeResult> {
  const t0 = performance.now();
  const as = await ensureStackUser(ctx, { stackUser: prep.vars.STACK_USER || "stack", dest: prep.dest });
  const { base, plugins } = await existingBase(ctx, prep, opts, "unstack");
  const lock = loadLock(prep.lockPath) ?? lockFromPlugins([base, ...plugins]);
  const summary = await runBaseShell({ ...ctx, offline: prep.offline }, { mode: "unstack", prep, opts, as, plugins, base, lock });
  return { dest: prep.dest, plugins: [base, ...plugins], shells: [summary], totalMs: performance.now() - t0, lockChanges: [], removed: [], changed: true };
}

/**
 * clean with a base: DevStack's clean.sh (which runs unstack.sh first), then
 * what plugstack made goes: its state and the plugin checkouts exactly as it
 * left them. The DevStack checkout and the repos stay, as after DevStack's
 * own clean.sh.
 */
export async function runBaseClean(ctx: Ctx, prep: Prepared, opts: ModeOptions): Promise<ModeResult> {
  const t0 = performance.now();
  const as = await ensureStackUser(ctx, { stackUser: prep.vars.STACK_USER || "stack", dest: prep.dest });
  const { base, plugins } = await existingBase(ctx, prep, opts, "clean");
  const lock = loadLock(prep.lockPath) ?? lockFromPlugins([base, ...plugins]);
  const state = loadState(prep.dest);
  const summary = await runBaseShell({ ...ctx, offline: prep.offline }, { mode: "clean", prep, opts, as, plugins, base, lock });
  const removed = await removeWhatPlugstackMade(ctx, prep.dest, plugins, state);
  return { dest: prep.dest, plugins: [base, ...plugins], shells: [summary], totalMs: performance.now() - t0, lockChanges: [], removed, changed: true };
}

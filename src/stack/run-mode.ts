// One mode's stack shell for a plugin-only run (stack, unstack or clean):
// the PLUGSTACK_* exports its callbacks read, the run itself, and its record
// in state.json.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Ctx } from "../context.ts";
import type { HookError } from "../errors.ts";
import type { CleanStamp } from "../plugins/clean-check.ts";
import type { ResolvedPlugin } from "../plugins/fetch.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import type { HostProbe } from "./host-probe.ts";
import { statePlugins } from "./outcome.ts";
import type { Mode } from "./plan.ts";
import type { Prepared } from "./prepare.ts";
import type { RunTimings } from "./report.ts";
import { runStackShell } from "./run.ts";
import type { ShellEvent } from "./shell.ts";
import { finishedRun, recordRun, type StackState } from "./state.ts";
import { topDirFor } from "./top-dir.ts";

export interface ShellSummary {
  mode: Mode;
  timings: RunTimings;
  logFile: string;
}

/** What a mode's run needs besides the prepared config. */
export interface ModeRunOptions {
  destFlag?: string;
  locked: boolean;
  onEvent?: (e: ShellEvent) => void;
  onOutput?: (line: string) => void;
  /** sha256 of the config, recorded for stack (see ModeResult.changed) */
  configSha256?: string;
  /** stack: the stamps of the checkouts found clean (state.json's checkouts) */
  checkouts?: Record<string, CleanStamp>;
  /** state.json as this run read it before (holding DEST): not read again to record the run */
  previousState?: StackState | null;
  /** stackrc's questions to the host, asked while the run was prepared */
  hostProbe?: HostProbe;
}

export interface ModeRun {
  summary: ShellSummary;
  events: ShellEvent[];
  /** the one report of a failed run; already recorded in state.json */
  failure?: HookError;
}

function shellExports(ctx: Ctx, prep: Prepared, opts: ModeRunOptions, plugins: ResolvedPlugin[], runFile: string): Record<string, string> {
  mkdirSync(dirname(runFile), { recursive: true });
  writeFileAtomic(runFile, JSON.stringify({ config: prep.config.path, dest: prep.dest, plugins: plugins.map((p) => ({ name: p.name, dir: p.dir })) }));
  return {
    PLUGSTACK_CACHE_DIR: ctx.cacheDir,
    PLUGSTACK_OFFLINE: prep.offline ? "True" : "False",
    PLUGSTACK_LOCKED: opts.locked ? "True" : "False",
    PLUGSTACK_LOCKFILE: prep.lockPath,
    PLUGSTACK_RUN_FILE: runFile,
    PLUGSTACK_PLUGIN: "",
  };
}

/** Runs one shell and records it in state.json; a failed run comes back with its HookError, not thrown. */
export async function runModeShell(ctx: Ctx, prep: Prepared, opts: ModeRunOptions, mode: Mode, plugins: ResolvedPlugin[]): Promise<ModeRun> {
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
    hostProbe: opts.hostProbe,
  });
  recordRun(
    prep.dest,
    mode === "stack" ? statePlugins(plugins) : null,
    finishedRun(
      {
        mode,
        config: prep.config.path,
        startedAt,
        exitStatus: out.status,
        stepsDone: out.stepsDone,
        timings: out.timings,
        log: out.logFile,
        ...(opts.configSha256 ? { configSha256: opts.configSha256 } : {}),
      },
      out.failure?.detail,
    ),
    opts.checkouts,
    opts.previousState,
  );
  return { summary: { mode, timings: out.timings, logFile: out.logFile }, events: out.events, ...(out.failure ? { failure: out.failure } : {}) };
}

/** runModeShell, throwing the HookError of a failed run. */
export async function runMode(ctx: Ctx, prep: Prepared, opts: ModeRunOptions, mode: Mode, plugins: ResolvedPlugin[]): Promise<ShellSummary> {
  const run = await runModeShell(ctx, prep, opts, mode, plugins);
  if (run.failure) throw run.failure;
  return run.summary;
}

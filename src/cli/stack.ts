// plugstack stack | unstack | clean
import { defineCommand } from "citty";
import type { Log } from "../log.ts";
import { formatMs, renderTimings } from "../stack/report.ts";
import type { ShellEvent } from "../stack/shell.ts";
import { type ModeOptions, type ModeResult, runClean, runStack, runUnstack } from "../stack/modes.ts";
import { renderLockDiff } from "../plugins/lockfile.ts";
import { previewStack } from "../stack/preview.ts";
import { runAction } from "./output.ts";
import { planJson, renderPreview } from "./plan.ts";
import { createProgress } from "./progress.ts";
import { type CliRun, contextFromFlags, parseOrderFlag, pickArgs } from "./shared.ts";

const orderArg = { type: "string", description: "run order: declared (enable_plugin order) or requires (apply plugin_requires)", default: "declared", valueHint: "declared|requires" } as const;

/** unstack and clean fetch nothing and move no checkout: no --jobs, no --force */
const modeArgs = {
  ...pickArgs("config", "base", "dest", "cache-dir", "offline", "locked", "frozen", "dry-run", "json", "verbose", "quiet"),
  order: orderArg,
  wait: { type: "boolean", default: true, description: "fail at once when another run holds DEST (default: wait for it, naming its pid and command)" },
} as const;

const stackArgs = {
  ...modeArgs,
  jobs: pickArgs("jobs").jobs,
  force: { type: "boolean", description: "move checkouts even when they have local changes (the changes are saved in a git stash first)" },
} as const;

type ModeFlags = Parameters<typeof contextFromFlags>[0] & { force?: boolean; order?: string; wait?: boolean };

/** Phase headers, echo_summary lines and, with -v, every hook. */
function showEvents(run: CliRun, log: Log, started: number): (e: ShellEvent) => void {
  return (e) => {
    const elapsed = formatMs(performance.now() - started);
    if (e.type === "step-start") log.start(`${e.fields[0]}  [${elapsed}]`);
    else if (e.type === "summary") log.info(`  ${e.fields[0] ?? ""}`);
    else if (e.type === "warn") log.warn(e.fields[0] ?? "");
    else if (run.verbose && e.type === "hook-start") log.debug(`  ${e.fields[0]}: ${e.fields[1]} (${e.fields[2]})`);
  };
}

function report(run: CliRun, log: Log, verb: string, result: ModeResult): void {
  if (run.json || run.quiet) return;
  for (const line of renderLockDiff(result.lockChanges)) log.info(`lock: ${line}`);
  for (const path of result.removed) log.info(`removed ${path}`);
  for (const s of result.shells) {
    process.stderr.write(`\n${s.mode}:\n${renderTimings(s.timings, s.timings.steps.reduce((a, b) => a + b.ms, 0))}\n`);
    log.info(`log: ${s.logFile}`);
  }
  log.success(`${verb} done in ${formatMs(result.totalMs)} (DEST=${result.dest})`);
}

function resultJson(run: CliRun, result: ModeResult): Record<string, unknown> {
  return {
    dryRun: false,
    config: run.configPath,
    dest: result.dest,
    plugins: result.plugins.map((p) => ({ name: p.name, url: p.url, ref: p.resolvedRef, commit: p.commit, dir: p.dir, source: p.source })),
    runs: Object.fromEntries(result.shells.map((s) => [s.mode, { mode: s.mode, status: "ok", log: s.logFile, timings: s.timings }])),
    lockChanges: result.lockChanges,
    removed: result.removed,
    totalMs: Math.round(result.totalMs),
  };
}

function modeCommand(name: "stack" | "unstack" | "clean", description: string, body: (run: CliRun, o: ModeOptions) => Promise<ModeResult>, verb: string) {
  return defineCommand({
    meta: { name, description },
    args: name === "stack" ? stackArgs : modeArgs,
    run: ({ args }) =>
      runAction(name, args, async (io) => {
        const log = io.log;
        const flags = args as ModeFlags;
        const run = contextFromFlags(flags, io);
        const order = parseOrderFlag(flags.order);
        if (run.dryRun) {
          const preview = await previewStack(run, { configPath: run.configPath, destFlag: run.destFlag, baseFlag: run.baseFlag, locked: run.locked, order, mode: name });
          io.result({ dryRun: true, ...planJson(preview, io) });
          if (!run.json) process.stdout.write(`${renderPreview(preview)}\n\ndry run: nothing was changed\n`);
          return;
        }
        const started = performance.now();
        const progress = createProgress({ quiet: !!flags.quiet || run.json });
        try {
          const result = await body(run, {
            configPath: run.configPath,
            destFlag: run.destFlag,
            baseFlag: run.baseFlag,
            locked: run.locked,
            force: !!flags.force,
            noWait: flags.wait === false,
            order,
            onProgress: progress.update,
            onEvent: (() => {
              // the fetch display ends when the stack shell starts talking
              const show = flags.quiet ? undefined : showEvents(run, log, started);
              let fetching = true;
              return (e: ShellEvent) => {
                if (fetching) progress.done();
                fetching = false;
                show?.(e);
              };
            })(),
            onOutput: run.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
          });
          progress.done();
          io.result(resultJson(run, result));
          report(run, log, verb, result);
        } catch (e) {
          progress.done();
          const { HookError } = await import("../errors.ts");
          if (e instanceof HookError && e.detail.tail?.length && !run.verbose) {
            process.stderr.write(`\nlast lines of output:\n${e.detail.tail.map((l) => `  | ${l}`).join("\n")}\n\n`);
          }
          throw e;
        }
      }),
  });
}

export const stackCommand = modeCommand("stack", "fetch, pin and run every plugin's hooks, as stack.sh", (run, o) => runStack(run, o), "stack");
export const unstackCommand = modeCommand("unstack", "run the plugins' unstack hooks, as unstack.sh", (run, o) => runUnstack(run, o), "unstack");
export const cleanCommand = modeCommand("clean", "unstack, run the clean hooks, remove what plugstack made, as clean.sh", (run, o) => runClean(run, o), "clean");

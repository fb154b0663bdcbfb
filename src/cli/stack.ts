// plugstack stack | unstack | clean
import { existsSync } from "node:fs";
import { defineCommand } from "citty";
import type { Log } from "../log.ts";
import { renderLockDiff } from "../plugins/lockfile.ts";
import { type ModeOptions, type ModeResult, runClean, runStack, runUnstack } from "../stack/modes.ts";
import { previewStack } from "../stack/preview.ts";
import { formatMs } from "../stack/report.ts";
import { runAction } from "./output.ts";
import { planJson, renderPreview } from "./plan.ts";
import { createRunDisplay } from "./run-display.ts";
import { type CliRun, contextFromFlags, type FlagsOf, parseOrderFlag, pickArgs } from "./shared.ts";
import { stderrTerminal } from "./terminal.ts";

const orderArg = {
  type: "string",
  description: "run order: declared (enable_plugin order) or requires (apply plugin_requires)",
  default: "declared",
  valueHint: "declared|requires",
} as const;

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

type ModeFlags = FlagsOf<typeof stackArgs>;

function report(run: CliRun, log: Log, verb: string, result: ModeResult, table: () => string): void {
  if (run.json || run.quiet) return;
  for (const line of renderLockDiff(result.lockChanges)) log.info(`lock: ${line}`);
  for (const path of result.removed) log.info(`removed ${path}`);
  stderrTerminal().print(`\n${table()}\n`);
  for (const s of result.shells) if (existsSync(s.logFile)) log.info(`log (${s.mode}): ${s.logFile}`);
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
    changed: result.changed,
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
          const preview = await previewStack(run, {
            configPath: run.configPath,
            destFlag: run.destFlag,
            baseFlag: run.baseFlag,
            locked: run.locked,
            order,
            mode: name,
          });
          io.result({ dryRun: true, ...planJson(preview, io) });
          if (!run.json) process.stdout.write(`${renderPreview(preview)}\n\ndry run: nothing was changed\n`);
          return;
        }
        const display = createRunDisplay({
          term: stderrTerminal(),
          log,
          color: io.color,
          quiet: run.quiet || run.json,
          verbose: run.verbose,
          startedAt: io.startedAt,
        });
        try {
          const result = await body(run, {
            configPath: run.configPath,
            destFlag: run.destFlag,
            baseFlag: run.baseFlag,
            locked: run.locked,
            force: !!flags.force,
            noWait: flags.wait === false,
            order,
            onProgress: display.onProgress,
            onEvent: display.onEvent,
            onOutput: run.verbose ? display.onOutput : undefined,
          });
          const phases = display.finish(false);
          // the run's wall time is the table's total: one figure for both
          result.totalMs = phases.totalMs;
          io.result({ ...resultJson(run, result), totalMs: phases.totalMs, phases: phases.rows });
          report(run, log, verb, result, () => display.table(phases));
        } catch (e) {
          const phases = display.finish(true);
          io.result({ dryRun: false, config: run.configPath, totalMs: phases.totalMs, phases: phases.rows });
          if (!run.quiet && !run.json) {
            const { HookError } = await import("../errors.ts");
            if (e instanceof HookError && e.detail.tail?.length && !run.verbose) {
              stderrTerminal().print(`\nlast lines of output:\n${e.detail.tail.map((l) => `  | ${l}`).join("\n")}\n`);
            }
            stderrTerminal().print(`\n${display.table(phases)}\n`);
          }
          throw e;
        }
      }),
  });
}

export const stackCommand = modeCommand("stack", "fetch, pin and run every plugin's hooks, as stack.sh", (run, o) => runStack(run, o), "stack");
export const unstackCommand = modeCommand("unstack", "run the plugins' unstack hooks, as unstack.sh", (run, o) => runUnstack(run, o), "unstack");
export const cleanCommand = modeCommand(
  "clean",
  "unstack, run the clean hooks, remove what plugstack made, as clean.sh",
  (run, o) => runClean(run, o),
  "clean",
);

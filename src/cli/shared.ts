// Flags every command shares, and the one place errors become exit codes.
import type { ArgsDef } from "citty";
import { resolve } from "node:path";
import { type Ctx, resolveCacheDir } from "../context.ts";
import { PlugstackError, UsageError } from "../errors.ts";
import { createLog, type Log } from "../log.ts";
import { sweepStaleTemp } from "../util/temp.ts";
import { installSignalHandlers, stoppingFor } from "./signals.ts";

export const commonArgs = {
  config: { type: "string", alias: "c", description: "local.conf to read", default: "local.conf", valueHint: "FILE" },
  dest: { type: "string", description: "override DEST (where plugins are checked out)", valueHint: "DIR" },
  "cache-dir": { type: "string", description: "cache root (default $PLUGSTACK_CACHE, $XDG_CACHE_HOME/plugstack, ~/.cache/plugstack)", valueHint: "DIR" },
  offline: { type: "boolean", description: "no network at all; use only the cache" },
  locked: { type: "boolean", description: "fail if local.conf.lock does not match the config" },
  frozen: { type: "boolean", description: "--locked and --offline" },
  "dry-run": { type: "boolean", description: "show what would happen, change nothing" },
  json: { type: "boolean", description: "machine-readable output on stdout" },
  verbose: { type: "boolean", alias: "v", description: "more output (and stacks of errors)" },
  quiet: { type: "boolean", alias: "q", description: "only errors" },
  jobs: { type: "string", alias: "j", description: "parallel fetches (default 4)", valueHint: "N" },
} as const satisfies ArgsDef;

export interface CommonFlags {
  config?: string;
  dest?: string;
  "cache-dir"?: string;
  offline?: boolean;
  locked?: boolean;
  frozen?: boolean;
  "dry-run"?: boolean;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  jobs?: string;
}

export interface CliRun extends Ctx {
  configPath: string;
  destFlag?: string;
  locked: boolean;
  dryRun: boolean;
  json: boolean;
  verbose: boolean;
  quiet: boolean;
}

export function contextFromFlags(flags: CommonFlags): CliRun {
  const cwd = process.cwd();
  const env = { ...process.env };
  const log = createLog({ verbose: flags.verbose, quiet: flags.quiet });
  const jobs = flags.jobs === undefined ? 4 : Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a whole number of 1 or more, not "${flags.jobs}"`);
  return {
    cwd,
    env,
    log,
    cacheDir: resolveCacheDir(flags["cache-dir"], env, cwd),
    offline: !!(flags.offline || flags.frozen),
    jobs,
    configPath: resolve(cwd, flags.config ?? "local.conf"),
    destFlag: flags.dest ? resolve(cwd, flags.dest) : undefined,
    locked: !!(flags.locked || flags.frozen),
    dryRun: !!flags["dry-run"],
    json: !!flags.json,
    verbose: !!flags.verbose,
    quiet: !!flags.quiet,
  };
}

/** The --order flag of stack, unstack, clean and plan. */
export function parseOrderFlag(value: string | undefined): "declared" | "requires" {
  if (value !== "declared" && value !== "requires") throw new UsageError(`--order takes "declared" or "requires", not "${value}"`);
  return value;
}

/** Print machine output on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Runs a command body; turns errors into one report and an exit code. */
export async function runAction(verbose: boolean | undefined, body: (log: Log) => Promise<number | void>): Promise<void> {
  const log = createLog({ verbose });
  installSignalHandlers();
  sweepStaleTemp();
  try {
    const code = await body(log);
    process.exitCode = code ?? 0;
  } catch (e) {
    // stopped by a signal: the signal handler says where, once
    if (stoppingFor()) return;
    process.exitCode = reportError(e, log, !!verbose);
  }
}

function reportError(e: unknown, log: Log, verbose: boolean): number {
  if (e instanceof PlugstackError) {
    log.error(e.message);
    if (e.hint) log.info(`hint: ${e.hint}`);
    if (verbose && e.stack) log.debug(e.stack);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  log.error(`internal error (a bug in plugstack, please report it): ${err.message}`);
  process.stderr.write(`${err.stack ?? ""}\n`);
  return 1;
}

// Flags the commands share, and the run context built from them. Each
// command takes only the flags that do something for it (argv.ts rejects the
// others): `pickArgs("config", "dest", ...)`.
import { resolve } from "node:path";
import type { ArgsDef } from "citty";
import { findConfigFile } from "../config/find.ts";
import { type Ctx, resolveCacheDir } from "../context.ts";
import { UsageError } from "../errors.ts";
import { defaultJobs } from "../util/pool.ts";
import type { CliIO } from "./output.ts";

export const commonArgs = {
  config: { type: "string", alias: "c", description: "local.conf to read (default: ./local.conf, else the nearest in a parent directory)", valueHint: "FILE" },
  dest: { type: "string", description: "override DEST (where plugins are checked out)", valueHint: "DIR" },
  base: { type: "string", description: "stack on DevStack itself, pinned: URL[@REF], or devstack (wins over PLUGSTACK_BASE)", valueHint: "URL[@REF]" },
  "cache-dir": { type: "string", description: "cache root (default $PLUGSTACK_CACHE, $XDG_CACHE_HOME/plugstack, ~/.cache/plugstack)", valueHint: "DIR" },
  offline: { type: "boolean", description: "no network at all; use only the cache (also PLUGSTACK_OFFLINE=1)" },
  locked: { type: "boolean", description: "fail if local.conf.lock does not match the config or a checkout is off its locked commit" },
  frozen: { type: "boolean", description: "--locked and --offline" },
  "dry-run": { type: "boolean", description: "show what would happen, change nothing" },
  json: { type: "boolean", description: "machine-readable output on stdout (one plugstack/1 envelope)" },
  verbose: { type: "boolean", alias: "v", description: "more output (and stacks of errors)" },
  quiet: { type: "boolean", alias: "q", description: "only errors" },
  jobs: { type: "string", alias: "j", description: "parallel fetches (default: 4 per CPU core, 4 to 16)", valueHint: "N" },
} as const satisfies ArgsDef;

type Common = typeof commonArgs;

/** The named common flags, for a command's `args`. */
export function pickArgs<K extends keyof Common>(...names: K[]): Pick<Common, K> {
  const out = {} as Pick<Common, K>;
  for (const n of names) out[n] = commonArgs[n];
  return out;
}

/** --json, -v, -q: every command has them. */
export const outputArgs = pickArgs("json", "verbose", "quiet");

/** The values a table of flags parses to: a boolean for each boolean flag, a string for the others, any of them absent. */
export type FlagsOf<A extends ArgsDef> = {
  -readonly [K in keyof A as A[K] extends { type: "positional" } ? never : K]?: A[K] extends { type: "boolean" } ? boolean : string;
};

/** The common flags' values, derived from commonArgs (the one table). */
export type CommonFlags = FlagsOf<Common>;

export interface CliRun extends Ctx {
  configPath: string;
  destFlag?: string;
  /** --base URL[@REF] */
  baseFlag?: string;
  locked: boolean;
  dryRun: boolean;
  json: boolean;
  verbose: boolean;
  quiet: boolean;
}

/** PLUGSTACK_OFFLINE=1 (or true/yes/on) in the environment means --offline. */
function offlineFromEnv(env: Record<string, string | undefined>): boolean {
  return /^(1|true|yes|on)$/i.test(env.PLUGSTACK_OFFLINE ?? "");
}

/** `searchConfig: false` for commands that read a config only when -c names one (check). */
export function contextFromFlags(flags: CommonFlags, io: CliIO, opts: { searchConfig?: boolean } = {}): CliRun {
  const cwd = process.cwd();
  const env = { ...process.env };
  const jobs = flags.jobs === undefined ? defaultJobs() : Number(flags.jobs);
  if (!/^[0-9]+$/.test(flags.jobs ?? "1") || !Number.isInteger(jobs) || jobs < 1)
    throw new UsageError(`--jobs must be a whole number of 1 or more, not "${flags.jobs}"`);
  let configPath = resolve(cwd, flags.config ?? "local.conf");
  if (flags.config === undefined && opts.searchConfig !== false) {
    const found = findConfigFile(cwd, env.HOME);
    if (found && found !== configPath) {
      configPath = found;
      io.log.info(`using ${found} (the nearest local.conf above ${cwd})`);
    }
  }
  return {
    cwd,
    env,
    log: io.log,
    cacheDir: resolveCacheDir(flags["cache-dir"], env, cwd),
    offline: !!(flags.offline || flags.frozen) || offlineFromEnv(env),
    jobs,
    configPath,
    destFlag: flags.dest ? resolve(cwd, flags.dest) : undefined,
    baseFlag: flags.base,
    locked: !!(flags.locked || flags.frozen),
    dryRun: !!flags["dry-run"],
    json: io.json,
    verbose: io.verbose,
    quiet: io.quiet,
  };
}

/** The --order flag of stack, unstack, clean and plan. */
export function parseOrderFlag(value: string | undefined): "declared" | "requires" {
  if (value !== "declared" && value !== "requires") throw new UsageError(`--order takes "declared" or "requires", not "${value}"`);
  return value;
}

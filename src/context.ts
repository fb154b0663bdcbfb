// The context every domain function takes instead of globals.
import type { Log } from "./log.ts";

export interface Ctx {
  /** directory commands resolve relative paths against */
  cwd: string;
  /** environment of the invocation (never mutated) */
  env: Record<string, string | undefined>;
  /** cache root (CONTRACT 9) */
  cacheDir: string;
  log: Log;
  /** no network operation at all */
  offline: boolean;
  /** parallel jobs for fetching */
  jobs: number;
}

import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** CONTRACT 9: --cache-dir, else $PLUGSTACK_CACHE, else $XDG_CACHE_HOME/plugstack, else ~/.cache/plugstack. */
export function resolveCacheDir(flag: string | undefined, env: Ctx["env"], cwd: string): string {
  if (flag) return resolve(cwd, flag);
  if (env.PLUGSTACK_CACHE) return resolve(cwd, env.PLUGSTACK_CACHE);
  if (env.XDG_CACHE_HOME) return join(resolve(cwd, env.XDG_CACHE_HOME), "plugstack");
  return join(env.HOME || homedir(), ".cache", "plugstack");
}

/**
 * How the stack shell calls back into this program: the compiled binary is
 * its own argv[0]; from sources it is `bun <entry>`.
 */
export function selfCommand(): string[] {
  const main = Bun.main;
  if (main.startsWith("/$bunfs") || main.startsWith("B:/~BUN")) return [process.execPath];
  return [process.execPath, main];
}

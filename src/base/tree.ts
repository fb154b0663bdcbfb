// DevStack's files at the locked base commit, for what reads them without
// running DevStack (package lists, plan): the checkout when it is at that
// commit, else a snapshot from the cache mirror.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { FetchError } from "../errors.ts";
import { findMirror, hasCommit } from "../plugins/cache.ts";
import { headCommit } from "../plugins/git.ts";
import { BASE_NAME, type Lock } from "../plugins/lockfile.ts";
import { extractPaths } from "../plugins/snapshot.ts";
import { locationOf } from "../util/git-url.ts";
import { makeTempDir } from "../util/temp.ts";

export interface BaseTree {
  dir: string;
  commit: string;
  /** removes a snapshot (nothing for the checkout) */
  dispose: () => void;
}

/** The base tree of `lock` (null when the lock has no [base]); `dest` is where its checkout may be. */
export async function baseTreeFor(
  ctx: Pick<Ctx, "env" | "offline" | "cacheDir">,
  lock: Lock,
  opts: { dest?: string; baseDir: string },
): Promise<BaseTree | null> {
  const base = lock.base;
  if (!base) return null;
  if (opts.dest) {
    const checkout = join(opts.dest, BASE_NAME);
    if (existsSync(join(checkout, "stack.sh")) && (await headCommit(ctx, checkout)) === base.commit)
      return { dir: checkout, commit: base.commit, dispose: () => {} };
  }
  const mirror = findMirror(ctx.cacheDir, locationOf(base.url, opts.baseDir));
  if (!mirror || !(await hasCommit(ctx, mirror, base.commit))) {
    throw new FetchError(`the base ${base.url} at ${base.commit} is not in the cache ${ctx.cacheDir}`, base.url, base.ref, "run `plugstack fetch` first");
  }
  const temp = makeTempDir("base", ctx.env);
  try {
    await extractPaths(ctx, mirror, base.commit, temp.path);
  } catch (e) {
    temp.remove();
    throw e;
  }
  return { dir: temp.path, commit: base.commit, dispose: temp.remove };
}

// One stack, unstack or clean at a time per DEST (CONTRACT 9): the second
// waits, saying which pid and command hold DEST, or fails at once with
// --no-wait. Held for the whole run, so $TOP_DIR is never rewritten under a
// running stack shell.
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { acquireFileLock, describeHolder } from "../plugins/file-lock.ts";
import type { Clock } from "../util/clock.ts";

export function destLockPath(dest: string): string {
  return join(dest, ".plugstack-lock");
}

/** Run `body` holding DEST's lock; `ctx.clock` (real time by default) times the wait. */
export async function withDestLock<T>(
  ctx: Pick<Ctx, "env" | "log"> & { clock?: Clock },
  dest: string,
  opts: { noWait?: boolean },
  body: () => Promise<T>,
): Promise<T> {
  const seconds = Number(ctx.env.PLUGSTACK_LOCK_TIMEOUT || 0);
  const release = await acquireFileLock(destLockPath(dest), {
    what: `DEST ${dest}`,
    timeoutMs: seconds > 0 ? seconds * 1000 : Number.POSITIVE_INFINITY,
    pollMs: 250,
    clock: ctx.clock,
    noWait: opts.noWait,
    noWaitHint: "another plugstack run is using this DEST: wait for it to finish (run without --no-wait to wait for it)",
    onWait: (h) => ctx.log.info(`waiting for DEST ${dest}: in use by ${describeHolder(h)}`),
  });
  try {
    return await body();
  } finally {
    release();
  }
}

// What runs right before DevStack's own scripts and is undone right after:
// each preparer may add localrc lines and environment for the run and
// returns how to restore what it changed (the offline package and Python
// sources of a --frozen run hook in here).
import type { Ctx } from "../context.ts";
import type { Log } from "../log.ts";
import type { Lock } from "../plugins/lockfile.ts";
import { prepareBaseInstalls } from "./offline-prep.ts";

export interface BaseRunInfo {
  /** the DevStack checkout ($DEST/devstack) */
  baseDir: string;
  dest: string;
  cacheDir: string;
  /** --offline, --frozen or OFFLINE=True */
  offline: boolean;
  locked: boolean;
  /** ENABLED_SERVICES after localrc */
  services: string[];
  /** the user DevStack's scripts run as */
  stackUser: string;
  /** the lock of this run */
  lock: Lock;
  log: Log;
  mode: "stack" | "unstack" | "clean";
}

export interface BaseRunPrep {
  /** lines appended to the generated localrc, after plugstack's own */
  localrc?: string[];
  env?: Record<string, string>;
  /** always called after the run (in reverse order), also when it failed */
  restore?: () => Promise<void>;
}

export type BaseRunPreparer = (ctx: Ctx, info: BaseRunInfo) => Promise<BaseRunPrep>;

/** Every preparer, in the order they run. */
const BASE_RUN_PREPARERS: BaseRunPreparer[] = [prepareBaseInstalls];

/** Run every preparer; one that fails undoes the ones before it. */
export async function prepareBaseRun(
  ctx: Ctx,
  info: BaseRunInfo,
  preparers: readonly BaseRunPreparer[] = BASE_RUN_PREPARERS,
): Promise<{ preps: BaseRunPrep[]; restore: () => Promise<void> }> {
  const preps: BaseRunPrep[] = [];
  const restore = async () => {
    for (const p of [...preps].reverse()) {
      try {
        await p.restore?.();
      } catch (e) {
        ctx.log.warn(`could not undo a preparation of the DevStack run: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  };
  try {
    for (const p of preparers) preps.push(await p(ctx, info));
  } catch (e) {
    await restore();
    throw e;
  }
  return { preps, restore };
}

// `plugstack verify`: the cache and the checkouts under DEST against the
// config's lock (plugins/verify.ts does the checks).
import type { Ctx } from "../context.ts";
import { LockError } from "../errors.ts";
import { loadLock } from "../plugins/lockfile.ts";
import { type VerifyReport, verifyLock } from "../plugins/verify.ts";
import { lockSpecs, prepareConfig } from "./prepare.ts";

export interface VerifyResult extends VerifyReport {
  config: string;
  lockPath: string;
  dest: string;
  cacheDir: string;
}

export async function verifyConfig(ctx: Ctx, opts: { configPath: string; destFlag?: string; baseFlag?: string; full: boolean }): Promise<VerifyResult> {
  const prep = await prepareConfig(ctx, { configPath: opts.configPath, destFlag: opts.destFlag, baseFlag: opts.baseFlag, order: "declared" });
  const lock = loadLock(prep.lockPath);
  if (!lock) throw new LockError(`there is no lock at ${prep.lockPath}`, "run `plugstack lock` (or `plugstack bundle import FILE`) first");
  const report = await verifyLock(ctx, { lock, specs: lockSpecs(prep), dest: prep.dest, baseDir: prep.config.dir, full: opts.full });
  return { config: prep.config.path, lockPath: prep.lockPath, dest: prep.dest, cacheDir: ctx.cacheDir, ...report };
}

// plugstack verify [--full]
import { defineCommand } from "citty";
import { LockError } from "../errors.ts";
import { loadLock } from "../plugins/lockfile.ts";
import { renderVerifyReport, verifyLock } from "../plugins/verify.ts";
import { lockSpecs, prepareConfig } from "../stack/prepare.ts";
import { runAction } from "./output.ts";
import { contextFromFlags, pickArgs } from "./shared.ts";

export default defineCommand({
  meta: { name: "verify", description: "check the cache and the checkouts under DEST against local.conf.lock; exit 1 on drift" },
  args: {
    ...pickArgs("config", "base", "dest", "cache-dir", "json", "verbose", "quiet"),
    full: { type: "boolean", description: "also run git fsck on every mirror the lock uses" },
  },
  run: ({ args }) =>
    runAction("verify", args, async (io) => {
      const run = contextFromFlags(args, io);
      const log = run.log;
      const prep = await prepareConfig(run, { configPath: run.configPath, destFlag: run.destFlag, baseFlag: run.baseFlag, order: "declared" });
      const lock = loadLock(prep.lockPath);
      if (!lock) throw new LockError(`there is no lock at ${prep.lockPath}`, "run `plugstack lock` (or `plugstack bundle import FILE`) first");
      const report = await verifyLock(run, { lock, specs: lockSpecs(prep), dest: prep.dest, baseDir: prep.config.dir, full: !!args.full });
      io.result({ config: prep.config.path, lockPath: prep.lockPath, dest: prep.dest, cacheDir: run.cacheDir, ...report });
      if (run.json) return report.ok ? 0 : 1;
      process.stdout.write(`${[`lock  ${prep.lockPath}`, `cache ${run.cacheDir}`, `DEST  ${prep.dest}`, ...renderVerifyReport(report)].join("\n")}\n`);
      if (report.ok) log.success("everything matches the lock");
      else log.error("drift from the lock (listed above as DRIFT)");
      return report.ok ? 0 : 1;
    }),
});

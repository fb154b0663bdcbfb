// plugstack verify [--full]
import { defineCommand } from "citty";
import { renderVerifyReport } from "../plugins/verify.ts";
import { verifyConfig } from "../stack/verify.ts";
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
      const report = await verifyConfig(run, { configPath: run.configPath, destFlag: run.destFlag, baseFlag: run.baseFlag, full: !!args.full });
      io.result({ ...report });
      if (run.json) return report.ok ? 0 : 1;
      process.stdout.write(`${[`lock  ${report.lockPath}`, `cache ${report.cacheDir}`, `DEST  ${report.dest}`, ...renderVerifyReport(report)].join("\n")}\n`);
      if (report.ok) log.success("everything matches the lock");
      else log.error("drift from the lock (listed above as DRIFT)");
      return report.ok ? 0 : 1;
    }),
});

// plugstack lock [--update [NAME...]]
import { defineCommand } from "citty";
import { UsageError } from "../errors.ts";
import { renderLockDiff } from "../plugins/lockfile.ts";
import { renderVanished } from "../plugins/lock-update.ts";
import { syncLock } from "../plugins/lock-rule.ts";
import { lockSpecs, prepareConfig } from "../stack/prepare.ts";
import { createProgress } from "./progress.ts";
import { runAction } from "./output.ts";
import { contextFromFlags, pickArgs } from "./shared.ts";

export default defineCommand({
  meta: { name: "lock", description: "resolve every plugin to a commit and write local.conf.lock; print what moved" },
  args: {
    ...pickArgs("config", "base", "cache-dir", "offline", "locked", "frozen", "dry-run", "json", "verbose", "quiet", "jobs"),
    update: { type: "boolean", description: "re-resolve locked plugins too: all of them, or the NAMEs given (and the repos they clone)" },
    names: { type: "positional", required: false, description: "plugins to update (with --update)", valueHint: "NAME..." },
  },
  run: ({ args }) =>
    runAction("lock", args, async (io) => {
      const run = contextFromFlags(args, io);
      const log = run.log;
      const names = (args._ ?? []).map(String);
      if (names.length && !args.update) throw new UsageError(`lock: plugin names need --update (plugstack lock --update ${names.join(" ")})`);
      const prep = await prepareConfig(run, { configPath: run.configPath, destFlag: run.destFlag, baseFlag: run.baseFlag, order: "declared" });
      const ctx = { ...run, offline: prep.offline };
      const progress = createProgress({ quiet: run.quiet || run.json });
      let result: Awaited<ReturnType<typeof syncLock>>;
      try {
        result = await syncLock(ctx, {
          specs: lockSpecs(prep),
          lockPath: prep.lockPath,
          baseDir: prep.config.dir,
          locked: run.locked,
          dryRun: run.dryRun,
          purpose: "lock",
          update: args.update ? (names.length ? names : true) : undefined,
          onProgress: progress.update,
        });
      } finally {
        progress.done();
      }
      const { written } = result;
      io.result({ config: prep.config.path, lockPath: prep.lockPath, written, lockChanges: result.changes, notes: result.notes, vanished: result.vanished });
      if (run.json) return result.vanished.length ? 1 : 0;
      const lines = renderLockDiff(result.changes).map((line, i) => {
        const note = result.notes[result.changes[i]!.name];
        return note ? `${line}  [${note}]` : line;
      });
      if (lines.length) process.stdout.write(`${lines.join("\n")}\n`);
      if (!result.changes.length && !result.vanished.length) process.stdout.write(`lock is up to date (${prep.lockPath})\n`);
      else if (written) log.success(`wrote ${prep.lockPath}`);
      else if (run.dryRun) log.info(`dry run: ${prep.lockPath} was not changed`);
      for (const v of renderVanished(result.vanished)) log.error(v);
      return result.vanished.length ? 1 : 0;
    }),
});

// plugstack lock [--update [NAME...]]
import { defineCommand } from "citty";
import { UsageError } from "../errors.ts";
import { assertLocked, loadLock, renderLock, renderLockDiff, writeLock } from "../plugins/lockfile.ts";
import { renderVanished, resolveLockUpdate } from "../plugins/lock-update.ts";
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
      const lock = loadLock(prep.lockPath);
      if (run.locked) {
        assertLocked(lock, lockSpecs(prep), prep.lockPath);
        io.result({ config: prep.config.path, lockPath: prep.lockPath, written: false, lockChanges: [], notes: {}, vanished: [] });
        if (!run.json) process.stdout.write(`lock is up to date (${prep.lockPath})\n`);
        return 0;
      }
      const progress = createProgress({ quiet: run.quiet || run.json });
      let result: Awaited<ReturnType<typeof resolveLockUpdate>>;
      try {
        result = await resolveLockUpdate(ctx, lockSpecs(prep), {
          lock,
          update: args.update ? (names.length ? names : true) : undefined,
          baseDir: prep.config.dir,
          onProgress: progress.update,
        });
      } finally {
        progress.done();
      }
      const changed = !lock || renderLock(lock) !== renderLock(result.lock);
      const written = changed && !run.dryRun;
      if (written) writeLock(prep.lockPath, result.lock);
      io.result({ config: prep.config.path, lockPath: prep.lockPath, written, lockChanges: result.rows, notes: result.notes, vanished: result.vanished });
      if (run.json) return result.vanished.length ? 1 : 0;
      const lines = renderLockDiff(result.rows).map((line, i) => {
        const note = result.notes[result.rows[i]!.name];
        return note ? `${line}  [${note}]` : line;
      });
      if (lines.length) process.stdout.write(`${lines.join("\n")}\n`);
      if (!result.rows.length && !result.vanished.length) process.stdout.write(`lock is up to date (${prep.lockPath})\n`);
      else if (written) log.success(`wrote ${prep.lockPath}`);
      else if (run.dryRun) log.info(`dry run: ${prep.lockPath} was not changed`);
      for (const v of renderVanished(result.vanished)) log.error(v);
      return result.vanished.length ? 1 : 0;
    }),
});

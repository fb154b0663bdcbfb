// plugstack lock [--update [NAME...]]
import { defineCommand } from "citty";
import { UsageError } from "../errors.ts";
import { renderVanished } from "../plugins/lock-update.ts";
import { renderLockDiff } from "../plugins/lockfile.ts";
import { lockConfig } from "../stack/lock.ts";
import { runAction } from "./output.ts";
import { withProgress } from "./progress.ts";
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
      const names = (args._ ?? []).map(String);
      if (names.length && !args.update) throw new UsageError(`lock: plugin names need --update (plugstack lock --update ${names.join(" ")})`);
      const update = args.update ? (names.length ? names : true) : undefined;
      const r = await withProgress(run, (onProgress) =>
        lockConfig(run, { configPath: run.configPath, baseFlag: run.baseFlag, locked: run.locked, dryRun: run.dryRun, update, onProgress }),
      );
      io.result({ ...r });
      const code = r.vanished.length ? 1 : 0;
      if (run.json) return code;
      const lines = renderLockDiff(r.lockChanges).map((line, i) => {
        const note = r.notes[r.lockChanges[i]!.name];
        return note ? `${line}  [${note}]` : line;
      });
      if (lines.length) process.stdout.write(`${lines.join("\n")}\n`);
      if (!r.lockChanges.length && !r.vanished.length) process.stdout.write(`lock is up to date (${r.lockPath})\n`);
      else if (r.written) run.log.success(`wrote ${r.lockPath}`);
      else if (run.dryRun) run.log.info(`dry run: ${r.lockPath} was not changed`);
      for (const v of renderVanished(r.vanished)) run.log.error(v);
      return code;
    }),
});

// plugstack add NAME [URL] [REF]
import { relative } from "node:path";
import { defineCommand } from "citty";
import { renderLockDiff } from "../plugins/lockfile.ts";
import { addPlugin } from "../stack/add.ts";
import { runAction } from "./output.ts";
import { createProgress } from "./progress.ts";
import { contextFromFlags, pickArgs } from "./shared.ts";

export default defineCommand({
  meta: {
    name: "add",
    description: "enable a plugin in local.conf (URL from DevStack's registry when not given), with the plugins it requires first; update the lock",
  },
  args: {
    ...pickArgs("config", "cache-dir", "offline", "dry-run", "json", "verbose", "quiet"),
    name: { type: "positional", required: true, description: "the plugin's enable_plugin name", valueHint: "NAME" },
    url: { type: "positional", required: false, description: "its git URL or local path (default: from DevStack's plugin registry)", valueHint: "URL" },
    ref: { type: "positional", required: false, description: "branch, tag or commit (default master)", valueHint: "REF" },
  },
  run: ({ args }) =>
    runAction("add", args, async (io) => {
      const log = io.log;
      const run = contextFromFlags(args, io);
      const progress = createProgress({ quiet: run.quiet || run.json });
      let result: Awaited<ReturnType<typeof addPlugin>>;
      try {
        result = await addPlugin(run, {
          configPath: run.configPath,
          name: args.name,
          url: args.url,
          ref: args.ref,
          dryRun: run.dryRun,
          onProgress: progress.update,
        });
      } finally {
        progress.done();
      }
      io.result({ ...result });
      if (run.json) return 0;
      const file = relative(run.cwd, result.configPath) || result.configPath;
      if (result.alreadyEnabled) {
        log.info(`${args.name} is already enabled at ${result.alreadyEnabled.file}:${result.alreadyEnabled.line}; nothing to do`);
        return 0;
      }
      for (const a of result.added) {
        const why = a.requiredBy ? `  (required by ${a.requiredBy})` : "";
        process.stdout.write(`${file}:${a.line}: enable_plugin ${a.name} ${a.url}${a.ref ? ` ${a.ref}` : ""}${why}\n`);
      }
      if (!result.written) {
        log.info(`dry run: ${file} and its lock were not changed`);
        return 0;
      }
      const moved = renderLockDiff(result.lockRows);
      if (moved.length) process.stdout.write(`${moved.join("\n")}\n`);
      log.success(`added ${result.added.map((a) => a.name).join(", ")} to ${file}; ${relative(run.cwd, result.lockPath) || result.lockPath} is up to date`);
      return 0;
    }),
});

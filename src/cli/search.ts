// plugstack search TERM: DevStack's plugin registry, embedded.
import { defineCommand } from "citty";
import { searchRegistry } from "../plugins/registry.ts";
import { runAction } from "./output.ts";

export default defineCommand({
  meta: { name: "search", description: "find plugins in DevStack's plugin registry by name, project or URL" },
  args: {
    term: { type: "positional", required: true, description: "text to look for (case-insensitive)", valueHint: "TERM" },
    json: { type: "boolean", description: "machine-readable output on stdout" },
  },
  run: ({ args }) =>
    runAction("search", args, async (io) => {
      const log = io.log;
      const { matches, suggestions } = searchRegistry(args.term);
      const exitCode = matches.length ? 0 : 1;
      io.result({ term: args.term, matches, suggestions });
      if (args.json) {
        if (!matches.length)
          io.issue("errors", {
            code: "not-found",
            message: `no plugin in DevStack's registry matches "${args.term}"`,
            hint: suggestions.length ? `did you mean: ${suggestions.join(", ")}?` : undefined,
          });
        return exitCode;
      }
      if (!matches.length) {
        log.error(`no plugin in DevStack's registry matches "${args.term}"`);
        if (suggestions.length) log.info(`did you mean: ${suggestions.join(", ")}?`);
        return exitCode;
      }
      const width = Math.max(...matches.map((m) => m.name.length));
      process.stdout.write(`${matches.map((m) => `${m.name.padEnd(width)}  ${m.url}`).join("\n")}\n`);
      log.info(`add one with: plugstack add ${matches[0]!.name}`);
      return exitCode;
    }),
});

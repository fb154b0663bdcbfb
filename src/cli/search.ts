// plugstack search TERM: DevStack's plugin registry, embedded.
import { defineCommand } from "citty";
import { searchRegistry } from "../plugins/registry.ts";
import { runEnvelopeAction } from "./envelope.ts";

export default defineCommand({
  meta: { name: "search", description: "find plugins in DevStack's plugin registry by name, project or URL" },
  args: {
    term: { type: "positional", required: true, description: "text to look for (case-insensitive)", valueHint: "TERM" },
    json: { type: "boolean", description: "machine-readable output on stdout" },
  },
  run: ({ args }) =>
    runEnvelopeAction("search", args, async (log) => {
      const { matches, suggestions } = searchRegistry(args.term);
      const exitCode = matches.length ? 0 : 1;
      if (args.json) {
        const errors = matches.length
          ? []
          : [{ code: "NotFound", message: `no plugin in DevStack's registry matches "${args.term}"`, ...(suggestions.length ? { hint: `did you mean: ${suggestions.join(", ")}?` } : {}) }];
        return { exitCode, result: { term: args.term, matches, suggestions }, errors };
      }
      if (!matches.length) {
        log.error(`no plugin in DevStack's registry matches "${args.term}"`);
        if (suggestions.length) log.info(`did you mean: ${suggestions.join(", ")}?`);
        return { exitCode, result: null };
      }
      const width = Math.max(...matches.map((m) => m.name.length));
      process.stdout.write(`${matches.map((m) => `${m.name.padEnd(width)}  ${m.url}`).join("\n")}\n`);
      log.info(`add one with: plugstack add ${matches[0]!.name}`);
      return { exitCode, result: null };
    }),
});

// plugstack lib export DIR
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { UsageError } from "../errors.ts";
import { writeLibraryTree } from "../shell/export.ts";
import { runAction } from "./output.ts";
import { outputArgs } from "./shared.ts";

const exportCommand = defineCommand({
  meta: {
    name: "export",
    description: "write the bash library to DIR in DevStack's layout (functions, functions-common, inc/*, stackrc, openrc)",
  },
  args: {
    dir: { type: "positional", required: true, description: "directory to write into (created when missing)", valueHint: "DIR" },
    ...outputArgs,
  },
  run: ({ args }) =>
    runAction("lib export", args, async (io) => {
      const dir = resolve(process.cwd(), args.dir);
      if (existsSync(dir) && !statSync(dir).isDirectory()) {
        throw new UsageError(`lib export: ${dir} exists and is not a directory`, "name a new or existing directory");
      }
      const files = writeLibraryTree(dir);
      io.result({ dir, files });
      if (!io.json && !io.quiet) {
        process.stdout.write(
          `wrote plugstack's bash library to ${dir} (${files.length} files)\n` +
            `use it from a script written for DevStack's layout with: source ${dir}/functions\n`,
        );
      }
      return 0;
    }),
});

export default defineCommand({
  meta: { name: "lib", description: "the embedded bash library (DevStack's functions)" },
  subCommands: { export: exportCommand },
});

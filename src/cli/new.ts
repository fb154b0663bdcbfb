// plugstack new plugin NAME [DIR]
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { createPlugin } from "../plugins/scaffold.ts";
import { runAction } from "./output.ts";

const plugin = defineCommand({
  meta: { name: "plugin", description: "create a DevStack plugin: settings, plugin.sh with every phase, package lists, bindep.txt, README" },
  args: {
    name: { type: "positional", required: true, description: "the plugin's name (its enable_plugin name)", valueHint: "NAME" },
    dir: { type: "positional", required: false, description: "where to create it (default ./NAME); must be new or empty", valueHint: "DIR" },
    url: { type: "string", description: "git URL the README's enable_plugin line shows (default https://opendev.org/openstack/NAME)", valueHint: "URL" },
    json: { type: "boolean", description: "machine-readable output on stdout" },
  },
  run: ({ args }) =>
    runAction("new plugin", args, async (io) => {
      const log = io.log;
      const dir = resolve(process.cwd(), args.dir ?? args.name);
      const files = createPlugin(dir, { name: args.name, url: args.url });
      if (!args.json) {
        process.stdout.write(`${files.map((f) => `created ${f.path}`).join("\n")}\n`);
        log.success(`plugin ${args.name} created in ${dir}`);
        log.info(
          `try it: add "enable_plugin ${args.name} ${dir}" to [[local|localrc]] of a local.conf, then plugstack stack; lint it with plugstack check ${args.dir ?? args.name}`,
        );
      }
      io.result({ name: args.name, dir, files: files.map((f) => f.path) });
      return 0;
    }),
});

export default defineCommand({
  meta: { name: "new", description: "create things for plugin authors" },
  subCommands: { plugin },
});

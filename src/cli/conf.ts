// plugstack conf render VARS.json
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { defineCommand } from "citty";
import { renderZuulVarsFile } from "../config/zuul.ts";
import { resolveCacheDir } from "../context.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { runAction } from "./output.ts";
import { outputArgs, pickArgs } from "./shared.ts";

const render = defineCommand({
  meta: { name: "render", description: "write a local.conf from DevStack's Zuul job variables (JSON), as its write-devstack-local-conf role does" },
  args: {
    vars: {
      type: "positional",
      required: true,
      description: "JSON file with devstack_localrc, devstack_local_conf, devstack_plugins, devstack_services, devstack_base_services, devstack_base_dir",
      valueHint: "VARS.json",
    },
    output: { type: "string", alias: "o", description: "write here instead of stdout", valueHint: "FILE" },
    lock: { type: "string", description: "read plugin_requires from this lock's plugins, at their commits in the cache", valueHint: "FILE" },
    "base-dir": { type: "string", description: "read plugin_requires from the git repos under DIR (default devstack_base_dir)", valueHint: "DIR" },
    ...pickArgs("cache-dir"),
    ...outputArgs,
  },
  run: ({ args }) =>
    runAction("conf render", args, async (io) => {
      const cwd = process.cwd();
      const env = { ...process.env };
      const text = await renderZuulVarsFile(
        { env, cacheDir: resolveCacheDir(args["cache-dir"], env, cwd) },
        {
          varsFile: resolve(cwd, args.vars),
          lockPath: args.lock ? resolve(cwd, args.lock) : undefined,
          baseDir: args["base-dir"] ? resolve(cwd, args["base-dir"]) : undefined,
        },
      );
      const out = args.output ? resolve(cwd, args.output) : null;
      if (out) {
        mkdirSync(dirname(out), { recursive: true });
        writeFileAtomic(out, text);
      }
      io.result({ output: out, text });
      if (!io.json && !out) process.stdout.write(text);
      return 0;
    }),
});

export default defineCommand({
  meta: { name: "conf", description: "local.conf from DevStack's Zuul variables" },
  subCommands: { render },
});

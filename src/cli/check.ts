// plugstack check [DIR]: lint a plugin; findings as file:line, exit 1 when there are any.
import { relative } from "node:path";
import { defineCommand } from "citty";
import { checkPlugin } from "../stack/check.ts";
import { runAction } from "./output.ts";
import { contextFromFlags } from "./shared.ts";

export default defineCommand({
  meta: { name: "check", description: "lint a plugin: bash syntax, define_plugin, plugin_requires, unknown functions, package lists, bindep.txt, shellcheck" },
  args: {
    dir: { type: "positional", required: false, description: "the plugin's root, holding devstack/ (default .)", valueHint: "DIR" },
    config: { type: "string", alias: "c", description: "also check plugin_requires against the plugins this local.conf enables", valueHint: "FILE" },
    name: { type: "string", description: "the enable_plugin name to expect (default: the directory's name)", valueHint: "NAME" },
    json: { type: "boolean", description: "machine-readable output on stdout" },
  },
  run: ({ args }) =>
    runAction("check", args, async (io) => {
      const log = io.log;
      const ctx = contextFromFlags({ json: args.json }, io, { searchConfig: false });
      const report = await checkPlugin(ctx, { dir: args.dir ?? ".", name: args.name, configPath: args.config });
      const exitCode = report.findings.length ? 1 : 0;
      const shown = (f: string) => (f.startsWith(`${ctx.cwd}/`) ? relative(ctx.cwd, f) : f);
      io.result({ ...report });
      if (args.json) {
        for (const f of report.findings) io.issue("errors", { code: f.rule, message: f.message, file: f.file, line: f.line, hint: f.hint });
        if (report.shellcheck !== "ran") io.issue("warnings", { code: "shellcheck-missing", message: "shellcheck is not installed: its checks were skipped" });
        return exitCode;
      }
      for (const f of report.findings) {
        process.stdout.write(`${shown(f.file)}:${f.line}${f.column ? `:${f.column}` : ""}: ${f.rule}: ${f.message}\n`);
        if (f.hint) process.stdout.write(`    hint: ${f.hint}\n`);
      }
      if (report.shellcheck !== "ran") log.warn("shellcheck is not installed: its checks were skipped");
      const what = `plugin ${report.name}: ${report.bashFiles.length} bash file${report.bashFiles.length === 1 ? "" : "s"}`;
      if (exitCode) log.error(`${what}, ${report.findings.length} finding${report.findings.length === 1 ? "" : "s"}`);
      else log.success(`${what}, no findings`);
      return exitCode;
    }),
});

// plugstack plan: what stack would do, with no side effects on the stack.
import { defineCommand } from "citty";
import { packagePlanJson, renderPackagePlan } from "../packages/plan.ts";
import { previewStack, type StackPreview } from "../stack/preview.ts";
import { type CliIO, runAction } from "./output.ts";
import { contextFromFlags, parseOrderFlag, pickArgs } from "./shared.ts";

export function renderPreview(p: StackPreview): string {
  const out: string[] = [`config ${p.config}`, `DEST   ${p.dest}${p.offline ? " (offline)" : ""}`];
  if (p.base) {
    const b = p.base;
    out.push(`base   ${b.commit ? b.commit.slice(0, 12) : "(not resolved)"}  ${b.resolvedRef} (${b.fromLock ? "lock" : "remote"})  ${b.url}`);
    out.push(`       DevStack's own stack.sh, unstack.sh and clean.sh from ${b.dir} (PLUGSTACK_BASE from ${b.source})`);
  }
  out.push("", "plugins (run order):");
  const width = Math.max(...p.plugins.map((x) => x.name.length), 4);
  for (const name of p.order) {
    const x = p.plugins.find((y) => y.name === name)!;
    const commit = x.commit ? x.commit.slice(0, 12) : "directory";
    const from = x.fromLock ? "lock" : x.source === "directory" ? "local dir" : "remote";
    const hooks = [x.hooks.overrideDefaults && "override-defaults", x.hooks.settings && "settings", x.hooks.pluginSh && "plugin.sh"].filter(Boolean).join(", ");
    out.push(`  ${name.padEnd(width)}  ${commit}  ${x.resolvedRef} (${from})  ${x.url}`);
    out.push(`  ${"".padEnd(width)}  hooks: ${hooks || "none"}`);
    if (x.notice) out.push(`  ${"".padEnd(width)}  note: ${x.notice}`);
  }
  for (const w of p.warnings) out.push(`warning: ${w}`);
  out.push("", "steps and hooks:");
  for (const step of p.steps) {
    const calls = p.calls.filter((c) => c.step === step).map((c) => c.plugin);
    out.push(`  ${step.padEnd(20)} ${calls.join(" ")}`);
  }
  out.push("", renderPackagePlan(p.packages));
  if (p.packages.toInstall.length) out.push(`would install: ${p.packages.toInstall.join(" ")}`);
  return out.join("\n");
}

/** The JSON result of plan and of `stack --dry-run` (its warnings go to the envelope's warnings). */
export function planJson(p: StackPreview, io: CliIO): Record<string, unknown> {
  if (io.json) for (const w of p.warnings) io.log.warn(w);
  const { warnings: _, ...rest } = p;
  return { ...rest, packages: packagePlanJson(p.packages) };
}

export default defineCommand({
  meta: { name: "plan", description: "show what stack would do: plugins, commits, order, hooks, packages" },
  args: {
    ...pickArgs("config", "base", "dest", "cache-dir", "offline", "locked", "frozen", "json", "verbose", "quiet", "jobs"),
    order: { type: "string", description: "run order: declared or requires", default: "declared", valueHint: "declared|requires" },
  },
  run: ({ args }) =>
    runAction("plan", args, async (io) => {
      const run = contextFromFlags(args, io);
      const order = parseOrderFlag(args.order);
      const preview = await previewStack(run, { configPath: run.configPath, destFlag: run.destFlag, baseFlag: run.baseFlag, locked: run.locked, order });
      io.result(planJson(preview, io));
      if (!run.json) process.stdout.write(`${renderPreview(preview)}\n`);
    }),
});

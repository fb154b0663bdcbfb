// The stack shell's packages step, called back from the shell
// (`plugstack internal install-plugin-packages`): the plan for the run's
// plugins, shown; what is missing, installed; then the "all installed"
// answer kept for the next unchanged run (packages/installed-cache.ts).
import { readFileSync } from "node:fs";
import type { Ctx } from "../context.ts";
import { UsageError } from "../errors.ts";
import { detectPackagePlan, installPackages } from "../packages/install.ts";
import { packagesStateKey, writePackagesStamp } from "../packages/installed-cache.ts";
import { renderPackagePlan } from "../packages/plan.ts";

export interface RunPackagesOptions {
  /** the run file plugstack wrote for the shell (PLUGSTACK_RUN_FILE): the plugins and their checkouts */
  runFile: string | undefined;
  /** DevStack's general prerequisites too (unless PLUGSTACK_HOST_SETUP=False) */
  general: boolean;
  /** where the "all installed" answer is kept (PLUGSTACK_PACKAGES_STAMP), if anywhere */
  stamp: string | undefined;
  dryRun: boolean;
  /** the rendered plan, as soon as it is known (before anything is installed) */
  onPlan: (text: string) => void;
}

export async function installRunPackages(ctx: Ctx, opts: RunPackagesOptions): Promise<void> {
  if (!opts.runFile) throw new UsageError("PLUGSTACK_RUN_FILE is not set: this command is called by the stack shell");
  const run = JSON.parse(readFileSync(opts.runFile, "utf8")) as { plugins: { name: string; dir: string }[] };
  const plan = await detectPackagePlan(ctx, run.plugins, undefined, { general: opts.general });
  const text = plan.entries.length ? `${renderPackagePlan(plan)}\n` : "";
  opts.onPlan(text);
  if (plan.toInstall.length) await installPackages(ctx, plan.toInstall, { dryRun: opts.dryRun });
  // everything is installed now: the next unchanged run skips this callback
  if (opts.stamp && !opts.dryRun) {
    const key = packagesStateKey(run.plugins);
    if (key) writePackagesStamp(opts.stamp, opts.general, key, text);
  }
}

// `plugstack check [DIR]`: lint a plugin, against a config when one is given
// (its enabled plugins are what plugin_requires may name, and an
// enable_plugin line pointing at DIR gives the name to expect).
import { resolve } from "node:path";
import type { Ctx } from "../context.ts";
import { type LintReport, lintPlugin } from "../plugins/lint.ts";
import { classifyUrl } from "../util/git-url.ts";
import { prepareConfig } from "./prepare.ts";

export interface CheckOptions {
  dir: string;
  name?: string;
  configPath?: string;
}

export async function checkPlugin(ctx: Ctx, opts: CheckOptions): Promise<LintReport & { config?: string }> {
  const dir = resolve(ctx.cwd, opts.dir);
  if (!opts.configPath) return lintPlugin({ dir, name: opts.name, env: ctx.env });
  const prep = await prepareConfig(ctx, { configPath: resolve(ctx.cwd, opts.configPath), order: "declared" });
  const pointing = prep.specs.find((s) => {
    const k = classifyUrl(s.url, prep.config.dir);
    return k.kind === "local" && resolve(k.path) === dir;
  });
  const report = await lintPlugin({ dir, name: opts.name ?? pointing?.name, enabled: prep.specs.map((s) => s.name), env: ctx.env });
  return { ...report, config: prep.config.path };
}

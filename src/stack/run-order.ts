// Which plugins a run calls, and in what order (CONTRACT 4 step 4).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import type { ResolvedPlugin } from "../plugins/fetch.ts";
import { resolveRunOrder } from "../plugins/order.ts";
import { loadPluginRequirements } from "../plugins/requirements.ts";
import type { PluginSpec } from "../plugins/spec.ts";

/** Plugins as they already are under $DEST (unstack, clean): no fetching. */
export function existingPlugins(specs: PluginSpec[], dest: string, log: Ctx["log"]): ResolvedPlugin[] {
  const out: ResolvedPlugin[] = [];
  for (const s of specs) {
    const dir = join(dest, s.name);
    if (!existsSync(dir)) {
      log.warn(`plugin ${s.name} is not checked out at ${dir}; its hooks are skipped`);
      continue;
    }
    out.push({ ...s, source: existsSync(join(dir, ".git")) ? "git" : "directory", commit: null, resolvedRef: s.ref, dir });
  }
  return out;
}

/** Run order from enable_plugin order and plugin_requires. */
export async function orderPlugins(plugins: ResolvedPlugin[], mode: "declared" | "requires", log: Ctx["log"]): Promise<ResolvedPlugin[]> {
  const requires = await loadPluginRequirements(plugins.map((p) => ({ name: p.name, dir: p.dir })));
  const { order, warnings } = resolveRunOrder(plugins, requires, mode);
  for (const w of warnings) log.warn(w);
  const byName = new Map(plugins.map((p) => [p.name, p]));
  return order.map((n) => byName.get(n)!).filter(Boolean);
}

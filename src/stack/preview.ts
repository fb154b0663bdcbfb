// What `stack` would do, without doing it: plugins, commits, run order,
// hooks that exist, packages (CONTRACT 10 `plan`). Plugins not checked out
// yet are read from their cache mirror at the resolved commit.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { detectPackagePlan } from "../packages/install.ts";
import type { PackagePlan } from "../packages/plan.ts";
import { withScratchCache } from "../plugins/cache.ts";
import { type PluginResolution, resolvePlugins } from "../plugins/fetch.ts";
import { headCommit } from "../plugins/git.ts";
import { assertLocked } from "../plugins/lock-rule.ts";
import { loadLock } from "../plugins/lockfile.ts";
import { resolveRunOrder } from "../plugins/order.ts";
import { loadPluginRequirements } from "../plugins/requirements.ts";
import { extractDevstackDir } from "../plugins/snapshot.ts";
import { makeTempDir } from "../util/temp.ts";
import { type Mode, planBaseSteps, planHookCalls, planSteps, stepLabel } from "./plan.ts";
import { doesHostSetup, lockSpecs, noPluginsWarning, type Prepared, type PrepareOptions, prepareConfig } from "./prepare.ts";

export interface PreviewPlugin {
  name: string;
  url: string;
  ref: string;
  resolvedRef: string;
  commit: string | null;
  source: "git" | "directory";
  fromLock: boolean;
  dir: string;
  hooks: { overrideDefaults: boolean; settings: boolean; pluginSh: boolean };
  notice?: string;
}

/** The DevStack base layer of the plan: where it comes from and the commit it is pinned to. */
export interface PreviewBase {
  url: string;
  ref: string;
  resolvedRef: string;
  commit: string | null;
  fromLock: boolean;
  /** where PLUGSTACK_BASE was set: --base, localrc or the environment */
  source: string;
  /** its checkout, DevStack's TOP_DIR */
  dir: string;
}

export interface StackPreview {
  config: string;
  dest: string;
  offline: boolean;
  base: PreviewBase | null;
  plugins: PreviewPlugin[];
  order: string[];
  warnings: string[];
  steps: string[];
  calls: { step: string; plugin: string; file: string }[];
  packages: PackagePlan;
}

/** Where to read a plugin's files: its checkout when it is at the commit, else a snapshot. */
async function filesDir(ctx: Ctx, p: PluginResolution, dest: string, scratch: string): Promise<string> {
  const checkout = join(dest, p.name);
  if (p.source === "directory") return p.location;
  if (p.commit && existsSync(checkout) && (await headCommit(ctx, checkout)) === p.commit) return checkout;
  if (!p.mirror || !p.commit) return join(scratch, p.name);
  await extractDevstackDir(ctx, p.mirror, p.commit, join(scratch, p.name));
  return join(scratch, p.name);
}

type PreviewOptions = PrepareOptions & { locked: boolean; mode?: Mode };

export async function previewStack(ctx: Ctx, opts: PreviewOptions): Promise<StackPreview> {
  const prep = await prepareConfig(ctx, opts);
  // the plan changes nothing: what resolving needs is fetched into a scratch cache
  return withScratchCache({ ...ctx, offline: prep.offline }, (runCtx) => previewPrepared(runCtx, prep, opts));
}

async function previewPrepared(runCtx: Ctx, prep: Prepared, opts: PreviewOptions): Promise<StackPreview> {
  const lock = loadLock(prep.lockPath);
  if (opts.locked) assertLocked(lock, lockSpecs(prep), prep.lockPath);
  const all = await resolvePlugins(runCtx, lockSpecs(prep), { lock, locked: opts.locked });
  const b = all.find((p) => p.base);
  const resolved = all.filter((p) => !p.base);
  const base: PreviewBase | null = b
    ? { url: b.url, ref: b.ref, resolvedRef: b.resolvedRef, commit: b.commit, fromLock: b.fromLock, source: prep.base!.source, dir: join(prep.dest, b.name) }
    : null;
  const temp = makeTempDir("plan", runCtx.env);
  const scratch = temp.path;
  try {
    const dirs = new Map<string, string>();
    for (const p of resolved) dirs.set(p.name, await filesDir(runCtx, p, prep.dest, scratch));
    const plugins: PreviewPlugin[] = resolved.map((p) => {
      const d = dirs.get(p.name)!;
      return {
        name: p.name,
        url: p.url,
        ref: p.ref,
        resolvedRef: p.resolvedRef,
        commit: p.commit,
        source: p.source,
        fromLock: p.fromLock,
        dir: join(prep.dest, p.name),
        hooks: {
          overrideDefaults: existsSync(join(d, "devstack", "override-defaults")),
          settings: existsSync(join(d, "devstack", "settings")),
          pluginSh: existsSync(join(d, "devstack", "plugin.sh")),
        },
        ...(p.notice ? { notice: p.notice } : {}),
      };
    });
    const requires = await loadPluginRequirements(resolved.map((p) => ({ name: p.name, dir: dirs.get(p.name)! })));
    const { order, warnings } = resolveRunOrder(resolved, requires, opts.order);
    const byName = new Map(plugins.map((p) => [p.name, p]));
    const steps = (prep.base ? planBaseSteps : planSteps)(opts.mode ?? "stack");
    const calls = planHookCalls(
      steps,
      order.map((n) => ({ name: n, ...byName.get(n)!.hooks })),
    );
    const packages = await detectPackagePlan(
      runCtx,
      order.map((n) => ({ name: n, dir: dirs.get(n)! })),
      undefined,
      { general: doesHostSetup(prep) },
    );
    return {
      config: prep.config.path,
      dest: prep.dest,
      offline: prep.offline,
      base,
      plugins,
      order,
      warnings: [...[noPluginsWarning(prep)].filter((w) => w !== undefined), ...warnings],
      steps: steps.map(stepLabel),
      calls,
      packages,
    };
  } finally {
    temp.remove();
  }
}

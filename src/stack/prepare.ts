// Everything before the stack shell: config, plugin list, DEST, commits,
// checkouts, run order. Shared by stack, unstack, clean and plan.
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type LoadedConfig, loadConfig } from "../config/load.ts";
import { evaluateLocalrc } from "../config/evaluate.ts";
import type { Ctx } from "../context.ts";
import { LockError, PlugstackError } from "../errors.ts";
import type { ResolvedPlugin } from "../plugins/fetch.ts";
import { resolveRunOrder } from "../plugins/order.ts";
import { loadPluginRequirements } from "../plugins/requirements.ts";
import type { PluginSpec } from "../plugins/spec.ts";
import { type BaseSpec, findBaseLine, parseBaseSpec } from "../base/spec.ts";
import { renderLibrary } from "../shell/index.ts";
import { renderBeforeLocalrc, renderEarlyDefaults } from "./script.ts";

export interface PrepareOptions {
  configPath: string;
  destFlag?: string;
  order: "declared" | "requires";
  /** --base URL[@REF]: wins over PLUGSTACK_BASE in localrc and the environment */
  baseFlag?: string;
}

export interface Prepared {
  config: LoadedConfig;
  specs: PluginSpec[];
  /** the DevStack base layer, when PLUGSTACK_BASE / --base is set */
  base: BaseSpec | null;
  vars: Record<string, string>;
  dest: string;
  lockPath: string;
  offline: boolean;
}

/** bash truthiness of DevStack's trueorfalse for the values plugstack reads */
export function isTrue(value: string | undefined): boolean {
  return ["1", "yes", "true", "on"].includes((value ?? "").toLowerCase());
}

/** False only for a value trueorfalse reads as False (so an unset value keeps a True default). */
export function isFalse(value: string | undefined): boolean {
  return ["0", "no", "false", "off"].includes((value ?? "").toLowerCase());
}

/**
 * Whether a plugin-only stack does stack.sh's host set-up (sudo, DevStack's general prerequisites,
 * clouds.yaml): unless PLUGSTACK_HOST_SETUP is False, as the stack shell reads it. With a base layer
 * DevStack's own stack.sh does it, so plugstack does not.
 */
export function doesHostSetup(prep: Pick<Prepared, "base" | "vars">): boolean {
  return !prep.base && !isFalse(prep.vars.PLUGSTACK_HOST_SETUP);
}

export function topDirFor(dest: string): string {
  return join(dest, ".plugstack", "top");
}

/** Loads local.conf and learns plugins and variables by evaluating localrc in bash. */
export async function prepareConfig(ctx: Ctx, opts: PrepareOptions): Promise<Prepared> {
  const config = await loadConfig({ configPath: opts.configPath, env: ctx.env, cwd: ctx.cwd });
  for (const n of config.notices) ctx.log.warn(n);
  const prelude = `${renderEarlyDefaults(topDirFor("/opt/stack"))}\n${renderLibrary()}\n${renderBeforeLocalrc()}\n`;
  const { plugins: specs, vars } = await evaluateLocalrc(config, { prelude, env: ctx.env, cwd: config.dir });
  const dest = opts.destFlag ?? vars.DEST ?? "/opt/stack";
  return {
    config,
    specs,
    base: resolveBase(opts.baseFlag, vars.PLUGSTACK_BASE, ctx.env.PLUGSTACK_BASE, config),
    vars,
    dest,
    lockPath: `${config.path}.lock`,
    offline: ctx.offline || isTrue(vars.OFFLINE),
  };
}

/** --base, else PLUGSTACK_BASE as localrc left it (the environment's value when localrc does not set it). */
function resolveBase(flag: string | undefined, evaluated: string | undefined, fromEnv: string | undefined, config: LoadedConfig): BaseSpec | null {
  if (flag !== undefined) return parseBaseSpec(flag, { source: "flag", file: "--base", line: 0 });
  const line = findBaseLine(config.localrc.text.split("\n"));
  const origin = line ? config.localrc.lines[line - 1] : undefined;
  if (origin && evaluated !== undefined) return parseBaseSpec(evaluated, { source: "localrc", file: origin.file, line: origin.line });
  if (evaluated !== undefined && evaluated !== fromEnv) return parseBaseSpec(evaluated, { source: "localrc", file: config.path, line: 0 });
  return parseBaseSpec(fromEnv, { source: "env", file: "the PLUGSTACK_BASE environment variable", line: 0 });
}

/** What the lock covers: the plugins and, when there is one, the base. */
export function lockSpecs(prep: Pick<Prepared, "specs" | "base">): PluginSpec[] {
  return prep.base ? [prep.base, ...prep.specs] : prep.specs;
}

/** stack and plan with no plugin enabled run nothing of anyone's: say so (a localrc typo is the usual cause). */
export function noPluginsWarning(prep: Pick<Prepared, "specs" | "config">): string | undefined {
  if (prep.specs.length) return undefined;
  return `no plugin is enabled in ${prep.config.path}: there are no hooks to run (add enable_plugin NAME URL [REF] lines to its [[local|localrc]] block)`;
}

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

/** Run order from enable_plugin order and plugin_requires (CONTRACT 4 step 4). */
export async function orderPlugins(plugins: ResolvedPlugin[], mode: "declared" | "requires", log: Ctx["log"]): Promise<ResolvedPlugin[]> {
  const requires = await loadPluginRequirements(plugins.map((p) => ({ name: p.name, dir: p.dir })));
  const { order, warnings } = resolveRunOrder(plugins, requires, mode);
  for (const w of warnings) log.warn(w);
  const byName = new Map(plugins.map((p) => [p.name, p]));
  return order.map((n) => byName.get(n)!).filter(Boolean);
}

export function assertLockedClean(diffs: string[], lockPath: string): void {
  if (diffs.length === 0) return;
  throw new LockError(
    `${lockPath} does not match the config:\n  ${diffs.join("\n  ")}`,
    "run `plugstack lock` to update it, or drop --locked/--frozen",
  );
}

/** DEST must exist (it is created) and be writable before anything is put there. */
export function ensureDest(dest: string): void {
  const hint = "set DEST in localrc or pass --dest with a directory you can write (DevStack's default /opt/stack needs root to create)";
  try {
    mkdirSync(dest, { recursive: true });
    accessSync(dest, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new PlugstackError(`cannot use DEST ${dest}: ${code === "EACCES" || code === "EPERM" ? "permission denied" : code}`, hint);
  }
}

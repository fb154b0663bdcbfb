// The config side of every command that reads local.conf: load it, learn the
// plugins and variables by evaluating localrc, and from them DEST, the lock's
// path, the base layer and whether the run is offline.
import { type BaseSpec, findBaseLine, parseBaseSpec } from "../base/spec.ts";
import { classifyLocalrc } from "../config/declarative.ts";
import { evalCacheKey, evalCacheSlot, readEvalCache, withoutVolatile, writeEvalCache } from "../config/eval-cache.ts";
import { type Evaluated, evaluateLocalrc, evaluatorText } from "../config/evaluate.ts";
import { type LoadedConfig, loadConfig } from "../config/load.ts";
import type { Ctx } from "../context.ts";
import { lockPathFor } from "../plugins/lockfile.ts";
import type { PluginSpec } from "../plugins/spec.ts";
import { libraryDigest } from "../shell/export.ts";
import { renderLibrary } from "../shell/index.ts";
import { isFalse, isTrue } from "../util/bash-truth.ts";
import { DEFAULT_DEST, destFor } from "./dest.ts";
import { renderBeforeLocalrc, renderEarlyDefaults } from "./script.ts";
import { topDirFor } from "./top-dir.ts";

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
  /**
   * Keeps this evaluation for the next run (config/eval-cache.ts), when it
   * may be kept. Only `stack` calls it, once its --locked check passed: the
   * other commands (and --dry-run, --locked failures) write nothing.
   */
  keepEvaluation: () => void;
  /** localrc may run commands (it is not declarative: config/declarative.ts), so what it leaves on the host is known only after it ran */
  localrcRunsCommands: boolean;
}

/**
 * Whether a plugin-only stack does stack.sh's host set-up (sudo, DevStack's general prerequisites,
 * clouds.yaml): unless PLUGSTACK_HOST_SETUP is False, as the stack shell reads it. With a base layer
 * DevStack's own stack.sh does it, so plugstack does not.
 */
export function doesHostSetup(prep: Pick<Prepared, "base" | "vars">): boolean {
  return !prep.base && !isFalse(prep.vars.PLUGSTACK_HOST_SETUP);
}

/** Loads local.conf and learns plugins and variables by evaluating localrc in bash. */
export async function prepareConfig(ctx: Ctx, opts: PrepareOptions): Promise<Prepared> {
  const config = await loadConfig({ configPath: opts.configPath, env: ctx.env, cwd: ctx.cwd });
  for (const n of config.notices) ctx.log.warn(n);
  const { evaluated, keep, runsCommands } = await evaluateOnce(ctx, config);
  const { plugins: specs, vars } = evaluated;
  return {
    config,
    specs,
    base: resolveBase(opts.baseFlag, vars.PLUGSTACK_BASE, ctx.env.PLUGSTACK_BASE, config),
    vars,
    dest: destFor(opts.destFlag, vars),
    lockPath: lockPathFor(config.path),
    offline: ctx.offline || isTrue(vars.OFFLINE),
    keepEvaluation: keep,
    localrcRunsCommands: runsCommands,
  };
}

/**
 * evaluateLocalrc, or, for a declarative localrc (config/declarative.ts), the
 * kept answer of its last evaluation with the same key (config/eval-cache.ts).
 */
async function evaluateOnce(ctx: Ctx, config: LoadedConfig): Promise<{ evaluated: Evaluated; keep: () => void; runsCommands: boolean }> {
  const nothing = () => undefined;
  const early = renderEarlyDefaults(topDirFor(DEFAULT_DEST));
  const before = renderBeforeLocalrc();
  const uid = process.getuid?.() ?? -1;
  // an entry exists only for a key whose localrc was declarative: the key
  // covers all the classifier reads, so a hit needs no classifying; the
  // library is in it by its digest (renderLibrary joins its files)
  const key = evalCacheKey(config, ctx.env, uid, `${early}\0${libraryDigest()}\0${before}\0${evaluatorText()}`);
  const slot = evalCacheSlot(config.path, uid);
  const hit = readEvalCache(ctx.cacheDir, slot, key);
  if (hit) {
    ctx.log.debug(`localrc: cached evaluation (unchanged since ${hit.since.toISOString()})`);
    return { evaluated: hit.evaluated, keep: nothing, runsCommands: false };
  }
  // a name left out of the key is, to the classifier, not in the environment
  const shape = classifyLocalrc(config.localrc.text, withoutVolatile(ctx.env));
  if (!shape.declarative) ctx.log.debug(`localrc: evaluated in bash (not cached: ${shape.reason})`);
  const prelude = `${early}\n${renderLibrary()}\n${before}\n`;
  const evaluated = await evaluateLocalrc(config, { prelude, env: ctx.env, cwd: config.dir, watch: shape.declarative ? shape.refs : undefined });
  if (!shape.declarative) return { evaluated, keep: nothing, runsCommands: true };
  if (!evaluated.changed?.length) return { evaluated, keep: () => void writeEvalCache(ctx.cacheDir, slot, key, evaluated), runsCommands: false };
  ctx.log.debug(`localrc: evaluated in bash (not cached: the library sets ${evaluated.changed.join(", ")}, which localrc expands)`);
  return { evaluated, keep: nothing, runsCommands: false };
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

// `plugstack conf render`: a local.conf from a file of DevStack's Zuul job
// variables, with plugin_requires read from the lock's plugins (in the
// cache) or, as DevStack's role does, from the git repos under a directory.
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Ctx } from "../context.ts";
import { ConfigError, LockError } from "../errors.ts";
import { loadLock } from "../plugins/lockfile.ts";
import { loadLockedSettings, loadSettingsUnder } from "../plugins/requirements.ts";
import { parseZuulVars, renderZuulLocalConf } from "./zuul-render.ts";

export interface ZuulRenderOptions {
  varsFile: string;
  /** read plugin_requires from this lock's plugins at their locked commits, in the cache */
  lockPath?: string;
  /** read plugin_requires from the git repos under this directory (default devstack_base_dir of the vars) */
  baseDir?: string;
}

export async function renderZuulVarsFile(ctx: Pick<Ctx, "env" | "cacheDir">, opts: ZuulRenderOptions): Promise<string> {
  let text: string;
  try {
    text = await readFile(opts.varsFile, "utf8");
  } catch (e) {
    throw new ConfigError(
      `cannot read the variables file (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      opts.varsFile,
      undefined,
      "give the path of a JSON file, e.g. written by Ansible's to_json",
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    throw new ConfigError(`not valid JSON: ${msg}`, opts.varsFile, undefined, "the file must hold one JSON object of devstack_* variables");
  }
  const vars = parseZuulVars(value, opts.varsFile);
  let settings: string[] = [];
  if (opts.lockPath) {
    const lock = loadLock(opts.lockPath);
    if (!lock) throw new LockError(`there is no lock at ${opts.lockPath}`, "run `plugstack lock` first, or leave out --lock");
    settings = await loadLockedSettings(ctx, lock, dirname(opts.lockPath));
  } else {
    const dir = opts.baseDir ?? vars.baseDir;
    if (dir) settings = await loadSettingsUnder(dir);
  }
  return renderZuulLocalConf(vars, opts.varsFile, settings);
}

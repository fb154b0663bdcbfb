// Reads each plugin's devstack/settings and hands the text to order.ts.
import { type Dirent, readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { PlugstackError } from "../errors.ts";
import { findMirror, hasCommit } from "./cache.ts";
import type { PluginResolution } from "./fetch.ts";
import { lockTargets } from "./fill.ts";
import { type GitCtx, tryGit } from "./git.ts";
import type { Lock } from "./lockfile.ts";
import { type PluginRequirement, resolveRequirementNames, type SettingsScan, scanSettings } from "./order.ts";

/**
 * Reads `<dir>/devstack/settings` of each plugin (a missing file is fine) and
 * returns their requirements. Read one after another: small local files,
 * for which a read through the thread pool each costs more than it saves.
 */
export async function loadPluginRequirements(plugins: { name: string; dir: string }[]): Promise<PluginRequirement[]> {
  const scans = plugins.map((p) => {
    const file = join(p.dir, "devstack", "settings");
    try {
      return { name: p.name, file, scan: scanSettings(readFileSync(file, "utf8")) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return { name: p.name, file, scan: { defines: [], defineLines: [], requires: [] } };
      throw new PlugstackError(`cannot read ${file} of plugin ${p.name} (${code ?? String(e)})`, "check the file's permissions");
    }
  });
  return resolveRequirementNames(scans);
}

/** devstack/settings of a commit in a bare mirror, or null when the commit has none. */
async function settingsAt(ctx: GitCtx, mirror: string, commit: string): Promise<string | null> {
  const r = await tryGit(ctx, ["show", `${commit}:devstack/settings`], { cwd: mirror });
  return r.exitCode === 0 ? r.stdout : null;
}

/**
 * The settings scan of a plugin that was just resolved, before any checkout:
 * read from its mirror at the resolved commit, or from its directory. A
 * plugin without devstack/settings has an empty scan.
 */
export async function scanResolvedSettings(ctx: GitCtx, r: PluginResolution): Promise<{ file: string; scan: SettingsScan }> {
  if (r.source === "directory" || !r.mirror || !r.commit) {
    const file = join(r.location, "devstack", "settings");
    const text = await readFile(file, "utf8").catch(() => "");
    return { file, scan: scanSettings(text) };
  }
  return { file: `${r.url}@${r.commit.slice(0, 7)}:devstack/settings`, scan: scanSettings((await settingsAt(ctx, r.mirror.path, r.commit)) ?? "") };
}

/**
 * The devstack/settings texts of the git repositories under `dir`, found as
 * DevStack's write-devstack-local-conf role finds them: every directory
 * holding `.git` (not looking deeper), following no symlinks. A missing
 * `dir` has none.
 */
export async function loadSettingsUnder(dir: string): Promise<string[]> {
  const roots: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.name === ".git" && e.isDirectory())) {
      roots.push(d);
      return;
    }
    for (const e of entries) if (e.isDirectory()) await walk(join(d, e.name));
  };
  await walk(dir);
  const texts = await Promise.all(roots.sort().map((r) => readFile(join(r, "devstack", "settings"), "utf8").catch(() => null)));
  return texts.filter((t): t is string => t !== null);
}

/**
 * The devstack/settings texts of the lock's plugins at their locked commits,
 * read from the cache's mirrors (no checkout needed). A plugin whose commit
 * is not cached is an error naming it and the command that fetches it.
 */
export async function loadLockedSettings(ctx: Pick<Ctx, "env" | "cacheDir">, lock: Lock, baseDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const t of lockTargets(lock, baseDir).filter((x) => x.kind === "plugin")) {
    const mirror = findMirror(ctx.cacheDir, t.location);
    if (!mirror || !(await hasCommit({ env: ctx.env, offline: true }, mirror, t.commit))) {
      throw new PlugstackError(
        `plugin ${t.label} at ${t.commit} is not in the cache ${ctx.cacheDir}`,
        "run `plugstack fetch` (or `plugstack bundle import FILE`) with this lock first",
      );
    }
    const text = await settingsAt({ env: ctx.env, offline: true }, mirror.path, t.commit);
    if (text !== null) out.push(text);
  }
  return out;
}

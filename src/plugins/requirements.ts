// Reads each plugin's devstack/settings and hands the text to order.ts.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { PlugstackError } from "../errors.ts";
import type { PluginResolution } from "./fetch.ts";
import { type GitCtx, tryGit } from "./git.ts";
import { type PluginRequirement, resolveRequirementNames, type SettingsScan, scanSettings } from "./order.ts";

/** Reads `<dir>/devstack/settings` of each plugin (a missing file is fine) and returns their requirements. */
export async function loadPluginRequirements(plugins: { name: string; dir: string }[]): Promise<PluginRequirement[]> {
  const scans = await Promise.all(
    plugins.map(async (p) => {
      const file = join(p.dir, "devstack", "settings");
      try {
        return { name: p.name, file, scan: scanSettings(await readFile(file, "utf8")) };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return { name: p.name, file, scan: { defines: [], defineLines: [], requires: [] } };
        throw new PlugstackError(`cannot read ${file} of plugin ${p.name} (${code ?? String(e)})`, "check the file's permissions");
      }
    }),
  );
  return resolveRequirementNames(scans);
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
  const res = await tryGit(ctx, ["show", `${r.commit}:devstack/settings`], { cwd: r.mirror.path });
  return { file: `${r.url}@${r.commit.slice(0, 7)}:devstack/settings`, scan: scanSettings(res.exitCode === 0 ? res.stdout : "") };
}

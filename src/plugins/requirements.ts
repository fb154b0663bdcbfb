// Reads each plugin's devstack/settings and hands the text to order.ts.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { PlugstackError } from "../errors.ts";
import { type PluginRequirement, resolveRequirementNames, scanSettings } from "./order.ts";

/** Reads `<dir>/devstack/settings` of each plugin (a missing file is fine) and returns their requirements. */
export async function loadPluginRequirements(plugins: { name: string; dir: string }[]): Promise<PluginRequirement[]> {
  const scans = await Promise.all(
    plugins.map(async (p) => {
      const file = join(p.dir, "devstack", "settings");
      try {
        return { name: p.name, file, scan: scanSettings(await readFile(file, "utf8")) };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return { name: p.name, file, scan: { defines: [], requires: [] } };
        throw new PlugstackError(`cannot read ${file} of plugin ${p.name} (${code ?? String(e)})`, "check the file's permissions");
      }
    }),
  );
  return resolveRequirementNames(scans);
}

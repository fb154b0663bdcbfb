// DevStack's general prerequisites: the packages stack.sh installs before
// any plugin (its files/debs|rpms/general), built in per distro family and
// read with the plugins' list grammar. Pure.
import type { DistroInfo } from "./distro.ts";
import debs from "./general/debs.txt" with { type: "text" };
import rpms from "./general/rpms.txt" with { type: "text" };
import { type PackageEntry, parsePackageList } from "./lists.ts";

/** The name the general list goes by in plans and messages. */
const GENERAL = "general";

/** The general prerequisites selected on this distro (none for a family DevStack has no list for). */
export function generalPackages(distro: DistroInfo): PackageEntry[] {
  const text = distro.family === "debian" ? debs : distro.family === "redhat" ? rpms : undefined;
  if (text === undefined) return [];
  const source = `plugstack:files/${distro.family === "debian" ? "debs" : "rpms"}/general`;
  return parsePackageList(text, { distro: distro.distro, plugin: GENERAL, source });
}

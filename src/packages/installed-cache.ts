// The packages step of an unchanged re-stack asks nobody: when the last run
// left every listed package installed, plugstack writes a stamp with the key
// below, and the stack shell skips its callback into the binary while the key
// is the same (it says "packages: cached"). The key covers everything the
// answer depends on:
//   - each plugin's name, checkout directory and package lists
//     (devstack/files/debs/NAME, rpms/NAME, rpms-suse/NAME, files/bindep.txt);
//   - the distro (the os-release file);
//   - the package database: size, mtime and inode of dpkg's status file or
//     rpm's database (any install, upgrade or removal changes them); no such
//     file, no cache;
//   - this plugstack build (version and commit);
//   - and, added by the stack shell, whether DevStack's general
//     prerequisites are part of the step (PLUGSTACK_HOST_SETUP).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { renderVersion } from "../build-info.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";

/** Files whose stat changes whenever a package is installed, upgraded or removed. */
const PACKAGE_DATABASES = [
  "var/lib/dpkg/status",
  "var/lib/rpm/rpmdb.sqlite",
  "var/lib/rpm/Packages",
  "usr/lib/sysimage/rpm/rpmdb.sqlite",
  "usr/lib/sysimage/rpm/Packages",
];

function readOr(path: string, none: string): string {
  // most lists do not exist: asked first, as a failed read costs an exception (about 20 us, four per plugin)
  if (!existsSync(path)) return none;
  try {
    return readFileSync(path, "utf8");
  } catch {
    return none;
  }
}

/** The key of the packages step's answer for these plugins on this machine now; null when it cannot be cached. */
export function packagesStateKey(plugins: readonly { name: string; dir: string }[], root = "/"): string | null {
  const h = createHash("sha256");
  const part = (...fields: string[]) => h.update(`${fields.join("\0")}\0\0`);
  let databases = 0;
  for (const db of PACKAGE_DATABASES) {
    try {
      const st = statSync(join(root, db), { bigint: true });
      part("db", db, String(st.size), String(st.mtimeNs), String(st.ino));
      databases++;
    } catch {
      // not this distro's database
    }
  }
  if (databases === 0) return null;
  part("plugstack", renderVersion());
  // /usr/lib/os-release only where /etc/os-release is missing (read only then)
  const osRelease = join(root, existsSync(join(root, "etc/os-release")) ? "etc/os-release" : "usr/lib/os-release");
  part("os-release", readOr(osRelease, "-"));
  for (const p of plugins) {
    const files = join(p.dir, "devstack", "files");
    part("plugin", p.name, p.dir);
    for (const list of [join("debs", p.name), join("rpms", p.name), join("rpms-suse", p.name), "bindep.txt"])
      part(list, readOr(join(files, list), "\u0001none"));
  }
  return h.digest("hex");
}

/**
 * Records that every package of the plan is installed now: the stamp's
 * first line is "GENERAL KEY" (what the stack shell compares), the rest the
 * plan text to show again when the step is skipped.
 */
export function writePackagesStamp(stamp: string, general: boolean, key: string, planText: string): void {
  writeFileAtomic(stamp, `${general ? "True" : "False"} ${key}\n${planText}`);
}

// The offline package cache in a bundle: packages/<distro>/ with index.json,
// the repository metadata and the package files. Created from the cache as
// it is (minus work and partial files); imported into an empty distro
// directory whole, or merged into an existing one (new files added, the
// index and apt's Packages file merged, dnf's repodata taken from the
// bundle when it covers everything).
import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Log } from "../log.ts";
import { mergeNames, type PackageIndex } from "../packages/offline.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { isTempSibling, tempSibling } from "../util/temp.ts";
import { listFiles } from "./bundle-format.ts";
import { describeHolder, withFileLock } from "./file-lock.ts";

/** Files of the package cache that belong in a bundle, as "packages/<distro>/<path>". */
export function collectPackageFiles(cacheDir: string): { distros: string[]; files: string[] } {
  const root = join(cacheDir, "packages");
  if (!existsSync(root)) return { distros: [], files: [] };
  const distros: string[] = [];
  const files: string[] = [];
  for (const distro of readdirSync(root).sort()) {
    const dir = join(root, distro);
    if (!/^[A-Za-z0-9._+-]+$/.test(distro) || isTempSibling(distro) || !statSync(dir).isDirectory() || !existsSync(join(dir, "index.json"))) continue;
    const kept = listFiles(dir, dir).filter(
      (f) => !f.split("/").some((part) => part === "partial" || part.startsWith(".work-") || isTempSibling(part) || part === "lock"),
    );
    distros.push(distro);
    files.push(...kept.map((f) => `packages/${distro}/${f}`));
  }
  return { distros, files };
}

/** Hardlink (or copy, across file systems) `from` to `to`. */
function linkOrCopy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** apt's Packages file: stanzas keyed by their Filename. */
function mergePackagesFile(existing: string, incoming: string): string {
  const stanzas = (text: string) =>
    text
      .split(/\n\n+/)
      .map((s) => s.trim())
      .filter(Boolean);
  const key = (s: string) => /^Filename: (.*)$/m.exec(s)?.[1] ?? s;
  const have = new Set(stanzas(existing).map(key));
  const merged = [...stanzas(existing), ...stanzas(incoming).filter((s) => !have.has(key(s)))];
  return merged.map((s) => `${s}\n\n`).join("");
}

export interface PackageImport {
  distro: string;
  status: "created" | "merged" | "unchanged";
  added: number;
}

/** Put packages/<distro>/ of an extracted bundle (`from`) into the cache, holding that directory's lock. */
export async function importPackageDir(cacheDir: string, distro: string, from: string, log: Log): Promise<PackageImport> {
  const target = join(cacheDir, "packages", distro);
  mkdirSync(dirname(target), { recursive: true, mode: 0o775 });
  return withFileLock(
    `${target}.plugstack-lock`,
    { what: `the package cache ${target}`, onWait: (h) => log.info(`waiting for ${target}: in use by ${describeHolder(h)}`) },
    () => mergePackageDir(target, distro, from, log),
  );
}

async function mergePackageDir(target: string, distro: string, from: string, log: Log): Promise<PackageImport> {
  if (!existsSync(join(target, "index.json"))) {
    const tmp = tempSibling(target);
    try {
      cpSync(from, tmp, { recursive: true });
      rmSync(target, { recursive: true, force: true }); // an incomplete earlier attempt
      renameSync(tmp, target);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    return { distro, status: "created", added: listFiles(target, target).length };
  }
  const mine = JSON.parse(readFileSync(join(target, "index.json"), "utf8")) as PackageIndex;
  const theirs = JSON.parse(readFileSync(join(from, "index.json"), "utf8")) as PackageIndex;
  const haveFiles = new Set(mine.packages.map((p) => p.file));
  const newPackages = theirs.packages.filter((p) => !haveFiles.has(p.file));
  for (const p of newPackages) {
    const dest = join(target, p.file);
    const tmp = tempSibling(dest);
    linkOrCopy(join(from, p.file), tmp);
    renameSync(tmp, dest);
  }
  const requested = [...new Set([...mine.requested, ...theirs.requested])].sort();
  // the wheelhouse and the names recorded from DevStack's own install calls ride along
  const haveWheels = new Set((mine.wheels ?? []).map((w) => w.file));
  const newWheels = (theirs.wheels ?? []).filter((w) => !haveWheels.has(w.file));
  for (const w of newWheels) {
    const dest = join(target, w.file);
    const tmp = tempSibling(dest);
    linkOrCopy(join(from, w.file), tmp);
    renameSync(tmp, dest);
  }
  const recorded = {
    baseRequested: mergeNames(mine.baseRequested, theirs.baseRequested ?? []),
    pipRequested: mergeNames(mine.pipRequested, theirs.pipRequested ?? []),
    ...(mine.wheels || theirs.wheels ? { wheels: [...(mine.wheels ?? []), ...newWheels].sort((a, b) => (a.file < b.file ? -1 : 1)) } : {}),
    ...((mine.python ?? theirs.python) ? { python: mine.python ?? theirs.python } : {}),
  };
  const recordedGrew = recorded.baseRequested.length > (mine.baseRequested?.length ?? 0) || recorded.pipRequested.length > (mine.pipRequested?.length ?? 0);
  if (newPackages.length === 0 && newWheels.length === 0 && !recordedGrew && requested.length === mine.requested.length)
    return { distro, status: "unchanged", added: 0 };
  if (existsSync(join(from, "Packages"))) {
    const existing = existsSync(join(target, "Packages")) ? readFileSync(join(target, "Packages"), "utf8") : "";
    writeFileAtomic(join(target, "Packages"), mergePackagesFile(existing, readFileSync(join(from, "Packages"), "utf8")));
  }
  const theirFiles = new Set(theirs.packages.map((p) => p.file));
  if (existsSync(join(from, "rpms", "repodata")) && newPackages.length) {
    if (mine.packages.every((p) => theirFiles.has(p.file))) {
      const repodata = join(target, "rpms", "repodata");
      rmSync(`${repodata}.old`, { recursive: true, force: true });
      if (existsSync(repodata)) renameSync(repodata, `${repodata}.old`);
      cpSync(join(from, "rpms", "repodata"), repodata, { recursive: true });
      rmSync(`${repodata}.old`, { recursive: true, force: true });
    } else {
      log.warn(
        `packages for ${distro}: the bundle and the cache each hold packages the other lacks; run \`createrepo_c ${join(target, "rpms")}\` to index them all`,
      );
    }
  }
  const packages = [...mine.packages, ...newPackages].sort((a, b) => (a.file < b.file ? -1 : 1));
  writeFileAtomic(join(target, "index.json"), `${JSON.stringify({ ...mine, ...recorded, requested, packages }, null, 2)}\n`);
  return { distro, status: "merged", added: newPackages.length + newWheels.length };
}

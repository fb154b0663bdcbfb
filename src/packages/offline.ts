// Offline packages: fetchPackages downloads the packages and their whole
// dependency closure for this distro into <cacheDir>/packages/<DISTRO>/ and
// indexes them; installFromCache installs from there with no network at all.
//
// Debian family: apt-get --download-only against an empty dpkg status (so the
// closure is complete even for a fresh machine) with private apt state, then a
// flat repository (Packages file) beside the .debs; offline, apt-get reads only
// that repository (file: URI, private lists) and resolves against what is
// installed. dnf: `dnf download --resolve --alldeps` plus createrepo_c, and an
// offline `dnf install` from that repository alone.
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { PackageError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { loadExeca } from "../util/execa-lazy.ts";
import { makeTempDir } from "../util/temp.ts";
import { APT_ENV, APT_OPTS, type CommandSpec, checkPackageNames, isRoot, makeCommand, runCommand, withPrivileges } from "./command.ts";
import { type DistroInfo, detectDistro } from "./distro.ts";

export interface CachedPackage {
  name: string;
  version: string;
  arch: string;
  /** relative to the distro's cache directory */
  file: string;
  size: number;
  sha256: string;
  provides: string[];
}
export interface PackageIndex {
  version: 1;
  distro: string;
  id: string;
  versionId: string;
  manager: string;
  /** every package name ever asked for, sorted */
  requested: string[];
  /** sorted by file */
  packages: CachedPackage[];
  /** what DevStack's own code asked apt to install on runs with the base layer (record-installs.sh), sorted */
  baseRequested?: string[];
  /** the arguments of every pip_install call DevStack made on runs with the base layer, sorted */
  pipRequested?: string[];
  /** the wheelhouse (wheels/ beside the packages), sorted by file */
  wheels?: CachedWheel[];
  /** the Python (major.minor) the wheels were made for */
  python?: string;
}

export interface CachedWheel {
  name: string;
  version: string;
  /** relative to the distro's cache directory */
  file: string;
  size: number;
  sha256: string;
}

type OfflineCtx = Pick<Ctx, "cwd" | "env" | "log" | "cacheDir" | "offline">;

const FETCH_HINT = "on a connected machine with the same distro run: plugstack fetch --packages (then bundle create / bundle import)";

export function packageCacheDir(cacheDir: string, distro: DistroInfo): string {
  return join(cacheDir, "packages", distro.distro || distro.id || "unknown");
}

export async function loadPackageIndex(dir: string): Promise<PackageIndex | null> {
  const text = await readFile(join(dir, "index.json"), "utf8").catch(() => null);
  return text === null ? null : (JSON.parse(text) as PackageIndex);
}

/** Loads the distro's index (an empty one when there is none), applies `change` and writes it back atomically. */
export async function updatePackageIndex(dir: string, distro: DistroInfo, change: (index: PackageIndex) => PackageIndex): Promise<PackageIndex> {
  await mkdir(dir, { recursive: true });
  const current = (await loadPackageIndex(dir)) ?? {
    version: 1,
    distro: distro.distro,
    id: distro.id,
    versionId: distro.versionId,
    manager: distro.manager ?? "",
    requested: [],
    packages: [],
  };
  const next = change(current);
  writeFileAtomic(join(dir, "index.json"), `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

/** The sorted union of two name lists. */
export const mergeNames = (a: readonly string[] | undefined, b: readonly string[]): string[] => [...new Set([...(a ?? []), ...b])].sort();

/** Parses a Debian control stanza ("Field: value" plus continuation lines). */
export function parseControl(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let key = "";
  for (const line of text.split("\n")) {
    if (/^\s/.test(line) && key) out[key] += `\n${line}`;
    else {
      const m = /^([^:\s]+):\s*(.*)$/.exec(line);
      if (m) {
        key = m[1]!;
        out[key] = m[2]!;
      }
    }
  }
  return out;
}

const provided = (field: string | undefined) =>
  (field ?? "")
    .split(",")
    .map((p) => p.trim().split(/\s/)[0]!)
    .filter(Boolean);

/** sha256 of a file, streamed. */
export async function sha256(path: string): Promise<string> {
  const h = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) h.update(chunk);
  return h.digest("hex");
}

async function indexDebs(dir: string): Promise<{ packages: CachedPackage[]; packagesFile: string }> {
  const execa = await loadExeca();
  const files = (await readdir(join(dir, "debs"))).filter((f) => f.endsWith(".deb")).sort();
  const packages: CachedPackage[] = [];
  let packagesFile = "";
  for (const f of files) {
    const path = join(dir, "debs", f);
    const control = (await execa("dpkg-deb", ["-f", path], { stdin: "ignore" })).stdout.trimEnd();
    const fields = parseControl(control);
    const entry: CachedPackage = {
      name: fields.Package ?? f,
      version: fields.Version ?? "",
      arch: fields.Architecture ?? "",
      file: `debs/${f}`,
      size: (await stat(path)).size,
      sha256: await sha256(path),
      provides: provided(fields.Provides),
    };
    packages.push(entry);
    packagesFile += `${control}\nFilename: ${entry.file}\nSize: ${entry.size}\nSHA256: ${entry.sha256}\n\n`;
  }
  return { packages, packagesFile };
}

async function indexRpms(dir: string): Promise<CachedPackage[]> {
  const execa = await loadExeca();
  const files = (await readdir(join(dir, "rpms"))).filter((f) => f.endsWith(".rpm")).sort();
  const out: CachedPackage[] = [];
  for (const f of files) {
    const path = join(dir, "rpms", f);
    const q = await execa("rpm", ["-qp", "--qf", "%{NAME}\\t%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\n", path]);
    const [name = f, version = "", arch = ""] = q.stdout.trim().split("\t");
    const prov = await execa("rpm", ["-qp", "--provides", path]);
    out.push({
      name,
      version,
      arch,
      file: `rpms/${f}`,
      size: (await stat(path)).size,
      sha256: await sha256(path),
      provides: provided(prov.stdout.split("\n").join(",")),
    });
  }
  return out;
}

/**
 * apt leaves packages of file: sources (a local mirror) where they are instead of putting them into the
 * archives directory: copy those in, from the URIs the same resolution prints.
 */
async function copyLocalDebs(ctx: OfflineCtx, argv: string[], debs: string): Promise<void> {
  const execa = await loadExeca();
  const r = await execa(argv[0]!, [...argv.slice(1), "--print-uris", "-qq"], {
    env: { ...ctx.env, ...APT_ENV },
    extendEnv: false,
    reject: false,
    stdin: "ignore",
  });
  if (r.exitCode !== 0) return; // the download above succeeded: nothing is left to find
  for (const line of String(r.stdout).split("\n")) {
    const m = /^'file:([^']+)' (\S+\.deb) /.exec(line);
    if (!m || m[2]!.includes("/")) continue;
    const target = join(debs, m[2]!);
    if (!existsSync(target)) await copyFile(decodeURIComponent(m[1]!), target);
  }
}

/** Downloads the packages and their dependencies for this distro into the cache; returns the updated index. */
export async function fetchPackages(ctx: OfflineCtx, names: string[], opts: { distro?: DistroInfo; asRoot?: boolean } = {}): Promise<PackageIndex> {
  const wanted = [...new Set(names)];
  checkPackageNames(wanted);
  if (ctx.offline) throw new PackageError("cannot fetch packages offline", "run plugstack fetch --packages where the package mirrors are reachable");
  const distro = opts.distro ?? (await detectDistro());
  const dir = packageCacheDir(ctx.cacheDir, distro);
  const previous = await loadPackageIndex(dir);
  const requested = [...new Set([...(previous?.requested ?? []), ...wanted])].sort();
  let packages: CachedPackage[];
  if (distro.manager === "apt-get") {
    await mkdir(join(dir, "debs", "partial"), { recursive: true });
    const temp = makeTempDir("apt", ctx.env);
    const work = temp.path;
    try {
      await writeFile(join(work, "status"), "");
      const root = opts.asRoot ?? isRoot();
      const argv = [
        "apt-get",
        "install",
        "--download-only",
        "-y",
        "--no-install-recommends",
        "-o",
        `Dir::State::status=${join(work, "status")}`,
        "-o",
        `Dir::Cache=${join(work, "cache")}`,
        "-o",
        `Dir::Cache::archives=${join(dir, "debs")}/`,
        "-o",
        "Debug::NoLocking=1",
        ...(root ? ["-o", "APT::Sandbox::User=root"] : []),
        ...wanted,
      ];
      if (wanted.length) {
        ctx.log.info(`fetching ${wanted.length} package(s) and their dependencies into ${dir}`);
        await runCommand(ctx, makeCommand(argv, APT_ENV)).catch((e: PackageError) => {
          throw new PackageError(e.message, "is every name a package of this distro? refresh the package index first (apt-get update) if it is old");
        });
        await copyLocalDebs(ctx, argv, join(dir, "debs"));
      }
      const indexed = await indexDebs(dir);
      packages = indexed.packages;
      writeFileAtomic(join(dir, "Packages"), indexed.packagesFile);
    } finally {
      temp.remove();
    }
  } else if (distro.manager === "dnf") {
    await mkdir(join(dir, "rpms"), { recursive: true });
    if (wanted.length) await runCommand(ctx, makeCommand(["dnf", "download", "--resolve", "--alldeps", "--destdir", join(dir, "rpms"), ...wanted]));
    await runCommand(ctx, makeCommand(["createrepo_c", join(dir, "rpms")]));
    packages = await indexRpms(dir);
  } else {
    throw new PackageError(
      `offline packages are not supported with ${distro.manager ?? "no package manager"} (${distro.prettyName})`,
      "plugstack fetches offline packages with apt-get (Debian, Ubuntu) and dnf (Fedora, RHEL family)",
    );
  }
  const index: PackageIndex = {
    ...previous,
    version: 1,
    distro: distro.distro,
    id: distro.id,
    versionId: distro.versionId,
    manager: distro.manager,
    requested,
    packages,
  };
  writeFileAtomic(join(dir, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

const baseName = (n: string) => n.split("=")[0]!.split(":")[0]!;

/** Names the offline cache cannot provide (by package name or Provides). Pure. */
export function missingFromIndex(index: PackageIndex, names: string[]): string[] {
  const have = new Set(index.packages.flatMap((p) => [p.name, ...p.provides]));
  return names.filter((n) => !have.has(baseName(n)));
}

/** The only apt source of an offline install: the cache's flat repository. */
function offlineAptSource(dir: string): string {
  return `deb [trusted=yes] file:${dir} ./\n`;
}

/**
 * apt settings that make apt read only `work`/sources.list (offlineAptSource) with private lists and
 * archives under `work` (which holds lists/partial, parts/, cache/archives/partial): the machine's own
 * sources, lists and archives stay untouched. Used as -o options and as an apt.conf.d file.
 */
export function offlineAptSettings(work: string, opts: { asRoot: boolean }): [string, string][] {
  return [
    ["Dir::Etc::SourceList", join(work, "sources.list")],
    ["Dir::Etc::SourceParts", join(work, "parts")],
    ["Dir::State::Lists", join(work, "lists")],
    ["Dir::Cache", join(work, "cache")],
    ["Acquire::Languages", "none"],
    ...(opts.asRoot ? [["APT::Sandbox::User", "root"] as [string, string]] : []),
  ];
}

/** Makes the directories offlineAptSettings names under `work` and writes its sources.list for the cache `dir`. */
export async function prepareOfflineApt(work: string, dir: string): Promise<void> {
  await mkdir(join(work, "lists", "partial"), { recursive: true });
  await mkdir(join(work, "parts"), { recursive: true });
  await mkdir(join(work, "cache", "archives", "partial"), { recursive: true });
  await writeFile(join(work, "sources.list"), offlineAptSource(dir));
}

/** Installs (already filtered) packages using only the offline cache; returns the commands run. */
export async function installFromCache(
  ctx: OfflineCtx,
  names: string[],
  opts: { distro: DistroInfo; asRoot: boolean; dryRun?: boolean },
): Promise<CommandSpec[]> {
  const dir = packageCacheDir(ctx.cacheDir, opts.distro);
  const index = await loadPackageIndex(dir);
  if (!index) throw new PackageError(`offline: cannot install ${names.join(", ")}: there is no package cache for ${opts.distro.distro} in ${dir}`, FETCH_HINT);
  const missing = missingFromIndex(index, names);
  if (missing.length) {
    throw new PackageError(`offline: cannot install ${missing.join(", ")}: not in the package cache ${dir}`, FETCH_HINT);
  }
  if (index.manager === "dnf") {
    const cmd = withPrivileges(
      [
        "dnf",
        "install",
        "-y",
        "--disablerepo=*",
        `--repofrompath=plugstack-offline,${join(dir, "rpms")}`,
        "--enablerepo=plugstack-offline",
        "--nogpgcheck",
        ...names,
      ],
      {},
      opts.asRoot,
    );
    if (opts.dryRun) ctx.log.info(`would run: ${cmd.text}`);
    else await runCommand(ctx, cmd);
    return [cmd];
  }
  const temp = makeTempDir("apt", ctx.env);
  const work = temp.path;
  try {
    await prepareOfflineApt(work, dir);
    const aptState = offlineAptSettings(work, { asRoot: opts.asRoot }).flatMap(([k, v]) => ["-o", `${k}=${v}`]);
    const update = withPrivileges(["apt-get", "update", ...aptState], APT_ENV, opts.asRoot);
    const install = withPrivileges(["apt-get", ...APT_OPTS, "--no-install-recommends", ...aptState, "install", ...names], APT_ENV, opts.asRoot);
    if (opts.dryRun) {
      ctx.log.info(`would run: ${update.text}`);
      ctx.log.info(`would run: ${install.text}`);
    } else {
      ctx.log.info(`installing ${names.length} package(s) from the offline cache ${dir}: ${names.join(" ")}`);
      await runCommand(ctx, update);
      await runCommand(ctx, install).catch((e: PackageError) => {
        throw new PackageError(`offline install from ${dir} failed: ${e.message}`, `a dependency may be missing from the cache; ${FETCH_HINT}`);
      });
    }
    return [update, install];
  } finally {
    temp.remove();
  }
}

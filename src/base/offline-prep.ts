// Around each run of DevStack's own scripts (a base-run preparer):
// - always: localrc wraps DevStack's apt_get and pip_install to record what
//   its own code installs (record-installs.sh); afterwards the names go into
//   the package index of the cache, so `fetch --packages` / `fetch --python`
//   cache them for offline runs;
// - offline (--offline, --frozen, OFFLINE=True): apt reads only the cache's
//   local repository for the run, through one file in /etc/apt/apt.conf.d
//   with its own source list, lists and archives (the user's sources.list,
//   sources.list.d and lists are never touched), removed again afterwards;
//   pip gets no index and the cache's wheelhouse (PIP_NO_INDEX,
//   PIP_FIND_LINKS, which DevStack's pip_install passes on).
import { chmodSync, chownSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { PackageError } from "../errors.ts";
import type { Log } from "../log.ts";
import { listBasePackages } from "../packages/base-lists.ts";
import { isRoot } from "../packages/command.ts";
import { type DistroInfo, detectDistro } from "../packages/distro.ts";
import { detectInstalledPackages } from "../packages/installed.ts";
import {
  loadPackageIndex,
  mergeNames,
  missingFromIndex,
  offlineAptSettings,
  packageCacheDir,
  prepareOfflineApt,
  updatePackageIndex,
} from "../packages/offline.ts";
import { offlinePipEnv, parsePipRecord, wheelhouseDir } from "../packages/wheels.ts";
import { loadExeca } from "../util/execa-lazy.ts";
import { onExitCleanup } from "../util/processes.ts";
import { renderAssign } from "../util/quote.ts";
import { makeTempDir } from "../util/temp.ts";
import recordScript from "./record-installs.sh" with { type: "text" };

/** The apt.conf.d file an offline base run adds (and removes). */
export const OFFLINE_APT_CONF = "/etc/apt/apt.conf.d/00plugstack-offline";

export interface InstallPrepInfo {
  /** the DevStack checkout */
  baseDir: string;
  cacheDir: string;
  offline: boolean;
  services: string[];
  stackUser: string;
  log: Log;
  /** which of DevStack's scripts runs (the missing-package check is for stack.sh only) */
  mode?: string;
  /** where /etc/apt lives (tests) */
  aptConf?: string;
  distro?: DistroInfo;
}

const FETCH_HINT =
  "on a connected machine with the same distro: stack once with the base, then plugstack fetch --packages --python (and bundle create / bundle import)";

/** The package names of recorded `apt_get install` argument lines (options dropped). Pure. */
export function parseAptRecord(lines: readonly string[]): string[] {
  return [...new Set(lines.flatMap((l) => l.split(/\s+/)).filter((w) => w && !w.startsWith("-") && /^[A-Za-z0-9][A-Za-z0-9.+_:~=@/-]*$/.test(w)))].sort();
}

/** apt.conf syntax for offlineAptSettings. Pure. */
export function renderAptConf(settings: [string, string][]): string {
  const lines = settings.map(([k, v]) => `${k} "${v.replaceAll('"', "")}";`);
  return `// Written by plugstack for an offline DevStack run: apt reads only plugstack's package cache.\n// plugstack removes it after the run; if no plugstack run is active, delete this file.\n${lines.join("\n")}\n`;
}

async function writeAsRoot(path: string, text: string | null): Promise<void> {
  const execa = await loadExeca();
  if (isRoot()) {
    if (text === null) rmSync(path, { force: true });
    else writeFileSync(path, text, { mode: 0o644 });
    return;
  }
  const argv = text === null ? ["sudo", "-n", "rm", "-f", "--", path] : ["sudo", "-n", "tee", "--", path];
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, input: text ?? undefined, stdout: "ignore" });
  if (r.exitCode !== 0)
    throw new PackageError(
      `cannot ${text === null ? "remove" : "write"} ${path} with sudo: ${String(r.stderr).trim()}`,
      "run plugstack as root, or give this user passwordless sudo",
    );
}

/** Prepares a DevStack run: localrc lines and how to undo what it changed. */
export async function prepareBaseInstalls(ctx: Pick<Ctx, "env">, info: InstallPrepInfo): Promise<{ localrc: string[]; restore: () => Promise<void> }> {
  const distro = info.distro ?? (await detectDistro());
  const dir = packageCacheDir(info.cacheDir, distro);
  const recordDir = makeTempDir("record", ctx.env);
  const record = recordDir.path;
  chmodSync(record, 0o755);
  const aptRecord = join(record, "apt");
  const pipRecord = join(record, "pip");
  const owner = isRoot() ? await userIds(info.stackUser) : null;
  for (const f of [aptRecord, pipRecord]) {
    writeFileSync(f, "", { mode: 0o644 });
    if (owner) chownSync(f, owner.uid, owner.gid);
  }
  const localrc: string[] = [renderAssign("PLUGSTACK_RECORD_APT", aptRecord), renderAssign("PLUGSTACK_RECORD_PIP", pipRecord), recordScript];
  const undo: (() => Promise<void>)[] = [];
  const restore = async () => {
    for (const u of undo.reverse()) await u();
    undo.length = 0;
    const apt = parseAptRecord(readLines(aptRecord));
    const pip = readLines(pipRecord);
    recordDir.remove();
    if (apt.length || pip.length) {
      await updatePackageIndex(dir, distro, (index) => ({
        ...index,
        baseRequested: mergeNames(index.baseRequested, apt),
        pipRequested: mergeNames(index.pipRequested, pip),
      }));
    }
  };
  try {
    if (info.offline) {
      if (distro.manager !== "apt-get" || !distro.query) {
        throw new PackageError(
          `offline DevStack runs serve packages with apt only; this is ${distro.prettyName}`,
          "run the base layer offline on Debian or Ubuntu, or online here",
        );
      }
      const index = await loadPackageIndex(dir);
      const stacking = (info.mode ?? "stack") === "stack";
      const wanted = stacking ? mergeNames(await listBasePackages({ baseDir: info.baseDir, services: info.services }), index?.baseRequested ?? []) : [];
      const notCached = index ? missingFromIndex(index, wanted) : wanted;
      const installed = await detectInstalledPackages(distro.query, notCached, ctx.env);
      const missing = notCached.filter((n) => !installed.get(n));
      if (missing.length) {
        throw new PackageError(`offline: DevStack's own packages are not installed and not in the package cache ${dir}: ${missing.join(", ")}`, FETCH_HINT);
      }
      const workDir = makeTempDir("apt", ctx.env);
      const work = workDir.path;
      chmodSync(work, 0o755);
      // without a cached repository, an empty one: apt still must not reach the network
      const repo = index && existsSync(join(dir, "Packages")) ? dir : work;
      if (repo === work) writeFileSync(join(work, "Packages"), "");
      await prepareOfflineApt(work, repo);
      const conf = info.aptConf ?? OFFLINE_APT_CONF;
      await writeAsRoot(conf, renderAptConf(offlineAptSettings(work, { asRoot: true })));
      const unregister = onExitCleanup(() => rmSync(conf, { force: true }));
      info.log.info(`offline: apt reads only ${repo} for this run (${conf})`);
      undo.push(async () => {
        unregister();
        await writeAsRoot(conf, null);
        workDir.remove();
      });
      const wheels = wheelhouseDir(info.cacheDir, distro);
      const pipEnv = offlinePipEnv(wheels);
      localrc.push(...Object.entries(pipEnv).map(([k, v]) => `export ${renderAssign(k, v)}`));
      const recordedPip = parsePipRecord(index?.pipRequested ?? []);
      if (!index?.wheels?.length && recordedPip.requirements.length)
        info.log.warn(`offline: the wheelhouse ${wheels} is empty; DevStack's pip calls will fail (${FETCH_HINT})`);
    }
  } catch (e) {
    await restore();
    throw e;
  }
  return { localrc, restore };
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}

async function userIds(user: string): Promise<{ uid: number; gid: number } | null> {
  const execa = await loadExeca();
  const [u, g] = await Promise.all([execa("id", ["-u", "--", user], { reject: false }), execa("id", ["-g", "--", user], { reject: false })]);
  return u.exitCode === 0 && g.exitCode === 0 ? { uid: Number(u.stdout), gid: Number(g.stdout) } : null;
}

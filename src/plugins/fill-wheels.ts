// `plugstack fetch --python`: the wheelhouse for the locked stack. Its
// requirements: the requirements.txt of every locked plugin and repo (read
// from the cache mirrors at the locked commit, nothing is checked out), the
// requirement specifiers DevStack's own pip_install calls asked for on runs
// with the base layer (recorded in the package index), and the
// requirements.txt beside each local project those calls installed
// ($DEST/<name>/<path>); all under the upper-constraints.txt of the locked
// requirements repo.
import { writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import type { Ctx } from "../context.ts";
import { type DistroInfo, detectDistro } from "../packages/distro.ts";
import { loadPackageIndex, type PackageIndex, packageCacheDir } from "../packages/offline.ts";
import { fetchWheels, parsePipRecord } from "../packages/wheels.ts";
import { locationOf } from "../util/git-url.ts";
import { makeTempDir } from "../util/temp.ts";
import { findMirror } from "./cache.ts";
import { tryGit } from "./git.ts";
import type { Lock } from "./lockfile.ts";

export type WheelFillCtx = Pick<Ctx, "cwd" | "env" | "log" | "cacheDir" | "offline">;

/** A pinned tree whose files feed the wheelhouse: a plugin, a repo, or the base. */
export interface WheelSource {
  /** its directory name under $DEST */
  name: string;
  url: string;
  commit: string;
}

export interface WheelFill {
  requirements: string[];
  /** "name:path" of every requirements file used */
  requirementFiles: string[];
  /** "name:upper-constraints.txt", or null when no requirements repo is locked */
  constraints: string | null;
  index: PackageIndex;
}

/** The directory name DevStack gives a repo it clones: the URL's last part without .git. */
const repoDirName = (url: string): string => basename(url.replace(/\/+$/, "")).replace(/\.git$/, "");

/** The locked plugins and repos as wheel sources (`extra` adds others, e.g. the base). */
export function lockWheelSources(lock: Lock, baseDir: string, extra: WheelSource[] = []): WheelSource[] {
  const out: WheelSource[] = [...extra];
  for (const p of lock.plugins) if (p.commit) out.push({ name: p.name, url: p.url, commit: p.commit });
  for (const r of lock.repos) out.push({ name: repoDirName(r.url), url: r.url, commit: r.commit });
  return out.map((s) => ({ ...s, url: locationOf(s.url, baseDir) }));
}

/** Fills the wheelhouse for `sources` (see lockWheelSources); `dest` maps recorded project paths to sources. */
export async function fetchLockWheels(ctx: WheelFillCtx, sources: WheelSource[], opts: { dest: string; distro?: DistroInfo }): Promise<WheelFill> {
  const distro = opts.distro ?? (await detectDistro());
  const recorded = parsePipRecord((await loadPackageIndex(packageCacheDir(ctx.cacheDir, distro)))?.pipRequested ?? []);
  const temp = makeTempDir("wheels", ctx.env);
  const scratch = temp.path;
  try {
    const byName = new Map(sources.map((s) => [s.name, s]));
    const read = async (s: WheelSource, path: string): Promise<string | null> => {
      const mirror = findMirror(ctx.cacheDir, s.url);
      if (!mirror) return null;
      const r = await tryGit(ctx, ["show", `${s.commit}:${path}`], { cwd: mirror.path, repo: mirror.url, ref: s.commit });
      return r.exitCode === 0 ? r.stdout : null;
    };
    const files: string[] = [];
    const used: string[] = [];
    const keep = (s: WheelSource, path: string, text: string | null) => {
      if (text === null) return;
      const file = join(scratch, `${files.length}-${s.name}-${basename(path)}`);
      writeFileSync(file, text);
      files.push(file);
      used.push(`${s.name}:${path}`);
    };
    for (const s of sources) keep(s, "requirements.txt", await read(s, "requirements.txt"));
    for (const p of recorded.paths) {
      const rel = relative(opts.dest, p);
      const [name, ...sub] = rel.split("/");
      const s = name && !rel.startsWith("..") ? byName.get(name) : undefined;
      if (s && sub.length) keep(s, join(...sub, "requirements.txt"), await read(s, join(...sub, "requirements.txt")));
    }
    let constraints: string | null = null;
    let constraintsName: string | null = null;
    const req = sources.find((s) => s.name === "requirements");
    const uc = req ? await read(req, "upper-constraints.txt") : null;
    if (req && uc !== null) {
      constraints = join(scratch, "upper-constraints.txt");
      writeFileSync(constraints, uc);
      constraintsName = `${req.name}:upper-constraints.txt`;
    } else {
      ctx.log.warn(
        "no locked requirements repo with an upper-constraints.txt: the wheels are not constrained (lock a stack run with the base layer first, so DevStack's requirements clone is pinned)",
      );
    }
    const index = await fetchWheels(ctx, { distro, requirements: recorded.requirements, requirementFiles: files, constraints });
    return { requirements: recorded.requirements, requirementFiles: used, constraints: constraintsName, index };
  } finally {
    temp.remove();
  }
}

// `plugstack fetch --packages`: the packages the locked plugins list for this
// distro (their devstack/files/... at the locked commit, read from the cache
// mirrors, so nothing needs to be checked out), downloaded with their
// dependencies into the cache's package directory.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { FetchError } from "../errors.ts";
import { type DistroInfo, detectDistro } from "../packages/distro.ts";
import { fetchPackages, type PackageIndex } from "../packages/offline.ts";
import { type PackagePlan, planPackages } from "../packages/plan.ts";
import { locationOf } from "../util/git-url.ts";
import { makeTempDir } from "../util/temp.ts";
import { findMirror } from "./cache.ts";
import type { Lock } from "./lockfile.ts";
import { extractDevstackDir } from "./snapshot.ts";

export type PackageFillCtx = Pick<Ctx, "cwd" | "env" | "log" | "cacheDir" | "offline">;

export interface PackageFill {
  plan: PackagePlan;
  /** the plan's packages and the extra ones, each once */
  wanted: string[];
  /** null when no plugin lists a package for this distro */
  index: PackageIndex | null;
}

/** What the host set-up installs besides the general prerequisites when the machine lacks it. */
const HOST_SETUP_PACKAGES = ["sudo"];

export interface LockPackagesOpts {
  baseDir: string;
  distro?: DistroInfo;
  /** the base layer's own package names */
  extra?: string[];
  /** the stack does the host set-up (PLUGSTACK_HOST_SETUP not False): sudo and DevStack's general prerequisites too */
  hostSetup?: boolean;
}

/**
 * The packages a stack of this lock installs on this distro: the locked plugins' lists (read at their
 * locked commits from the cache), the general prerequisites and sudo with the host set-up, and `extra`.
 */
export async function planLockPackages(ctx: PackageFillCtx, lock: Lock, opts: LockPackagesOpts): Promise<Omit<PackageFill, "index"> & { distro: DistroInfo }> {
  const distro = opts.distro ?? (await detectDistro());
  const temp = makeTempDir("lists", ctx.env);
  const scratch = temp.path;
  try {
    const plugins: { name: string; dir: string }[] = [];
    for (const p of lock.plugins) {
      const location = locationOf(p.url, opts.baseDir);
      if (!p.commit) {
        if (existsSync(location)) plugins.push({ name: p.name, dir: location }); // a plain local directory
        continue;
      }
      const mirror = findMirror(ctx.cacheDir, location);
      if (!mirror) throw new FetchError(`${p.name}: ${p.url} is not in the cache`, p.url, p.ref, "run `plugstack fetch` first");
      const dir = join(scratch, p.name);
      await extractDevstackDir(ctx, mirror, p.commit, dir);
      plugins.push({ name: p.name, dir });
    }
    const plan = await planPackages({ plugins, distro, general: !!opts.hostSetup });
    const wanted = [...new Set([...(opts.hostSetup ? HOST_SETUP_PACKAGES : []), ...plan.wanted, ...(opts.extra ?? [])])];
    return { plan, wanted, distro };
  } finally {
    temp.remove();
  }
}

/** Plans the lock's packages (planLockPackages) and downloads them, with dependencies, into the cache. */
export async function fetchLockPackages(ctx: PackageFillCtx, lock: Lock, opts: LockPackagesOpts): Promise<PackageFill> {
  const { plan, wanted, distro } = await planLockPackages(ctx, lock, opts);
  if (wanted.length === 0) return { plan, wanted, index: null };
  const index = await fetchPackages(ctx, wanted, { distro });
  return { plan, wanted, index };
}

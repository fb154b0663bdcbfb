// `fetch --packages` and `fetch --python` for a lock: the plugins' package
// lists and, with a base layer, DevStack's own (its get_packages for the
// enabled services plus what its code asked apt for on earlier runs, recorded
// by offline-prep.ts); the wheelhouse for the plugins, the repos and the base.
import type { Ctx } from "../context.ts";
import { listBasePackages } from "../packages/base-lists.ts";
import { type DistroInfo, detectDistro } from "../packages/distro.ts";
import { loadPackageIndex, packageCacheDir } from "../packages/offline.ts";
import { fetchLockPackages, type PackageFill } from "../plugins/fill-packages.ts";
import { fetchLockWheels, lockWheelSources, type WheelFill } from "../plugins/fill-wheels.ts";
import { BASE_NAME, type Lock } from "../plugins/lockfile.ts";
import { baseTreeFor } from "./tree.ts";

type ExtrasCtx = Pick<Ctx, "cwd" | "env" | "log" | "cacheDir" | "offline">;

export interface StackExtras {
  packages: PackageFill | null;
  /** DevStack's own package names (empty without a base) */
  basePackages: string[];
  python: WheelFill | null;
}

/** Downloads what `--packages` and `--python` ask for into the cache. */
export async function fetchStackExtras(
  ctx: ExtrasCtx,
  lock: Lock,
  opts: { baseDir: string; dest: string; services: string[]; packages: boolean; python: boolean; hostSetup: boolean; distro?: DistroInfo },
): Promise<StackExtras> {
  const distro = opts.distro ?? (await detectDistro());
  let basePackages: string[] = [];
  if (opts.packages && lock.base) {
    const tree = await baseTreeFor(ctx, lock, { dest: opts.dest, baseDir: opts.baseDir });
    try {
      const recorded = (await loadPackageIndex(packageCacheDir(ctx.cacheDir, distro)))?.baseRequested ?? [];
      basePackages = [...new Set([...(await listBasePackages({ baseDir: tree!.dir, services: opts.services })), ...recorded])];
      if (!recorded.length)
        ctx.log.warn(
          "packages: no run with the base layer was recorded on this machine yet, so only DevStack's package lists are fetched; what its code installs directly (e.g. the database server) comes after one connected `plugstack stack`",
        );
    } finally {
      tree?.dispose();
    }
  }
  const packages = opts.packages ? await fetchLockPackages(ctx, lock, { baseDir: opts.baseDir, distro, extra: basePackages, hostSetup: opts.hostSetup }) : null;
  const base = lock.base ? [{ name: BASE_NAME, url: lock.base.url, commit: lock.base.commit }] : [];
  const python = opts.python ? await fetchLockWheels(ctx, lockWheelSources(lock, opts.baseDir, base), { dest: opts.dest, distro }) : null;
  return { packages, basePackages, python };
}

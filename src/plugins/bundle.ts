// `plugstack bundle create FILE`: the lock, one git bundle per repo holding the
// locked commits with their full history and tags (pbr reads versions from
// `git describe`), the offline package cache when there is one, and a
// MANIFEST with the sha256 of every member; written atomically.
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Ctx } from "../context.ts";
import { BundleError } from "../errors.ts";
import { createTar, LOCK_MEMBER, MANIFEST, META, renderManifest, renderMeta, sha256File, type BundledRepo } from "./bundle-format.ts";
import { collectPackageFiles, linkOrCopy } from "./bundle-packages.ts";
import { findMirror, hasCommit, type Mirror, pinCommit, pinRef } from "./cache.ts";
import { runGit, shortSha } from "./git.ts";
import { type Lock, renderLock } from "./lockfile.ts";
import { type LockTarget, lockTargets } from "./fill.ts";

export type BundleCtx = Pick<Ctx, "env" | "offline" | "cacheDir" | "log">;

export interface BundleCreateOptions {
  /** directory relative URLs in the lock are resolved against (the config's) */
  baseDir: string;
  /** include the offline package cache (default true) */
  packages?: boolean;
}

export interface BundleCreateResult {
  file: string;
  bytes: number;
  repos: (BundledRepo & { tags: number })[];
  /** distros whose package cache went in */
  packages: string[];
  members: string[];
}

/** Every locked commit must be in the cache, or one error names them all. */
async function mirrorsFor(ctx: BundleCtx, targets: LockTarget[]): Promise<Map<string, { mirror: Mirror; targets: LockTarget[] }>> {
  const groups = new Map<string, { mirror: Mirror; targets: LockTarget[] }>();
  const missing: string[] = [];
  for (const t of targets) {
    const mirror = findMirror(ctx.cacheDir, t.location);
    if (!mirror || !(await hasCommit(ctx, mirror, t.commit))) {
      missing.push(`${t.label}: ${t.url} ${t.ref} (commit ${t.commit})`);
      continue;
    }
    const g = groups.get(mirror.path) ?? { mirror, targets: [] };
    g.targets.push(t);
    groups.set(mirror.path, g);
  }
  if (missing.length) {
    throw new BundleError(
      `cannot bundle: ${missing.length} locked commit${missing.length === 1 ? " is" : "s are"} not in the cache ${ctx.cacheDir}:\n${missing.map((m) => `  - ${m}`).join("\n")}`,
      "run `plugstack fetch` (with the same local.conf, lock and --cache-dir) first",
    );
  }
  return groups;
}

/** Tags whose commit is in the history of any of `commits`. */
async function tagsIn(ctx: BundleCtx, mirror: Mirror, commits: string[]): Promise<string[]> {
  const tags = new Set<string>();
  for (const c of commits) {
    const out = await runGit(ctx, ["for-each-ref", "--format=%(refname)", `--merged=${c}`, "refs/tags"], { cwd: mirror.path });
    for (const t of out.split("\n").filter(Boolean)) tags.add(t);
  }
  return [...tags].sort();
}

async function bundleRepo(ctx: BundleCtx, staging: string, group: { mirror: Mirror; targets: LockTarget[] }): Promise<BundledRepo & { tags: number }> {
  const { mirror, targets } = group;
  const commits = [...new Set(targets.map((t) => t.commit))].sort();
  for (const c of commits) await pinCommit(ctx, mirror, c);
  const tags = await tagsIn(ctx, mirror, commits);
  const member = `git/${basename(mirror.path).replace(/\.git$/, "")}.bundle`;
  await runGit(ctx, ["bundle", "create", join(staging, member), "--stdin"], {
    cwd: mirror.path,
    repo: mirror.url,
    input: `${[...commits.map(pinRef), ...tags].join("\n")}\n`,
  });
  ctx.log.debug(`bundled ${mirror.url}: ${commits.map(shortSha).join(", ")} with ${tags.length} tag(s)`);
  return { bundle: member, urls: [...new Set(targets.map((t) => t.url))].sort(), commits, tags: tags.length };
}

/** Write the bundle for `lock` to `file` (see the module comment). */
export async function createBundle(ctx: BundleCtx, file: string, lock: Lock, opts: BundleCreateOptions): Promise<BundleCreateResult> {
  if (!existsSync(dirname(file))) throw new BundleError(`cannot write ${file}: directory ${dirname(file)} does not exist`);
  const groups = await mirrorsFor(ctx, lockTargets(lock, opts.baseDir));
  const staging = join(dirname(file), `.${basename(file)}.plugstack-tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const tmpFile = `${file}.tmp-${process.pid}`;
  mkdirSync(join(staging, "git"), { recursive: true });
  try {
    const repos: BundleCreateResult["repos"] = [];
    for (const g of groups.values()) repos.push(await bundleRepo(ctx, staging, g));
    writeFileSync(join(staging, LOCK_MEMBER), renderLock(lock));
    const pkgs = opts.packages === false ? { distros: [], files: [] } : collectPackageFiles(ctx.cacheDir);
    for (const f of pkgs.files) linkOrCopy(join(ctx.cacheDir, f), join(staging, f));
    writeFileSync(join(staging, META), renderMeta({ format: "plugstack-bundle", version: 1, repos: repos.map(({ tags: _t, ...r }) => r), packages: pkgs.distros }));
    const members = [LOCK_MEMBER, META, ...repos.map((r) => r.bundle).sort(), ...pkgs.files];
    const sums = new Map<string, string>();
    for (const m of members) sums.set(m, await sha256File(join(staging, m)));
    writeFileSync(join(staging, MANIFEST), renderManifest(sums));
    await createTar(tmpFile, staging, [MANIFEST, ...members]);
    renameSync(tmpFile, file);
    return { file, bytes: statSync(file).size, repos, packages: pkgs.distros, members: [MANIFEST, ...members] };
  } finally {
    rmSync(tmpFile, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

// `plugstack bundle create FILE`: the lock and its local.conf, one git bundle
// per repo holding the
// locked commits with their full history and tags (pbr reads versions from
// `git describe`), the offline package cache when there is one, and a
// MANIFEST with the sha256 of every member; written atomically.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Ctx } from "../context.ts";
import { BundleError } from "../errors.ts";
import { onExitCleanup, setActivity } from "../util/processes.ts";
import { redact } from "../util/redact.ts";
import { TarFormatError } from "../util/tar.ts";
import { makeTempDir, sweepTempSiblings, tempSibling } from "../util/temp.ts";
import { type BundledRepo, CONFIG_MEMBER, LOCK_MEMBER, MANIFEST, META, renderMeta, writeBundle } from "./bundle-format.ts";
import { collectPackageFiles } from "./bundle-packages.ts";
import { findMirror, hasCommit, type Mirror, pinCommit, pinRef } from "./cache.ts";
import { type LockTarget, lockTargets } from "./fill.ts";
import { runGit, shortSha } from "./git.ts";
import { type Lock, renderLock } from "./lockfile.ts";

export type BundleCtx = Pick<Ctx, "env" | "offline" | "cacheDir" | "log">;

export interface BundleCreateOptions {
  /** directory relative URLs in the lock are resolved against (the config's) */
  baseDir: string;
  /** include the offline package cache (default true) */
  packages?: boolean;
  /** the local.conf the lock was made for: carried along (URL credentials as ***), so the other machine needs only the binary and the bundle */
  configPath?: string;
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
  for (const c of commits) pinCommit(mirror, c);
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

/**
 * Write the bundle for `lock` to `file` (see the module comment). The git
 * bundles are made in a private temp folder; the tar is written to a hidden
 * temp file beside `file` and renamed into place. A signal removes both
 * (exit hooks); after a SIGKILL the next run sweeps them.
 */
export async function createBundle(ctx: BundleCtx, file: string, lock: Lock, opts: BundleCreateOptions): Promise<BundleCreateResult> {
  if (!existsSync(dirname(file))) throw new BundleError(`cannot write ${file}: directory ${dirname(file)} does not exist`);
  setActivity(`bundle create ${file}`);
  sweepTempSiblings(file);
  const groups = await mirrorsFor(ctx, lockTargets(lock, opts.baseDir));
  const work = makeTempDir("bundle", ctx.env);
  const tmpFile = tempSibling(file);
  const forget = onExitCleanup(() => rmSync(tmpFile, { force: true }));
  mkdirSync(join(work.path, "git"), { recursive: true });
  try {
    const repos: BundleCreateResult["repos"] = [];
    for (const g of groups.values()) repos.push(await bundleRepo(ctx, work.path, g));
    writeFileSync(join(work.path, LOCK_MEMBER), renderLock(lock));
    // credentials in URLs never travel: the lock's identity of a URL ignores them, and offline nothing asks
    if (opts.configPath) writeFileSync(join(work.path, CONFIG_MEMBER), redact(readFileSync(opts.configPath, "utf8")));
    const pkgs = opts.packages === false ? { distros: [], files: [] } : collectPackageFiles(ctx.cacheDir);
    writeFileSync(
      join(work.path, META),
      renderMeta({ format: "plugstack-bundle", version: 1, repos: repos.map(({ tags: _t, ...r }) => r), packages: pkgs.distros }),
    );
    const members = [
      ...[LOCK_MEMBER, META, ...repos.map((r) => r.bundle).sort()].map((name) => ({ name, path: join(work.path, name) })),
      ...(opts.configPath ? [{ name: CONFIG_MEMBER, path: join(work.path, CONFIG_MEMBER) }] : []),
      ...pkgs.files.map((name) => ({ name, path: join(ctx.cacheDir, name) })),
    ];
    try {
      await writeBundle(tmpFile, members);
    } catch (e) {
      if (e instanceof TarFormatError)
        throw new BundleError(`cannot write ${file}: ${e.message}`, "a file in the cache changed while it was bundled; run the command again");
      throw e;
    }
    renameSync(tmpFile, file);
    return { file, bytes: statSync(file).size, repos, packages: pkgs.distros, members: [MANIFEST, ...members.map((m) => m.name)] };
  } finally {
    rmSync(tmpFile, { force: true });
    forget();
    work.remove();
  }
}

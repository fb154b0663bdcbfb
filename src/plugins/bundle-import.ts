// `plugstack bundle import FILE`: first verify everything in a private
// staging directory (member names and types, every sha256 in MANIFEST, the
// lock and bundle.json, that each git bundle holds its locked commits with
// their whole history), and only then write: mirrors (created atomically, or
// given the new pins and tags), the package cache, the lock beside the
// config when there is none, and the bundle's local.conf when there is none
// (an existing one is never overwritten). A different existing lock is kept
// unless asked.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { BundleError, PlugstackError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { locationOf } from "../util/git-url.ts";
import { setActivity } from "../util/processes.ts";
import { redact } from "../util/redact.ts";
import { makeTempDir, sweepTempSiblings, tempSibling } from "../util/temp.ts";
import { type BundledRepo, type BundleMeta, bundleSizeCap, CONFIG_MEMBER, extractBundle, LOCK_MEMBER, META, parseMeta } from "./bundle-format.ts";
import { importPackageDir, type PackageImport } from "./bundle-packages.ts";
import { findMirror, hasCommit, MIRROR_CONFIG, MIRROR_MARKER, MIRROR_REFSPECS, mirrorPath, pinCommit, pinRef, withMirrorLock } from "./cache.ts";
import { lockTargets } from "./fill.ts";
import { runGit, shortSha, tryGit } from "./git.ts";
import { diffLocks, type Lock, loadLock, parseLock, renderLock, renderLockDiff, writeLock } from "./lockfile.ts";
import { normaliseUrl } from "./spec.ts";

export type BundleImportCtx = Pick<Ctx, "env" | "offline" | "cacheDir" | "log">;

export interface BundleImportOptions {
  /** where the lock goes: <config>.lock */
  lockPath: string;
  /** directory relative URLs in the lock are resolved against (the config's) */
  baseDir: string;
  /** overwrite an existing lock that differs from the bundle's */
  replaceLock?: boolean;
  /** where the bundle's local.conf goes when there is no file there yet */
  configPath?: string;
}

/** The bundle's local.conf: written (there was none), unchanged (same text), kept (a different one is there), or absent from the bundle. */
export type ConfigOutcome = "written" | "unchanged" | "kept-different" | "absent";

export type LockOutcome = "written" | "unchanged" | "replaced" | "kept-different";

export interface BundleImportResult {
  lock: Lock;
  lockPath: string;
  lockStatus: LockOutcome;
  /** how the existing lock differs from the bundle's (kept-different, replaced) */
  lockDiff: string[];
  repos: { bundle: string; url: string; mirror: string; status: "created" | "updated" | "unchanged"; commits: string[] }[];
  packages: PackageImport[];
  config: { path: string | null; status: ConfigOutcome };
}

/** Unbundle one repo into a staging bare repo (git checks the history is complete) and check its commits are there. */
async function stageRepo(ctx: BundleImportCtx, file: string, root: string, repo: BundledRepo, into: string): Promise<void> {
  const path = join(root, repo.bundle);
  const heads = await tryGit(ctx, ["bundle", "list-heads", path], { cwd: root });
  if (heads.exitCode !== 0) throw new BundleError(`${file}: member ${repo.bundle} is not a readable git bundle: ${heads.stderr.trim()}`);
  for (const c of repo.commits) {
    if (!heads.stdout.split("\n").includes(`${c} ${pinRef(c)}`)) {
      throw new BundleError(
        `${file}: member ${repo.bundle} does not hold commit ${c} (${repo.urls.join(", ")})`,
        "the bundle does not match its lock; create it again",
      );
    }
  }
  await runGit(ctx, ["init", "--quiet", "--bare", "--", into]);
  const r = await tryGit(ctx, ["fetch", "--quiet", "--", path, "+refs/pins/*:refs/pins/*", "+refs/tags/*:refs/tags/*"], { cwd: into, remote: path });
  if (r.exitCode !== 0)
    throw new BundleError(
      `${file}: member ${repo.bundle} cannot be unbundled: ${r.stderr.trim()}`,
      "the git bundle is incomplete (it must hold the whole history); create the bundle again",
    );
  for (const c of repo.commits) {
    if (!(await hasCommit(ctx, { url: path, path: into }, c))) throw new BundleError(`${file}: member ${repo.bundle} lacks commit ${c}`);
  }
}

/** Phase 1: everything checked in `staging`; nothing outside it written. */
async function verifyBundle(ctx: BundleImportCtx, file: string, staging: string, baseDir: string): Promise<{ meta: BundleMeta; lock: Lock; root: string }> {
  const root = join(staging, "content");
  mkdirSync(root);
  await extractBundle(file, root, { maxBytes: bundleSizeCap(ctx.env) });
  const meta = parseMeta(readFileSync(join(root, META), "utf8"), file);
  const lock = parseLock(readFileSync(join(root, LOCK_MEMBER), "utf8"), `${file}:${LOCK_MEMBER}`);
  for (const t of lockTargets(lock, baseDir)) {
    if (!meta.repos.some((r) => r.urls.includes(t.url) && r.commits.includes(t.commit))) {
      throw new BundleError(
        `${file}: no git bundle holds ${t.label}'s locked commit ${t.commit} (${t.url})`,
        "the bundle does not match its lock; create it again",
      );
    }
  }
  for (const [i, r] of meta.repos.entries()) await stageRepo(ctx, file, root, r, join(staging, "repos", `${i}.git`));
  return { meta, lock, root };
}

async function configureMirror(ctx: BundleImportCtx, path: string, location: string): Promise<void> {
  await runGit(ctx, ["config", "remote.origin.url", location], { cwd: path });
  await tryGit(ctx, ["config", "--unset-all", "remote.origin.fetch"], { cwd: path });
  for (const spec of MIRROR_REFSPECS) await runGit(ctx, ["config", "--add", "remote.origin.fetch", spec], { cwd: path });
  for (const [k, v] of MIRROR_CONFIG) await runGit(ctx, ["config", k, v], { cwd: path });
  writeFileSync(join(path, MIRROR_MARKER), `${JSON.stringify({ url: redact(location), normalised: normaliseUrl(location) })}\n`, { mode: 0o644 });
}

/** Phase 2 for one repo: a new mirror (the staged repo, moved or copied in whole) or new pins and tags in an existing one. */
async function installRepo(ctx: BundleImportCtx, repo: BundledRepo, staged: string, baseDir: string): Promise<BundleImportResult["repos"][number]> {
  const location = locationOf(repo.urls[0]!, baseDir);
  return withMirrorLock(ctx, location, async () => {
    const path = mirrorPath(ctx.cacheDir, location);
    let status: "created" | "updated" | "unchanged" = "updated";
    const existing = findMirror(ctx.cacheDir, location);
    if (existing) {
      let had = true;
      for (const c of repo.commits) had &&= await hasCommit(ctx, existing, c);
      if (had) status = "unchanged";
      await runGit(ctx, ["fetch", "--quiet", "--", staged, "+refs/pins/*:refs/pins/*"], { cwd: path, remote: staged, repo: location });
      const tags = await tryGit(ctx, ["fetch", "--quiet", "--", staged, "refs/tags/*:refs/tags/*"], { cwd: path, remote: staged });
      if (tags.exitCode !== 0)
        ctx.log.warn(`${location}: some tags in the bundle differ from the cache's and were not taken: ${tags.stderr.trim().split("\n")[0]}`);
    } else {
      sweepTempSiblings(path);
      rmSync(path, { recursive: true, force: true }); // incomplete: no marker
      const tmp = tempSibling(path);
      try {
        try {
          renameSync(staged, tmp);
        } catch {
          await runGit(ctx, ["init", "--quiet", "--bare", "--", tmp]); // another file system: copy through git
          await runGit(ctx, ["fetch", "--quiet", "--", staged, "+refs/pins/*:refs/pins/*", "+refs/tags/*:refs/tags/*"], { cwd: tmp, remote: staged });
        }
        await configureMirror(ctx, tmp, location);
        renameSync(tmp, path);
      } catch (e) {
        rmSync(tmp, { recursive: true, force: true });
        throw e;
      }
      status = "created";
    }
    const mirror = { url: location, path };
    for (const c of repo.commits) {
      if (!(await hasCommit(ctx, mirror, c))) throw new BundleError(`importing ${repo.bundle}: commit ${c} did not arrive in ${path}`, "report this as a bug");
      pinCommit(mirror, c);
    }
    return { bundle: repo.bundle, url: location, mirror: path, status, commits: repo.commits };
  });
}

function decideLock(lock: Lock, lockPath: string, replace: boolean): { status: LockOutcome; diff: string[] } {
  if (!existsSync(lockPath)) return { status: "written", diff: [] };
  let mine: Lock | null;
  try {
    mine = loadLock(lockPath);
  } catch (e) {
    return {
      status: replace ? "replaced" : "kept-different",
      diff: [`the existing lock is unreadable: ${e instanceof PlugstackError ? e.message : String(e)}`],
    };
  }
  if (mine && renderLock(mine) === renderLock(lock)) return { status: "unchanged", diff: [] };
  return { status: replace ? "replaced" : "kept-different", diff: renderLockDiff(diffLocks(mine, lock)) };
}

/** Writes the bundle's local.conf to `path` when nothing is there (temp file, then rename); never replaces a file. */
function placeConfig(member: string, path: string | undefined): BundleImportResult["config"] {
  if (!path || !existsSync(member)) return { path: path ?? null, status: "absent" };
  const text = readFileSync(member);
  if (existsSync(path)) return { path, status: readFileSync(path).equals(text) ? "unchanged" : "kept-different" };
  writeFileAtomic(path, text);
  return { path, status: "written" };
}

/** Verify `file` completely, then fill the cache from it and place its lock (see the module comment). */
export async function importBundle(ctx: BundleImportCtx, file: string, opts: BundleImportOptions): Promise<BundleImportResult> {
  if (!existsSync(file)) throw new BundleError(`bundle ${file} does not exist`);
  // staged in a private temp folder (removed at exit at the latest, swept
  // by the next run after a SIGKILL); nothing outside it is written until
  // every check passed
  const temp = makeTempDir("import", ctx.env);
  const staging = temp.path;
  try {
    setActivity(`bundle import ${file}: verifying`);
    const { meta, lock, root } = await verifyBundle(ctx, file, staging, opts.baseDir);
    setActivity(`bundle import ${file}: filling the cache`);
    const decision = decideLock(lock, opts.lockPath, !!opts.replaceLock);
    const repos: BundleImportResult["repos"] = [];
    for (const [i, r] of meta.repos.entries()) repos.push(await installRepo(ctx, r, join(staging, "repos", `${i}.git`), opts.baseDir));
    const packages: PackageImport[] = [];
    for (const d of meta.packages.filter((x) => existsSync(join(root, "packages", x))))
      packages.push(await importPackageDir(ctx.cacheDir, d, join(root, "packages", d), ctx.log));
    if (decision.status === "written" || decision.status === "replaced") writeLock(opts.lockPath, lock);
    const config = placeConfig(join(root, CONFIG_MEMBER), opts.configPath);
    for (const r of repos) ctx.log.debug(`${r.status} ${r.mirror}: ${r.commits.map(shortSha).join(", ")}`);
    return { lock, lockPath: opts.lockPath, lockStatus: decision.status, lockDiff: decision.diff, repos, packages, config };
  } finally {
    temp.remove();
  }
}

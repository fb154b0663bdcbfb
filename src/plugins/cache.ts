// The cache of bare mirrors (CONTRACT 9): one per URL under
// <cacheDir>/git/<slug>-<hash>.git, created atomically (clone into a temp dir
// beside it, write a completion marker, rename), updated under a per-mirror
// lock file, with every commit we rely on kept alive under refs/pins/<sha>.
import { createHash } from "node:crypto";
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Ctx } from "../context.ts";
import { FetchError } from "../errors.ts";
import { type Clock, realClock } from "../util/clock.ts";
import { redact } from "../util/redact.ts";
import { isFullSha, looksLikeSha } from "../util/sha.ts";
import { isOrphanTempSibling, makeTempDir, sweepTempSiblings, tempSibling } from "../util/temp.ts";
import { describeHolder, type FileLockOptions, sweepStaleLocks, withFileLock } from "./file-lock.ts";
import { type GitCtx, gitSucceeds, isLocalUrl, packedRef, removeLeftLocks, runGit, tryGit } from "./git.ts";
import { normaliseUrl, validateRef } from "./spec.ts";

/**
 * `clock`: real time unless a test passes its own (retry backoff, mirror lock waits).
 * `cacheBelow`: set by withScratchCache only: the user's cache, which this
 * (scratch) cache reads through and never writes.
 */
export type CacheCtx = Pick<Ctx, "env" | "offline" | "cacheDir" | "log"> & { clock?: Clock; cacheBelow?: string };

export interface Mirror {
  /** the URL (or absolute path) the mirror fetches from */
  url: string;
  /** the bare repository */
  path: string;
}

/** File inside a mirror that says it was completely created. */
export const MIRROR_MARKER = "plugstack-mirror.json";
const PIN_PREFIX = "refs/pins/";
export const MIRROR_REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
/**
 * Fetched objects always arrive as one pack, moved into place whole: a fetch
 * killed half-way can never leave a commit object without its trees and
 * parents (which `cat-file -e` would then trust).
 */
export const MIRROR_CONFIG: readonly [string, string][] = [
  ["fetch.unpackLimit", "1"],
  ["transfer.unpackLimit", "1"],
];

/** Where the mirror of `url` lives: readable slug + hash of the normalised URL. */
export function mirrorPath(cacheDir: string, url: string): string {
  const norm = normaliseUrl(url);
  const hash = createHash("sha256").update(norm).digest("hex").slice(0, 16);
  const path = norm.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, "").replace(/^[^/]*:/, "");
  const tail = path.split("/").filter(Boolean).slice(-2).join("-");
  const slug =
    tail
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^[.-]+/, "")
      .slice(-40) || "repo";
  return join(cacheDir, "git", `${slug}-${hash}.git`);
}

function isComplete(path: string): boolean {
  return existsSync(join(path, MIRROR_MARKER)) && existsSync(join(path, "HEAD"));
}

/** The complete mirror of `url`, or null (never touches the network). */
export function findMirror(cacheDir: string, url: string): Mirror | null {
  const path = mirrorPath(cacheDir, url);
  return isComplete(path) ? { url, path } : null;
}

/** The mirror of `url` to read from: this cache's, else the one below a scratch cache (read only), else null. */
export function readableMirror(ctx: CacheCtx, url: string): Mirror | null {
  return findMirror(ctx.cacheDir, url) ?? (ctx.cacheBelow ? findMirror(ctx.cacheBelow, url) : null);
}

/**
 * Runs `fn` over a scratch cache in a temp folder that reads through ctx's
 * cache: a mirror of the cache below is copied up on first use (its refs;
 * its objects are shared through git's alternates, never written), and
 * whatever `fn` fetches lands in the scratch cache and goes with it. The
 * dry runs resolve a config this way, so they change no cache; with
 * `dryRun: false`, `fn` runs over ctx's own cache.
 */
export async function withScratchCache<C extends CacheCtx, T>(ctx: C, fn: (scratch: C) => Promise<T>, opts: { dryRun?: boolean } = {}): Promise<T> {
  if (opts.dryRun === false) return fn(ctx);
  const tmp = makeTempDir("dry-run", ctx.env);
  try {
    return await fn({ ...ctx, cacheDir: tmp.path, cacheBelow: ctx.cacheBelow ?? ctx.cacheDir });
  } finally {
    tmp.remove();
  }
}

/** The scratch copy of the mirror of `url` in the cache below (see withScratchCache), or null. */
function copyUp(ctx: CacheCtx, url: string): Mirror | null {
  const below = ctx.cacheBelow ? findMirror(ctx.cacheBelow, url) : null;
  if (!below) return null;
  const path = mirrorPath(ctx.cacheDir, url);
  makeDir(dirname(path));
  const tmp = tempSibling(path);
  try {
    makeDir(join(tmp, "objects", "info"));
    writeFileSync(join(tmp, "objects", "info", "alternates"), `${join(below.path, "objects")}\n`);
    for (const f of ["HEAD", "config", "packed-refs", "shallow", MIRROR_MARKER]) {
      if (existsSync(join(below.path, f))) cpSync(join(below.path, f), join(tmp, f));
    }
    cpSync(join(below.path, "refs"), join(tmp, "refs"), { recursive: true });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!isComplete(path)) throw e; // else a parallel resolution of the same URL copied it first
  }
  return { url, path };
}

/** Timeout for one network git command: $PLUGSTACK_GIT_TIMEOUT or DevStack's $GIT_TIMEOUT (seconds), default 600. */
function networkTimeoutMs(env: Ctx["env"]): number {
  const s = Number(env.PLUGSTACK_GIT_TIMEOUT || env.GIT_TIMEOUT || 600);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 600_000;
}

const TRANSIENT =
  /timed out|Could not resolve host|Connection (reset|refused|timed out)|Failed to connect|Couldn't connect to server|early EOF|remote end hung up|RPC failed|unexpected disconnect|Temporary failure/i;

/** Tries per network git command: $PLUGSTACK_GIT_RETRIES (default 3, at least 1). */
function networkTries(env: Ctx["env"]): number {
  const n = Number(env.PLUGSTACK_GIT_RETRIES || 3);
  return Number.isInteger(n) && n >= 1 ? n : 3;
}

/** Run a network git command, retrying transient failures with backoff (1s, 2s, 4s, ...). */
async function withRetry<T>(ctx: CacheCtx, what: string, run: () => Promise<T>): Promise<T> {
  const tries = networkTries(ctx.env);
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (attempt >= tries || !(e instanceof FetchError) || !TRANSIENT.test(e.message)) throw e;
      ctx.log.warn(`${what} failed (attempt ${attempt} of ${tries}), retrying: ${e.message.split("\n").at(-1)}`);
      await (ctx.clock ?? realClock).sleep(1000 * 2 ** (attempt - 1));
    }
  }
}

/** Directories: mode 0775 minus the umask, so never world-writable. */
function makeDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o775 });
}

/** Git config that keeps git's own files out of world-writable modes when the umask allows them. */
function sharedRepositoryConfig(): string[] {
  const mask = process.umask();
  if ((mask & 0o002) !== 0) return [];
  const mode = 0o664 & ~(mask | 0o002);
  return ["--config", `core.sharedRepository=0${mode.toString(8)}`];
}

/** The mirror locks in the cache that killed processes left (see sweepStaleLocks). */
export function sweepMirrorLocks(cacheDir: string): void {
  sweepStaleLocks(join(cacheDir, "git"), MIRROR_LOCK_SUFFIX);
}

const MIRROR_LOCK_SUFFIX = ".plugstack-lock";

/** Hold the mirror's lock while running `body`; says who holds it when we must wait. */
export async function withMirrorLock<T>(ctx: CacheCtx, url: string, body: () => Promise<T>): Promise<T> {
  const path = mirrorPath(ctx.cacheDir, url);
  makeDir(join(ctx.cacheDir, "git"));
  const lock: FileLockOptions = {
    what: `the cache mirror of ${url}`,
    timeoutMs: Number(ctx.env.PLUGSTACK_LOCK_TIMEOUT || 0) * 1000 || undefined,
    clock: ctx.clock,
    onWait: (h) => ctx.log.info(`waiting for the cache mirror of ${url}: in use by ${describeHolder(h)}`),
  };
  return withFileLock(`${path}${MIRROR_LOCK_SUFFIX}`, lock, () => {
    clearKilledWrites(path);
    return body();
  });
}

/**
 * What a run killed while writing the mirror left: its half-made copy beside
 * the mirror, and in the mirror git's lock files
 * (`<ref>.lock`, `packed-refs.lock`, ...; git refuses to write that ref again
 * while one is there) and our temp files. Called holding the mirror lock,
 * when no live plugstack process runs git in the mirror to write there (no
 * git gc runs detached: GIT_SAFETY_CONFIG), so any such lock file is a
 * leftover. Pins and HEAD are written outside the lock, without git and
 * so without lock files (writeMirrorRef), through temp files named by the
 * live process that writes them, which this leaves alone. (A git fetch
 * left running by a plugstack killed alone, not with its process group,
 * could still take a ref's lock for the moment it writes it.)
 */
function clearKilledWrites(path: string): void {
  sweepTempSiblings(path);
  removeLeftLocks(path, isOrphanTempSibling);
}

/**
 * Write the mirror's ref `name` (a loose ref file: `content` is a SHA, or
 * `ref: <target>` for HEAD) by rename, so it is whole or absent. git's own
 * update-ref would take `<name>.lock` first, which a killed run leaves
 * behind, and two runs pinning the same commit at once would collide on.
 * The caller has seen the commit in the mirror.
 */
function writeMirrorRef(mirror: Mirror, name: string, content: string): void {
  const path = join(mirror.path, name);
  makeDir(dirname(path));
  const tmp = tempSibling(path);
  try {
    writeFileSync(tmp, `${content}\n`, { mode: 0o664 }); // as git writes a ref: minus the umask, never world-writable (see sharedRepositoryConfig)
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new FetchError(
      `cannot write ${name} in the cache mirror ${mirror.path}: ${(e as Error).message}`,
      mirror.url,
      undefined,
      "check that the cache directory is writable and not full",
    );
  }
}

/** Called holding the mirror lock (withMirrorLock swept a killed run's temp copies). */
async function createMirror(ctx: CacheCtx, url: string, path: string): Promise<void> {
  if (existsSync(path)) {
    ctx.log.warn(`discarding incomplete cache mirror ${path} (an earlier fetch was interrupted)`);
    rmSync(path, { recursive: true, force: true });
  }
  const tmp = tempSibling(path);
  try {
    await withRetry(ctx, `cloning ${url}`, () => {
      // what a stopped try left behind
      rmSync(tmp, { recursive: true, force: true });
      const config = MIRROR_CONFIG.flatMap(([k, v]) => ["--config", `${k}=${v}`]);
      return runGit(ctx, ["clone", "--bare", "--quiet", ...sharedRepositoryConfig(), ...config, "--", url, tmp], {
        remote: url,
        timeoutMs: networkTimeoutMs(ctx.env),
      });
    });
    // A bare clone writes no fetch refspec (git clone --bare), so ours are
    // appended as a section of their own (git reads a section given twice as
    // one): each git call here is time a cold stack waits for.
    appendFileSync(join(tmp, "config"), `[remote "origin"]\n${MIRROR_REFSPECS.map((spec) => `\tfetch = ${spec}\n`).join("")}`);
    writeFileSync(join(tmp, MIRROR_MARKER), `${JSON.stringify({ url: redact(url), normalised: normaliseUrl(url) })}\n`, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A fetch into a mirror starts no housekeeping of its own (git's gc --auto,
 * through `git maintenance` in newer git): `tidyMirror` runs it after the
 * fetch instead, outside the network timeout, so that repacking a big
 * mirror is not taken for a remote that did not answer (and retried).
 */
const FETCH_WITHOUT_GC = ["gc.auto=0", "maintenance.auto=false"];

/** git's gc --auto in the mirror (the housekeeping a fetch would start), with no timeout; a failure is git's to report next time. */
async function tidyMirror(ctx: CacheCtx, mirror: Mirror): Promise<void> {
  await tryGit(ctx, ["gc", "--auto", "--quiet"], { cwd: mirror.path });
}

async function fetchInto(ctx: CacheCtx, mirror: Mirror, refspecs: string[], prune: boolean): Promise<void> {
  await withRetry(ctx, `fetching ${mirror.url}`, () =>
    runGit(ctx, ["fetch", "--quiet", ...(prune ? ["--prune"] : []), "--", mirror.url, ...refspecs], {
      cwd: mirror.path,
      remote: mirror.url,
      timeoutMs: networkTimeoutMs(ctx.env),
      config: FETCH_WITHOUT_GC,
    }),
  );
  await tidyMirror(ctx, mirror);
}

export interface EnsureMirrorOptions {
  /** fetch from the remote even when the mirror exists */
  update?: boolean;
  /** extra refs to fetch by name (e.g. refs/changes/...) */
  extraRefs?: string[];
}

/**
 * The mirror of `url`, created when missing and updated when asked. Offline,
 * a missing mirror of a non-local URL is a FetchError (never a network try).
 */
export async function ensureMirror(ctx: CacheCtx, url: string, opts: EnsureMirrorOptions = {}): Promise<Mirror> {
  const existing = findMirror(ctx.cacheDir, url) ?? copyUp(ctx, url);
  if (existing && !opts.update && !opts.extraRefs?.length) return existing;
  if (ctx.offline && !isLocalUrl(url)) {
    if (existing) return existing;
    throw cacheMiss(url);
  }
  return withMirrorLock(ctx, url, async () => {
    const path = mirrorPath(ctx.cacheDir, url);
    const mirror = { url, path };
    let created = false;
    if (!isComplete(path)) {
      await createMirror(ctx, url, path);
      created = true;
    }
    if (opts.update && !created) await fetchInto(ctx, mirror, MIRROR_REFSPECS, true);
    const extra = (opts.extraRefs ?? []).filter((r) => r.startsWith("refs/") && !r.startsWith(PIN_PREFIX));
    if (extra.length)
      await fetchInto(
        ctx,
        mirror,
        extra.map((r) => `+${r}:${r}`),
        false,
      );
    return mirror;
  });
}

export function cacheMiss(url: string, ref?: string): FetchError {
  return new FetchError(
    `${url} is not in the cache (offline)`,
    url,
    ref,
    "fill the cache on a connected machine with `plugstack fetch`, or import a bundle with `plugstack bundle import FILE`",
  );
}

export type RefKind = "branch" | "tag" | "sha" | "ref";

export interface RefResolution {
  commit: string;
  kind: RefKind;
}

async function revParse(ctx: CacheCtx, mirror: Mirror, rev: string): Promise<string | null> {
  const r = await tryGit(ctx, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], { cwd: mirror.path });
  const sha = r.stdout.trim();
  return r.exitCode === 0 && isFullSha(sha) ? sha : null;
}

/** The commit `ref` names in the mirror (tag peeled), or null. Tags win over branches, as in git. */
export async function resolveRef(ctx: CacheCtx, mirror: Mirror, ref: string): Promise<RefResolution | null> {
  const bad = validateRef(ref);
  if (bad) throw new FetchError(`cannot resolve ${ref} in ${mirror.url}: ${bad}`, mirror.url, ref);
  if (isFullSha(ref)) return (await hasCommit(ctx, mirror, ref)) ? { commit: ref, kind: "sha" } : null;
  if (ref.startsWith("refs/")) {
    const commit = await revParse(ctx, mirror, ref);
    return commit ? { commit, kind: "ref" } : null;
  }
  const [tag, branch, sha] = await revParseAll(ctx, mirror, [`refs/tags/${ref}`, `refs/heads/${ref}`, ...(looksLikeSha(ref) ? [ref] : [])]);
  if (tag) return { commit: tag, kind: "tag" };
  if (branch) return { commit: branch, kind: "branch" };
  if (sha?.startsWith(ref)) return { commit: sha, kind: "sha" };
  return null;
}

/**
 * Whether the mirror has a tag or branch named `ref`, from its ref files
 * alone (loose refs and packed-refs, no git process). False means "not
 * seen there", not "absent": ask resolveRef then.
 */
export function hasNamedRef(mirror: Mirror, ref: string): boolean {
  if (validateRef(ref) || ref.startsWith("refs/")) return false;
  const names = [`refs/tags/${ref}`, `refs/heads/${ref}`];
  if (names.some((n) => existsSync(join(mirror.path, n)))) return true;
  try {
    const packed = readFileSync(join(mirror.path, "packed-refs"), "utf8");
    return names.some((n) => packedRef(packed, n) !== null);
  } catch {
    return false;
  }
}

/** The commit each revision names in the mirror (null where none): one `git cat-file --batch-check` for all of them. */
async function revParseAll(ctx: CacheCtx, mirror: Mirror, revs: readonly string[]): Promise<(string | null)[]> {
  const r = await tryGit(ctx, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], {
    cwd: mirror.path,
    input: revs.map((rev) => `${rev}^{commit}\n`).join(""),
  });
  const lines = r.stdout.split("\n");
  return revs.map((_, i) => {
    const [name = "", type] = (lines[i] ?? "").split(" ");
    return r.exitCode === 0 && type === "commit" && isFullSha(name) ? name : null;
  });
}

/** True when the mirror holds `sha` as a commit. */
export async function hasCommit(ctx: GitCtx, mirror: Mirror, sha: string): Promise<boolean> {
  if (!isFullSha(sha)) return false;
  // pinned: written once the commit was in the mirror (by git fetch, or by pinCommit after its caller saw it), and the pin keeps it (no git process)
  if (existsSync(join(mirror.path, PIN_PREFIX, sha))) return true;
  return gitSucceeds(ctx, ["cat-file", "-e", `${sha}^{commit}`], { cwd: mirror.path });
}

/**
 * The remote's default branch: asks the remote (`ls-remote --symref`) when
 * online and records it as the mirror's HEAD; offline (or `ask: false`),
 * reads that recorded HEAD.
 */
export async function resolveDefaultBranch(ctx: CacheCtx, mirror: Mirror, opts: { ask?: boolean } = {}): Promise<string | null> {
  if (opts.ask !== false && (!ctx.offline || isLocalUrl(mirror.url))) {
    const out = await withRetry(ctx, `asking ${mirror.url} for its default branch`, () =>
      runGit(ctx, ["ls-remote", "--symref", "--", mirror.url, "HEAD"], {
        cwd: mirror.path,
        remote: mirror.url,
        timeoutMs: networkTimeoutMs(ctx.env),
      }),
    );
    const m = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out);
    if (m && !validateRef(m[1]!)) {
      writeMirrorRef(mirror, "HEAD", `ref: refs/heads/${m[1]}`);
      return m[1]!;
    }
  }
  const head = await tryGit(ctx, ["symbolic-ref", "--quiet", "--short", "HEAD"], { cwd: mirror.path });
  const branch = head.stdout.trim();
  if (head.exitCode !== 0 || !branch) return null;
  return (await revParse(ctx, mirror, `refs/heads/${branch}`)) ? branch : null;
}

/** Keep `sha` reachable in the mirror whatever happens upstream: refs/pins/<sha>. Every caller has seen the commit in the mirror first. */
export function pinCommit(mirror: Mirror, sha: string): void {
  if (!isFullSha(sha)) throw new FetchError(`cannot pin "${sha}": not a full commit SHA`, mirror.url);
  if (existsSync(join(mirror.path, PIN_PREFIX, sha))) return; // pinned already (a loose ref names only its own SHA)
  writeMirrorRef(mirror, `${PIN_PREFIX}${sha}`, sha);
}

/** The ref that pins `sha`. */
export function pinRef(sha: string): string {
  return `${PIN_PREFIX}${sha}`;
}

/**
 * Fetch one commit by SHA (servers that allow it) into refs/pins/<sha>, for
 * a locked commit no branch or tag reaches any more. True when it arrived.
 */
export async function fetchCommit(ctx: CacheCtx, mirror: Mirror, sha: string): Promise<boolean> {
  if (!isFullSha(sha)) return false;
  if (await hasCommit(ctx, mirror, sha)) return true;
  if (ctx.offline && !isLocalUrl(mirror.url)) return false;
  return withMirrorLock(ctx, mirror.url, async () => {
    const r = await tryGit(ctx, ["fetch", "--quiet", "--", mirror.url, `+${sha}:${PIN_PREFIX}${sha}`], {
      cwd: mirror.path,
      remote: mirror.url,
      timeoutMs: networkTimeoutMs(ctx.env),
      config: FETCH_WITHOUT_GC,
    });
    if (r.exitCode !== 0) return false;
    await tidyMirror(ctx, mirror);
    return hasCommit(ctx, mirror, sha);
  });
}

/** Branch and tag names in the mirror (for "did you mean" messages). */
export async function listRefNames(ctx: CacheCtx, mirror: Mirror): Promise<{ branches: string[]; tags: string[] }> {
  const out = await runGit(ctx, ["for-each-ref", "--format=%(refname)", "refs/heads", "refs/tags"], { cwd: mirror.path });
  const names = out.split("\n").filter(Boolean);
  return {
    branches: names.filter((n) => n.startsWith("refs/heads/")).map((n) => n.slice(11)),
    tags: names.filter((n) => n.startsWith("refs/tags/")).map((n) => n.slice(10)),
  };
}

/**
 * Names that look like the successor of a vanished ref: OpenStack turns
 * `stable/X` into the tag `X-eol` or the branch `unmaintained/X`.
 */
export function suggestSuccessors(ref: string, names: { branches: string[]; tags: string[] }): string[] {
  const series = ref.replace(/^(stable|unmaintained)\//, "");
  const wanted = new Set([`${series}-eol`, `${series}-em`, `unmaintained/${series}`, `stable/${series}`]);
  wanted.delete(ref);
  return [...names.tags, ...names.branches].filter((n) => wanted.has(n)).sort();
}

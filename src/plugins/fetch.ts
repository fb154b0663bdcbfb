// CONTRACT 4 steps 2-3: resolve each plugin to a commit (lock first, else the
// remote, offline only the cache) and materialise it at $DEST/<name>, up to
// ctx.jobs at a time, reporting progress per plugin.
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import type { Ctx } from "../context.ts";
import { CheckoutError, FetchError, LockError } from "../errors.ts";
import { classifyUrl } from "../util/git-url.ts";
import { combine, pool } from "../util/pool.ts";
import { redact } from "../util/redact.ts";
import type { Mirror } from "./cache.ts";
import { type CheckoutResult, type CheckoutStatus, type CleanAnswers, checkoutCommit, cleanCheckouts, linkDirectory } from "./checkout.ts";
import type { CleanStamp } from "./clean-check.ts";
import { readHead, shortSha } from "./git.ts";
import { type Lock, lockedEntryFor } from "./lockfile.ts";
import { type CacheMissInfo, isCacheMiss, offlineError, resolveCommit } from "./resolve.ts";
import { type PluginSpec, validatePluginName } from "./spec.ts";

export interface ResolvedPlugin extends PluginSpec {
  source: "git" | "directory"; // directory = local plain dir (not a git repo): symlinked, not pinned
  commit: string | null; // 40-hex; null for a plain directory
  resolvedRef: string; // ref actually used (remote default branch when master is missing)
  dir: string; // $DEST/<name>
}

export type FetchState = "queued" | "fetching" | "resolving" | "checking-out" | "done" | "failed";

export interface FetchProgress {
  plugin: string;
  state: FetchState;
  detail?: string;
}

/** A plugin resolved to a commit (or a directory), before it is materialised. */
export interface PluginResolution extends PluginSpec {
  source: "git" | "directory";
  commit: string | null;
  resolvedRef: string;
  /** what is fetched: the URL, or the absolute path of a local repo/directory */
  location: string;
  mirror: Mirror | null;
  /** the commit came from the lock */
  fromLock: boolean;
  /** something to tell the user (e.g. the default-branch fallback) */
  notice?: string;
}

export interface MaterialisedPlugin extends ResolvedPlugin {
  status: CheckoutStatus;
  /** HEAD of the checkout (differs from commit only when kept-dirty) */
  head: string | null;
  fromLock: boolean;
  message?: string;
  /** a reused checkout found clean: what lets the next run tell so without git (clean-check.ts) */
  cleanStamp?: CleanStamp;
}

export type FetchCtx = Pick<Ctx, "env" | "offline" | "cacheDir" | "log" | "jobs" | "cwd">;

export interface ResolveOptions {
  lock?: Lock | null;
  /** --locked: every plugin must come from the lock */
  locked?: boolean;
  /** ignore the lock for these plugins (or all: true) — `lock --update [NAME...]` */
  update?: boolean | readonly string[];
  /** directory relative plugin paths are resolved against (default: the enable_plugin file's) */
  baseDir?: string;
  onProgress?: (e: FetchProgress) => void;
}

export interface MaterialiseOptions extends ResolveOptions {
  dest: string;
  force?: boolean;
  reclone?: boolean;
  errorOnClone?: boolean;
  gitDepth?: number;
  /**
   * the stamps of checkouts an earlier run found clean, by directory ({}
   * when there are none yet): given, checkouts found clean come back with
   * theirs (cleanStamp) for the caller to keep for the next run
   */
  cleanStamps?: Readonly<Record<string, CleanStamp>>;
}

function isGitRepo(path: string): boolean {
  return existsSync(join(path, ".git")) || (existsSync(join(path, "HEAD")) && existsSync(join(path, "objects")) && existsSync(join(path, "refs")));
}

/** Where a plugin comes from: a git location (URL or local repo) or a plain directory. */
function locate(spec: PluginSpec, baseDir: string): { source: "git" | "directory"; location: string } {
  const kind = classifyUrl(spec.url, baseDir);
  if (kind.kind === "remote") return { source: "git", location: kind.url };
  if (!existsSync(kind.path) || !statSync(kind.path).isDirectory()) {
    throw new FetchError(
      `${spec.name}: local plugin path ${kind.path} is not a directory (from "${spec.url}" at ${spec.file}:${spec.line})`,
      spec.url,
      spec.ref,
      "relative paths are taken from the directory of local.conf; fix the enable_plugin line",
    );
  }
  return { source: isGitRepo(kind.path) ? "git" : "directory", location: kind.path };
}

function wantsUpdate(update: ResolveOptions["update"], name: string): boolean {
  return update === true || (Array.isArray(update) && update.includes(name));
}

export type Emit = (state: FetchState, detail?: string) => void;

/**
 * A failed git command while fetching a plugin, as the user needs it: the
 * plugin, its enable_plugin line, the URL (credentials redacted), git's own
 * message and a hint for the cause. Other errors pass through.
 */
function pluginGitError(spec: Pick<PluginSpec, "name" | "url" | "ref" | "file" | "line">, e: unknown): unknown {
  if (!(e instanceof FetchError) || e.gitMessage === undefined) return e;
  const git = e.gitMessage
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => `  git: ${l}`)
    .join("\n");
  const wrapped = new FetchError(
    `plugin ${spec.name} (${spec.file}:${spec.line}): cannot fetch ${redact(spec.url)}${spec.ref ? ` (ref ${spec.ref})` : ""}\n${git}`,
    spec.url,
    spec.ref,
    e.hint ?? "check the URL of that enable_plugin line (-v shows the git command)",
    { cause: e },
  );
  wrapped.gitMessage = e.gitMessage;
  return wrapped;
}

/** Resolve one plugin; returns a CacheMissInfo when offline and the cache lacks it. */
export async function resolveOne(ctx: FetchCtx, spec: PluginSpec, opts: ResolveOptions, emit: Emit): Promise<PluginResolution | CacheMissInfo> {
  const bad = validatePluginName(spec.name);
  if (bad) throw new FetchError(`invalid plugin name: ${bad}`, spec.url, spec.ref);
  const baseDir = opts.baseDir ?? (isAbsolute(spec.file) ? dirname(spec.file) : ctx.cwd);
  const { source, location } = locate(spec, baseDir);
  const base = { ...spec, source, location, fromLock: false };
  if (source === "directory") return { ...base, commit: null, resolvedRef: spec.ref, mirror: null };

  const entry = wantsUpdate(opts.update, spec.name) ? undefined : lockedEntryFor(opts.lock ?? null, spec);
  if (opts.locked && !entry?.commit) {
    throw new LockError(
      `${spec.base ? "base" : spec.name}: no lock entry for ${spec.url} at ${spec.ref} (--locked)`,
      "run `plugstack lock` to update the lock, or drop --locked/--frozen",
    );
  }
  const r = await resolveCommit(
    ctx,
    {
      label: spec.name,
      location,
      ref: spec.ref,
      refGiven: spec.refGiven,
      lockedCommit: entry?.commit,
      updateCommand: `plugstack lock --update ${spec.name}`,
      refSource: spec.base
        ? `the REF of PLUGSTACK_BASE (${spec.file}${spec.line ? `:${spec.line}` : ""})`
        : `the REF of enable_plugin ${spec.name} (${spec.file}:${spec.line})`,
    },
    emit,
  ).catch((e) => {
    throw pluginGitError(spec, e);
  });
  if (isCacheMiss(r)) return r;
  return { ...base, ...r };
}

function settle<R>(results: PromiseSettledResult<R | CacheMissInfo>[]): R[] {
  const misses: CacheMissInfo[] = [];
  const errors: unknown[] = [];
  const values: R[] = [];
  for (const r of results) {
    if (r.status === "rejected") errors.push(r.reason);
    else if (isCacheMiss(r.value as PluginResolution | CacheMissInfo)) misses.push(r.value as CacheMissInfo);
    else values.push(r.value as R);
  }
  if (misses.length) errors.unshift(offlineError(misses));
  if (errors.length) throw combine(errors);
  return values;
}

function emitter(opts: ResolveOptions, plugin: string): Emit {
  return (state, detail) => opts.onProgress?.({ plugin, state, detail });
}

/** What a progress row shows of an error: its first line. */
export function progressLine(e: unknown): string {
  return e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e);
}

/**
 * Runs `fn` for every plugin, ctx.jobs at a time, with its progress row
 * (queued; failed with the error's first line, or when offline and not in
 * the cache); then one error naming every cache miss and failure, or the
 * results in input order.
 */
async function eachPlugin<R>(
  ctx: FetchCtx,
  specs: readonly PluginSpec[],
  opts: ResolveOptions,
  fn: (spec: PluginSpec, emit: Emit) => Promise<R | CacheMissInfo>,
): Promise<R[]> {
  for (const s of specs) emitter(opts, s.name)("queued");
  const results = await pool(specs, ctx.jobs, async (spec) => {
    const emit = emitter(opts, spec.name);
    try {
      const r = await fn(spec, emit);
      if (isCacheMiss(r)) emit("failed", "not in the cache (offline)");
      return r;
    } catch (e) {
      emit("failed", progressLine(e));
      throw e;
    }
  });
  return settle<R>(results);
}

/** Resolve every plugin to a commit (no checkout). Offline cache misses are one error naming all of them. */
export async function resolvePlugins(ctx: FetchCtx, specs: readonly PluginSpec[], opts: ResolveOptions = {}): Promise<PluginResolution[]> {
  return eachPlugin(ctx, specs, opts, async (spec, emit) => {
    const r = await resolveOne(ctx, spec, opts, emit);
    if (!isCacheMiss(r)) emit("done", r.commit ? `${shortSha(r.commit)} (${r.resolvedRef})` : "local directory");
    return r;
  });
}

function describeDone(r: PluginResolution, c: CheckoutResult): string {
  if (r.source === "directory") return `${c.status === "reused" ? "linked" : c.status} -> ${r.location}`;
  if (c.status === "kept-dirty") return c.message ?? "kept: local changes";
  return `${c.status} ${shortSha(r.commit)} (${r.resolvedRef})`;
}

/** Resolve and check out every plugin at `dest/<name>`; HEAD equals the commit unless a dirty checkout was kept. */
export async function materialisePlugins(ctx: FetchCtx, specs: readonly PluginSpec[], opts: MaterialiseOptions): Promise<MaterialisedPlugin[]> {
  // checkouts already at their locked commit (dir -> that commit): one process checks them all for local changes
  const atLock = new Map<string, string>();
  for (const s of opts.reclone ? [] : specs) {
    const commit = validatePluginName(s.name) || wantsUpdate(opts.update, s.name) ? undefined : lockedEntryFor(opts.lock ?? null, s)?.commit;
    const dir = join(opts.dest, s.name);
    if (commit && readHead(dir) === commit) atLock.set(dir, commit);
  }
  // asked when the first checkout needs it, so its time counts as fetching
  let clean: Promise<CleanAnswers> | undefined;
  const answers = () => (clean ??= cleanCheckouts(ctx, [...atLock.keys()], opts.cleanStamps));
  // a checkout clean at its locked commit: no second git status, and its HEAD is not read again
  const known = async (dir: string) => ((await answers()).clean.has(dir) ? { knownClean: true, knownHead: atLock.get(dir) } : {});
  return eachPlugin(ctx, specs, opts, async (spec, emit): Promise<MaterialisedPlugin | CacheMissInfo> => {
    const r = await resolveOne(ctx, spec, opts, emit);
    if (isCacheMiss(r)) return r;
    emit("checking-out");
    const dir = join(opts.dest, spec.name);
    const c =
      r.source === "directory"
        ? linkDirectory({ name: spec.name, dir, source: r.location, force: opts.force })
        : await checkoutCommit(ctx, {
            name: spec.name,
            dir,
            mirror: r.mirror!,
            upstreamUrl: r.location,
            commit: r.commit!,
            force: opts.force,
            reclone: opts.reclone,
            errorOnClone: opts.errorOnClone,
            gitDepth: opts.gitDepth,
            ...(await known(dir)),
          });
    if (r.source === "git" && c.status !== "kept-dirty" && c.head !== r.commit) {
      throw new CheckoutError(`${spec.name}: ${dir} is at ${shortSha(c.head)}, expected ${r.commit}`, "report this as a bug");
    }
    if (c.message) ctx.log[c.status === "kept-dirty" ? "warn" : "info"](`${spec.name}: ${c.message}`);
    emit("done", describeDone(r, c));
    const { location: _l, mirror: _m, notice, ...plugin } = r;
    const stamp = c.status === "reused" && r.source === "git" ? (await answers()).stamps.get(dir) : undefined;
    return {
      ...plugin,
      dir,
      status: c.status,
      head: c.head,
      message: [notice, c.message].filter(Boolean).join("; ") || undefined,
      ...(stamp ? { cleanStamp: stamp } : {}),
    };
  });
}

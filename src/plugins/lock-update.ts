// `plugstack lock [--update [NAME...]]`: bring local.conf.lock in line with
// the config. Plugins whose url and ref are unchanged keep their locked commit
// unless updated; new or changed ones are resolved; [[repo]] entries of
// plugins still enabled are kept (re-resolved when their plugin is updated).
// A ref that vanished upstream keeps its old entry (the commit stays pinned in
// the cache) and is reported with the names that look like its successor.
import type { Ctx } from "../context.ts";
import { FetchError, UsageError } from "../errors.ts";
import { locationOf } from "../util/git-url.ts";
import { combine, pool } from "../util/pool.ts";
import { listRefNames, type Mirror, readableMirror, resolveRef, suggestSuccessors } from "./cache.ts";
import { type FetchProgress, type PluginResolution, progressLine, resolveOne } from "./fetch.ts";
import { gitSucceeds, shortSha } from "./git.ts";
import { BASE_LABEL, diffLocks, isRepoLabel, type Lock, type LockDiffRow, type LockedRepo, lockedEntryFor, lockFromPlugins, repoLabel } from "./lockfile.ts";
import { type CacheMissInfo, type CommitResolution, isCacheMiss, offlineError, resolveCommit } from "./resolve.ts";
import type { PluginSpec } from "./spec.ts";

export type LockUpdateCtx = Pick<Ctx, "env" | "offline" | "cacheDir" | "log" | "jobs" | "cwd">;

/** A locked ref that no longer exists upstream. */
export interface VanishedRef {
  /** plugin name, or "<url> (git_clone by <plugin>)" */
  name: string;
  url: string;
  ref: string;
  /** the commit still locked (and pinned in the cache) */
  lockedCommit: string;
  /** tags/branches that look like its successor (`2023.1-eol`, `unmaintained/2023.1`) */
  successors: string[];
  /** where the ref is written, for the fix */
  where: string;
}

export interface LockUpdate {
  lock: Lock;
  rows: LockDiffRow[];
  /** row name -> remark (e.g. the old commit is not an ancestor of the new one) */
  notes: Record<string, string>;
  vanished: VanishedRef[];
}

export interface LockUpdateOptions {
  lock: Lock | null;
  /** re-resolve every entry (true) or these plugins (and the repos they cloned) */
  update?: boolean | readonly string[];
  /** directory relative plugin paths are resolved against */
  baseDir: string;
  onProgress?: (e: FetchProgress) => void;
}

function wanted(update: LockUpdateOptions["update"], name: string): boolean {
  return update === true || (Array.isArray(update) && update.includes(name));
}

/** Is `ref` gone from the (just updated) mirror? Then: the names that may replace it. */
async function vanishedFrom(ctx: LockUpdateCtx, mirror: Mirror | null, ref: string): Promise<string[] | null> {
  if (!mirror || (await resolveRef(ctx, mirror, ref).catch(() => null))) return null;
  return suggestSuccessors(ref, await listRefNames(ctx, mirror));
}

interface PluginOutcome {
  spec: PluginSpec;
  resolution?: PluginResolution;
  miss?: CacheMissInfo;
  vanished?: VanishedRef;
  error?: unknown;
}

async function lockPlugin(ctx: LockUpdateCtx, spec: PluginSpec, opts: LockUpdateOptions): Promise<PluginOutcome> {
  const emit = (state: FetchProgress["state"], detail?: string) => opts.onProgress?.({ plugin: spec.name, state, detail });
  const old = lockedEntryFor(opts.lock, spec);
  try {
    const r = await resolveOne(ctx, spec, { lock: opts.lock, update: opts.update, baseDir: opts.baseDir }, emit);
    if (isCacheMiss(r)) {
      emit("failed", "not in the cache (offline)");
      return { spec, miss: r };
    }
    emit("done", r.commit ? `${shortSha(r.commit)} (${r.resolvedRef})` : "local directory");
    return { spec, resolution: r };
  } catch (error) {
    emit("failed", progressLine(error));
    if (old?.commit && wanted(opts.update, spec.name)) {
      const successors = await vanishedFrom(ctx, readableMirror(ctx, locationOf(spec.url, opts.baseDir)), spec.ref);
      if (successors) {
        const where = spec.base
          ? `the REF of PLUGSTACK_BASE (${spec.file}${spec.line ? `:${spec.line}` : ""})`
          : `the REF of enable_plugin ${spec.name} (${spec.file}:${spec.line})`;
        return { spec, vanished: { name: spec.base ? BASE_LABEL : spec.name, url: spec.url, ref: spec.ref, lockedCommit: old.commit, successors, where } };
      }
    }
    return { spec, error };
  }
}

interface RepoOutcome {
  entry: LockedRepo;
  vanished?: VanishedRef;
  miss?: CacheMissInfo;
  error?: unknown;
  resolution?: CommitResolution;
}

async function relockRepo(ctx: LockUpdateCtx, repo: LockedRepo, baseDir: string): Promise<RepoOutcome> {
  const location = locationOf(repo.url, baseDir);
  const label = repoLabel(repo);
  const where = `the ref plugin ${repo.requested_by} passes to git_clone ${repo.url}`;
  try {
    const r = await resolveCommit(ctx, {
      label,
      location,
      ref: repo.ref,
      refGiven: repo.ref !== "master",
      updateCommand: `plugstack lock --update ${repo.requested_by}`,
      refSource: where,
    });
    if (isCacheMiss(r)) return { entry: repo, miss: r };
    return { entry: { ...repo, commit: r.commit }, resolution: r };
  } catch (error) {
    const successors = await vanishedFrom(ctx, readableMirror(ctx, location), repo.ref);
    if (successors) return { entry: repo, vanished: { name: label, url: repo.url, ref: repo.ref, lockedCommit: repo.commit, successors, where } };
    return { entry: repo, error };
  }
}

/** "history rewritten" when the old commit is not an ancestor of the new one (force-push upstream). */
async function rewriteNote(ctx: LockUpdateCtx, mirror: Mirror | null, row: LockDiffRow): Promise<string | undefined> {
  const [o, n] = [row.old?.commit, row.new?.commit];
  if (!mirror || !o || !n || o === n || row.old?.url !== row.new?.url) return undefined;
  if (await gitSucceeds(ctx, ["merge-base", "--is-ancestor", o, n], { cwd: mirror.path })) return undefined;
  return `history rewritten upstream: ${shortSha(o)} is not an ancestor of ${shortSha(n)}`;
}

/** Resolve the config's plugins against the lock (see the module comment). Writes nothing. */
export async function resolveLockUpdate(ctx: LockUpdateCtx, specs: readonly PluginSpec[], opts: LockUpdateOptions): Promise<LockUpdate> {
  const names = new Set(specs.map((s) => s.name));
  if (Array.isArray(opts.update)) {
    const unknown = opts.update.filter((n) => !names.has(n));
    if (unknown.length) {
      throw new UsageError(
        `lock --update: ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not enabled in the config`,
        `enabled plugins: ${[...names].join(", ") || "(none)"}`,
      );
    }
  }
  for (const s of specs) opts.onProgress?.({ plugin: s.name, state: "queued" });
  const plugins = (await pool(specs, ctx.jobs, (s) => lockPlugin(ctx, s, opts))).map(
    (r, i): PluginOutcome => (r.status === "fulfilled" ? r.value : { spec: specs[i]!, error: r.reason }),
  );

  const oldRepos = (opts.lock?.repos ?? []).filter((r) => !r.requested_by || names.has(r.requested_by));
  const repoOutcomes = await pool(oldRepos, ctx.jobs, async (r) => (wanted(opts.update, r.requested_by) ? relockRepo(ctx, r, opts.baseDir) : { entry: r }));
  const repos = repoOutcomes.map((r, i): RepoOutcome => (r.status === "fulfilled" ? r.value : { entry: oldRepos[i]!, error: r.reason }));

  const misses = [...plugins.flatMap((p) => (p.miss ? [p.miss] : [])), ...repos.flatMap((r) => (r.miss ? [r.miss] : []))];
  const errors = [...plugins.flatMap((p) => (p.error ? [p.error] : [])), ...repos.flatMap((r) => (r.error ? [r.error] : []))];
  if (misses.length) errors.unshift(offlineError(misses, misses.every((m) => !isRepoLabel(m.name)) ? "plugin" : "item"));
  if (errors.length) throw combine(errors);

  const locked: { name: string; url: string; ref: string; commit: string | null; base?: boolean }[] = plugins.map((p) => ({
    name: p.spec.name,
    url: p.spec.url,
    ref: p.spec.ref,
    commit: p.resolution ? p.resolution.commit : p.vanished!.lockedCommit,
    base: p.spec.base,
  }));
  const lock = lockFromPlugins(
    locked,
    repos.map((r) => r.entry),
  );
  const rows = diffLocks(opts.lock, lock);
  const mirrors = new Map<string, Mirror | null>();
  for (const p of plugins) mirrors.set(p.spec.base ? BASE_LABEL : p.spec.name, p.resolution?.mirror ?? null);
  for (const r of repos) mirrors.set(repoLabel(r.entry), r.resolution?.mirror ?? null);
  const notes: Record<string, string> = {};
  for (const row of rows) {
    const note = await rewriteNote(ctx, mirrors.get(row.name) ?? null, row);
    if (note) notes[row.name] = note;
  }
  const vanished = [...plugins.flatMap((p) => (p.vanished ? [p.vanished] : [])), ...repos.flatMap((r) => (r.vanished ? [r.vanished] : []))];
  return { lock, rows, notes, vanished };
}

/** One line per vanished ref, with its successors and where to change it. */
export function renderVanished(v: readonly VanishedRef[]): string[] {
  return v.map((x) => {
    const next = x.successors.length ? `successors: ${x.successors.join(", ")}` : "no successor found (no X-eol tag or unmaintained/X branch)";
    return `${x.name}: ref ${x.ref} vanished from ${x.url}; kept the locked ${shortSha(x.lockedCommit)} (still in the cache). ${next}. Change ${x.where}`;
  });
}

/** A FetchError naming every vanished ref, for callers that must fail. */
export function vanishedError(v: readonly VanishedRef[]): FetchError {
  return new FetchError(
    `${v.length} locked ref${v.length === 1 ? "" : "s"} vanished upstream:\n${renderVanished(v)
      .map((l) => `  - ${l}`)
      .join("\n")}`,
    v[0]?.url ?? "",
    v[0]?.ref,
    "OpenStack retires stable/X as the tag X-eol or the branch unmaintained/X: point the REF at one of the successors, then run `plugstack lock`",
  );
}

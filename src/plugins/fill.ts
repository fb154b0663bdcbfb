// `plugstack fetch`: fill the cache with every commit the lock names
// ([[plugin]] and [[repo]] entries), each pinned in its mirror, one remote
// per task, ctx.jobs at a time. Retries and timeouts are the cache's
// (PLUGSTACK_GIT_RETRIES, PLUGSTACK_GIT_TIMEOUT). Offline, nothing is fetched:
// every missing entry is named in one error.
import type { Ctx } from "../context.ts";
import { locationOf } from "../util/git-url.ts";
import { combine, pool } from "../util/pool.ts";
import { type CacheCtx, findMirror, hasCommit, type Mirror, sweepMirrorLocks } from "./cache.ts";
import { type FetchProgress, progressLine } from "./fetch.ts";
import { shortSha } from "./git.ts";
import { BASE_LABEL, BASE_NAME, isRepoLabel, type Lock, repoLabel } from "./lockfile.ts";
import { type CacheMissInfo, isCacheMiss, offlineError, resolveCommit } from "./resolve.ts";

export type FillCtx = Pick<Ctx, "env" | "offline" | "cacheDir" | "log" | "jobs"> & Pick<CacheCtx, "clock">;

/** One commit the lock needs in the cache. */
export interface LockTarget {
  /** plugin name, or "<repo> (git_clone by <plugin>)" */
  label: string;
  kind: "plugin" | "repo" | "base";
  /** as written in the lock */
  url: string;
  /** what the mirror is keyed by: the URL, or the absolute path of a local repo */
  location: string;
  ref: string;
  commit: string;
  /** for repos: the plugin that cloned it */
  requestedBy?: string;
}

export interface FillResult extends LockTarget {
  /** already in the cache, or fetched now */
  status: "cached" | "fetched";
  mirror: Mirror;
}

/** A [[repo]] entry in progress lines and messages: its label with the repo's short name. */
function shortRepoLabel(url: string, requestedBy: string): string {
  return repoLabel(
    { url, requested_by: requestedBy },
    url
      .replace(/\/+$/, "")
      .replace(/\.git$/, "")
      .split(/[/:]/)
      .pop() || url,
  );
}

/** Every pinned commit of the lock (plain directories have none), relative paths taken from `baseDir`. */
export function lockTargets(lock: Lock, baseDir: string): LockTarget[] {
  const where = (url: string) => locationOf(url, baseDir);
  const out: LockTarget[] = [];
  if (lock.base)
    out.push({ label: BASE_LABEL, kind: "base", url: lock.base.url, location: where(lock.base.url), ref: lock.base.ref, commit: lock.base.commit });
  for (const p of lock.plugins) {
    if (p.commit) out.push({ label: p.name, kind: "plugin", url: p.url, location: where(p.url), ref: p.ref, commit: p.commit });
  }
  for (const r of lock.repos) {
    out.push({
      label: shortRepoLabel(r.url, r.requested_by),
      kind: "repo",
      url: r.url,
      location: where(r.url),
      ref: r.ref,
      commit: r.commit,
      requestedBy: r.requested_by,
    });
  }
  return out;
}

/** Whether the cache already holds each target's commit (what a dry run of fetch or bundle create lists). */
export interface CacheStatusRow {
  name: string;
  kind: LockTarget["kind"];
  url: string;
  ref: string;
  commit: string;
  status: "cached" | "missing";
}

export async function cacheStatus(ctx: Pick<Ctx, "env" | "cacheDir" | "offline">, targets: readonly LockTarget[]): Promise<CacheStatusRow[]> {
  const rows: CacheStatusRow[] = [];
  for (const t of targets) {
    const mirror = findMirror(ctx.cacheDir, t.location);
    rows.push({
      name: t.label,
      kind: t.kind,
      url: t.url,
      ref: t.ref,
      commit: t.commit,
      status: mirror && (await hasCommit(ctx, mirror, t.commit)) ? "cached" : "missing",
    });
  }
  return rows;
}

/** Targets grouped by mirror, so each remote is fetched by one task. */
function byLocation(targets: readonly LockTarget[]): LockTarget[][] {
  const groups = new Map<string, LockTarget[]>();
  for (const t of targets) groups.set(t.location, [...(groups.get(t.location) ?? []), t]);
  return [...groups.values()];
}

async function fillOne(ctx: FillCtx, t: LockTarget, emit: (state: FetchProgress["state"], detail?: string) => void): Promise<FillResult | CacheMissInfo> {
  const before = findMirror(ctx.cacheDir, t.location);
  const had = before ? await hasCommit(ctx, before, t.commit) : false;
  const r = await resolveCommit(
    ctx,
    {
      label: t.label,
      location: t.location,
      ref: t.ref,
      refGiven: true,
      lockedCommit: t.commit,
      updateCommand: `plugstack lock --update${t.kind === "plugin" ? ` ${t.label}` : t.kind === "base" ? ` ${BASE_NAME}` : t.requestedBy ? ` ${t.requestedBy}` : ""}`,
      refSource:
        t.kind === "plugin" ? `the REF of enable_plugin ${t.label}` : t.kind === "base" ? "the REF of PLUGSTACK_BASE" : `the ref passed to git_clone ${t.url}`,
    },
    emit,
  );
  if (isCacheMiss(r)) {
    emit("failed", `${shortSha(t.commit)} not in the cache (offline)`);
    return r;
  }
  emit("done", `${shortSha(t.commit)} ${had ? "cached" : "fetched"} (${t.ref})`);
  return { ...t, status: had ? "cached" : "fetched", mirror: r.mirror };
}

/** Make every target present and pinned in the cache. Throws one error naming every failure (offline: every miss). */
export async function fillCache(ctx: FillCtx, targets: readonly LockTarget[], opts: { onProgress?: (e: FetchProgress) => void } = {}): Promise<FillResult[]> {
  const emitFor = (t: LockTarget) => (state: FetchProgress["state"], detail?: string) => opts.onProgress?.({ plugin: t.label, state, detail });
  sweepMirrorLocks(ctx.cacheDir);
  for (const t of targets) emitFor(t)("queued");
  const groups = byLocation(targets);
  const settled = await pool(groups, ctx.jobs, async (group) => {
    const out: (FillResult | CacheMissInfo)[] = [];
    const errors: unknown[] = [];
    for (const t of group) {
      try {
        out.push(await fillOne(ctx, t, emitFor(t)));
      } catch (e) {
        emitFor(t)("failed", progressLine(e));
        errors.push(e);
      }
    }
    return { out, errors };
  });
  const results: FillResult[] = [];
  const misses: CacheMissInfo[] = [];
  const errors: unknown[] = [];
  for (const s of settled) {
    if (s.status === "rejected") {
      errors.push(s.reason);
      continue;
    }
    errors.push(...s.value.errors);
    for (const r of s.value.out) {
      if (isCacheMiss(r)) misses.push(r);
      else results.push(r);
    }
  }
  if (misses.length) errors.unshift(offlineError(misses, misses.every((m) => !isRepoLabel(m.name)) ? "plugin" : "item"));
  if (errors.length) throw combine(errors);
  return results;
}

// One git location + ref -> one commit, served from the cache: the locked
// commit when there is one (fetched again, or by SHA, if the mirror lacks it),
// else the ref resolved after updating the mirror; offline only the cache.
// Shared by plugins (fetch.ts) and the repos plugins clone (clone-repo.ts).
import type { Ctx } from "../context.ts";
import { FetchError } from "../errors.ts";
import { isFullSha } from "../util/sha.ts";
import {
  cacheMiss,
  ensureMirror,
  fetchCommit,
  hasCommit,
  hasNamedRef,
  listRefNames,
  type Mirror,
  pinCommit,
  readableMirror,
  resolveDefaultBranch,
  resolveRef,
  suggestSuccessors,
} from "./cache.ts";
import { isLocalUrl, shortSha } from "./git.ts";

export type ResolveCtx = Pick<Ctx, "env" | "offline" | "cacheDir" | "log">;

export interface CommitQuery {
  /** who asks, for messages: a plugin name */
  label: string;
  /** URL, or absolute path of a local repo */
  location: string;
  ref: string;
  /** false: when ref is "master" and there is none, use the remote's default branch */
  refGiven: boolean;
  /** commit from the lock, used while it is available */
  lockedCommit?: string;
  /** the command that re-resolves this entry, for messages */
  updateCommand: string;
  /** where the ref is written, for messages: "the REF of enable_plugin heat" */
  refSource: string;
}

export interface CommitResolution {
  commit: string;
  /** the ref actually used (the default branch after a fallback) */
  resolvedRef: string;
  mirror: Mirror;
  fromLock: boolean;
  notice?: string;
}

/** What the offline cache lacks. */
export interface CacheMissInfo {
  miss: true;
  name: string;
  url: string;
  ref: string;
  commit?: string;
}

export function isCacheMiss(x: unknown): x is CacheMissInfo {
  return typeof x === "object" && x !== null && (x as CacheMissInfo).miss === true;
}

export type ProgressEmit = (state: "fetching" | "resolving", detail?: string) => void;

async function refNotFound(ctx: ResolveCtx, q: CommitQuery, mirror: Mirror): Promise<FetchError> {
  const names = await listRefNames(ctx, mirror);
  const next = suggestSuccessors(q.ref, names);
  const hint = next.length
    ? `it may have been retired upstream; candidates: ${next.join(", ")}. Change ${q.refSource}`
    : `branches there: ${names.branches.slice(0, 8).join(", ") || "(none)"}; fix ${q.refSource}`;
  return new FetchError(`${q.label}: ref ${q.ref} not found in ${q.location}`, q.location, q.ref, hint);
}

/** Resolve `q` to a commit in its mirror (creating/updating the mirror when online), pinned there. */
export async function resolveCommit(ctx: ResolveCtx, q: CommitQuery, emit: ProgressEmit = () => {}): Promise<CommitResolution | CacheMissInfo> {
  const canFetch = !ctx.offline || isLocalUrl(q.location);
  const miss = (commit?: string): CacheMissInfo => ({ miss: true, name: q.label, url: q.location, ref: q.ref, commit });
  const extraRefs = q.ref.startsWith("refs/") ? [q.ref] : [];
  emit("fetching", q.location);
  if (!canFetch && !readableMirror(ctx, q.location)) return miss(q.lockedCommit);

  if (q.lockedCommit) {
    let mirror = await ensureMirror(ctx, q.location);
    if (!(await hasCommit(ctx, mirror, q.lockedCommit)) && canFetch) {
      mirror = await ensureMirror(ctx, q.location, { update: true, extraRefs });
      await fetchCommit(ctx, mirror, q.lockedCommit);
    }
    if (!(await hasCommit(ctx, mirror, q.lockedCommit))) {
      if (!canFetch) return miss(q.lockedCommit);
      throw new FetchError(
        `${q.label}: locked commit ${q.lockedCommit} is neither upstream (${q.location}) nor in the cache`,
        q.location,
        q.ref,
        `the history was rewritten upstream; run \`${q.updateCommand}\` to lock the current ${q.ref}`,
      );
    }
    emit("resolving", `${shortSha(q.lockedCommit)} from the lock`);
    const fellBack = !q.refGiven && !hasNamedRef(mirror, q.ref) && !(await resolveRef(ctx, mirror, q.ref));
    const resolvedRef = fellBack ? ((await resolveDefaultBranch(ctx, mirror, { ask: false })) ?? q.ref) : q.ref;
    pinCommit(mirror, q.lockedCommit);
    return { commit: q.lockedCommit, resolvedRef, mirror, fromLock: true };
  }

  // a mirror cloned now holds the remote's default branch as its HEAD (clone
  // records it), so finding that branch needs no second connection
  const cloned = canFetch && !readableMirror(ctx, q.location);
  const mirror = await ensureMirror(ctx, q.location, { update: canFetch, extraRefs: canFetch ? extraRefs : [] });
  emit("resolving", q.ref);
  let found = await resolveRef(ctx, mirror, q.ref);
  let resolvedRef = q.ref;
  let notice: string | undefined;
  if (!found && q.ref === "master" && !q.refGiven) {
    const def = await resolveDefaultBranch(ctx, mirror, { ask: canFetch && !cloned });
    if (def && def !== "master") {
      found = await resolveRef(ctx, mirror, def);
      resolvedRef = def;
      notice = `${q.label}: ${q.location} has no master branch; using its default branch ${def}`;
      ctx.log.info(notice);
    }
  }
  if (!found && isFullSha(q.ref) && canFetch && (await fetchCommit(ctx, mirror, q.ref))) {
    found = { commit: q.ref, kind: "sha" };
  }
  if (!found) {
    if (!canFetch) return miss();
    throw await refNotFound(ctx, q, mirror);
  }
  pinCommit(mirror, found.commit); // what gets locked stays in the cache, whatever upstream does
  return { commit: found.commit, resolvedRef, mirror, fromLock: false, notice };
}

/** One error naming everything the offline cache lacks, and the command that fetches it. */
export function offlineError(misses: readonly CacheMissInfo[], noun = "plugin"): FetchError {
  const lines = misses.map((m) => `  - ${m.name}: ${m.url} ${m.ref}${m.commit ? ` (locked commit ${m.commit})` : ""}`);
  const first = cacheMiss(misses[0]!.url, misses[0]!.ref);
  return new FetchError(
    `not in the cache (offline), ${misses.length} ${noun}${misses.length === 1 ? "" : "s"}:\n${lines.join("\n")}`,
    first.url,
    first.ref,
    "on a connected machine run `plugstack fetch` (same local.conf and lock) to fill the cache, then copy it over with `plugstack bundle create FILE` / `plugstack bundle import FILE`",
  );
}

// git_clone for plugins (DevStack semantics, served from the cache): an
// existing directory is kept as it is unless RECLONE; a missing one is an
// error under ERROR_ON_CLONE, else cloned at the branch, tag, SHA or refs/...
// given. The commit comes from the lock's [[repo]] entry when there is one;
// offline, only the cache is used. Returns the commit for the lock.
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Ctx } from "../context.ts";
import { CheckoutError, FetchError } from "../errors.ts";
import { locationOf } from "../util/git-url.ts";
import { type CheckoutStatus, checkoutCommit } from "./checkout.ts";
import { headCommit, shortSha } from "./git.ts";
import { type Lock, type LockedRepo, lockedRepoFor } from "./lockfile.ts";
import { isCacheMiss, offlineError, resolveCommit } from "./resolve.ts";
import { validatePluginUrl, validateRef } from "./spec.ts";

export type CloneRepoCtx = Pick<Ctx, "env" | "offline" | "cacheDir" | "log" | "cwd">;

export interface CloneRepoRequest {
  url: string;
  /** target directory (relative to ctx.cwd) */
  dir: string;
  /** branch, tag, SHA or refs/...; empty means the remote's default branch */
  ref: string;
  /** the plugin whose hook called git_clone (PLUGSTACK_PLUGIN) */
  plugin: string;
  reclone?: boolean;
  errorOnClone?: boolean;
  gitDepth?: number;
  force?: boolean;
  lock?: Lock | null;
}

export interface CloneRepoResult {
  dir: string;
  /** HEAD of the directory afterwards */
  commit: string;
  status: CheckoutStatus | "kept";
  fromLock: boolean;
  /** the [[repo]] lock entry for what is checked out */
  entry: LockedRepo;
  message?: string;
}

function isPopulated(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/** DevStack's git_clone, from the cache. */
export async function cloneRepo(ctx: CloneRepoCtx, req: CloneRepoRequest): Promise<CloneRepoResult> {
  const who = req.plugin ? `git_clone from plugin ${req.plugin}` : "git_clone";
  const badUrl = validatePluginUrl(req.url);
  if (badUrl) throw new FetchError(`${who}: ${badUrl}`, req.url, req.ref);
  const badRef = req.ref ? validateRef(req.ref) : null;
  if (badRef) throw new FetchError(`${who}: ${badRef}`, req.url, req.ref);
  const dir = resolve(ctx.cwd, req.dir);
  const location = locationOf(req.url, ctx.cwd);
  const ref = req.ref || "master";
  const entryFor = (commit: string): LockedRepo => ({ url: req.url, ref, commit, requested_by: req.plugin });

  if (isPopulated(dir) && !req.reclone) {
    const head = await headCommit(ctx, dir);
    // DevStack's git_clone leaves any existing directory alone; one that is
    // not a git checkout has no commit to pin
    if (!head)
      return { dir, commit: "", status: "kept", fromLock: false, entry: entryFor(""), message: `${dir} exists and is not a git checkout: kept as it is` };
    return {
      dir,
      commit: head,
      status: "kept",
      fromLock: false,
      entry: entryFor(head),
      message: `${dir} exists: kept at ${shortSha(head)} (RECLONE=yes updates it)`,
    };
  }
  if (!isPopulated(dir) && req.errorOnClone) {
    throw new CheckoutError(
      `${who}: ${dir} does not exist, and ERROR_ON_CLONE=True forbids cloning ${req.url}`,
      "in a gate job, add the project to the job's required-projects; otherwise set ERROR_ON_CLONE=False",
    );
  }

  const locked = lockedRepoFor(req.lock ?? null, { url: req.url, ref, requested_by: req.plugin });
  const r = await resolveCommit(ctx, {
    label: who,
    location,
    ref,
    refGiven: !!req.ref,
    lockedCommit: locked?.commit,
    updateCommand: "plugstack lock --update",
    refSource: `the ref passed to git_clone ${req.url}`,
  });
  if (isCacheMiss(r)) throw offlineError([r], "repo");
  const c = await checkoutCommit(ctx, {
    name: who,
    dir,
    mirror: r.mirror,
    upstreamUrl: location,
    commit: r.commit,
    force: req.force,
    reclone: req.reclone,
    errorOnClone: req.errorOnClone,
    gitDepth: req.gitDepth,
  });
  const commit = c.head ?? r.commit;
  if (c.status === "kept-dirty" && c.message) ctx.log.warn(`${who}: ${c.message}`);
  return {
    dir,
    commit,
    status: c.status,
    fromLock: r.fromLock,
    entry: entryFor(commit),
    message: [r.notice, c.message].filter(Boolean).join("; ") || undefined,
  };
}

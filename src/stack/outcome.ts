// What a run leaves behind, shared by the plugin-only runs and the base
// layer's: the repos git_clone reported (for the lock), the plugins recorded
// in state.json, and which checkouts clean may remove.
import { existsSync, lstatSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Ctx } from "../context.ts";
import type { ResolvedPlugin } from "../plugins/fetch.ts";
import { gitSucceeds, headCommit, tryGit } from "../plugins/git.ts";
import { diffLocks, type Lock, type LockDiffRow, type Lockfile, lockFromPlugins, renderLock, writeLock } from "../plugins/lockfile.ts";
import type { ShellEvent } from "./shell.ts";
import { type StackState, type StatePlugin, statePath } from "./state.ts";
import { redact, stripCredentials } from "../util/redact.ts";

/** repo lines the git_clone callback wrote: repo URL REF COMMIT PLUGIN DIR */
export function reposFromEvents(events: ShellEvent[]): Lockfile["repos"] {
  return events
    .filter((e) => e.type === "repo")
    .map((e) => ({ url: e.fields[0] ?? "", ref: e.fields[1] ?? "", commit: e.fields[2] ?? "", requested_by: e.fields[3] ?? "" }));
}

/** Repos found in this run replace the lock's entries of the same url and ref. */
export function mergeRepos(old: Lockfile["repos"], found: Lockfile["repos"]): Lockfile["repos"] {
  const key = (r: Lockfile["repos"][number]) => `${stripCredentials(r.url)}\0${r.ref}`;
  const byKey = new Map(old.map((r) => [key(r), r]));
  for (const r of found) if (r.commit) byKey.set(key(r), r);
  return [...byKey.values()];
}

export function statePlugins(plugins: ResolvedPlugin[]): StatePlugin[] {
  return plugins.map((p) => ({ name: p.name, url: redact(p.url), ref: p.resolvedRef, commit: p.commit, dir: p.dir, source: p.source, ...(p.base ? { base: true } : {}) }));
}

/** A checkout exactly as plugstack left it (at `commit`, nothing changed or added), or a link to a local directory. */
export async function isUntouchedCheckout(ctx: Ctx, dir: string, commit: string | null): Promise<boolean> {
  if (!existsSync(dir)) return false;
  if (lstatSync(dir).isSymbolicLink()) return true; // a link to a local plugin directory: only the link goes
  if (!commit) return false;
  if ((await headCommit(ctx, dir)) !== commit) return false;
  if (!(await gitSucceeds(ctx, ["diff", "--quiet", "HEAD"], { cwd: dir }))) return false;
  const untracked = await tryGit(ctx, ["status", "--porcelain"], { cwd: dir });
  return untracked.exitCode === 0 && untracked.stdout.trim() === "";
}

/**
 * The lock a stack run writes (never under --locked): its plugins (and base)
 * with the given [[repo]] entries, those of plugins no longer enabled dropped,
 * as `lock` drops them. Written only when it changed; `changes` collects
 * every row that moved over the run.
 */
export function lockWriter(lockPath: string, lock: Lock | null, fetched: readonly ResolvedPlugin[], locked: boolean) {
  const enabled = new Set(fetched.map((p) => p.name));
  let current = lock;
  const changes: LockDiffRow[] = [];
  return {
    write(repos: Lockfile["repos"]): void {
      if (locked) return;
      const next = lockFromPlugins(fetched, repos.filter((r) => enabled.has(r.requested_by)));
      if (!current || renderLock(current) !== renderLock(next)) {
        changes.push(...diffLocks(current, next));
        writeLock(lockPath, next);
        current = next;
      }
    },
    /** the lock as written last (the one read when nothing changed) */
    current: () => current,
    changes,
  };
}

/**
 * After a clean that succeeded: `logs` and `status`, when plugstack's runs
 * made them, go with everything in them (clean.sh removes LOGDIR and
 * $DEST/status: the runs' logs, run_process's service logs and pid files),
 * then each other directory plugstack's runs made under DEST, if it is empty.
 * Anything else stays (DEST itself too: it holds the run lock).
 */
function removeCreatedDirs(dest: string, state: StackState | null): string[] {
  const removed: string[] = [];
  for (const name of ["logs", "status"]) {
    if (!state?.created?.includes(name) || !existsSync(join(dest, name))) continue;
    rmSync(join(dest, name), { recursive: true, force: true });
    removed.push(join(dest, name));
  }
  const tryRmdir = (dir: string) => {
    try {
      rmdirSync(dir);
      removed.push(dir);
    } catch {
      // not empty (or gone): kept
    }
  };
  for (const name of state?.created ?? []) tryRmdir(join(dest, name));
  return removed;
}

/**
 * clean, after the clean hooks succeeded: the plugin checkouts exactly as
 * plugstack left them (others are kept, with a message), everything under
 * $DEST/.plugstack but `keep`, then the directories its runs made
 * (removeCreatedDirs). Returns what went.
 */
export async function removeWhatPlugstackMade(ctx: Ctx, dest: string, plugins: readonly ResolvedPlugin[], state: StackState | null, keep: readonly string[] = []): Promise<string[]> {
  const removed: string[] = [];
  for (const p of plugins) {
    const recorded = state?.plugins.find((s) => s.name === p.name);
    if (await isUntouchedCheckout(ctx, p.dir, recorded?.commit ?? null)) {
      rmSync(p.dir, { recursive: true, force: true });
      removed.push(p.dir);
    } else if (existsSync(p.dir)) ctx.log.info(`kept ${p.dir}: it has local changes or is not plugstack's checkout`);
  }
  // `keep` (the $FILES download cache) stays when it holds something; an
  // empty one goes, and so does $DEST/.plugstack when nothing is left in it
  const own = dirname(statePath(dest));
  const holdsSomething = (path: string) => {
    try {
      return readdirSync(path).length > 0;
    } catch {
      return false;
    }
  };
  for (const entry of existsSync(own) ? readdirSync(own) : []) {
    const path = join(own, entry);
    if (keep.includes(path) && holdsSomething(path)) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  if (existsSync(own) && !holdsSomething(own)) rmSync(own, { recursive: true, force: true });
  removed.push(...removeCreatedDirs(dest, state));
  return removed;
}

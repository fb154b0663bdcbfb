// What a run leaves behind, shared by the plugin-only runs and the base
// layer's: the repos git_clone reported (for the lock rule), the plugins recorded
// in state.json, and which checkouts clean may remove.
import { existsSync, lstatSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Ctx } from "../context.ts";
import type { ResolvedPlugin } from "../plugins/fetch.ts";
import { gitSucceeds, headCommit, tryGit } from "../plugins/git.ts";
import type { Lockfile } from "../plugins/lockfile.ts";
import { redact } from "../util/redact.ts";
import type { ShellEvent } from "./shell.ts";
import { type StackState, type StatePlugin, statePath } from "./state.ts";

/** repo lines the git_clone callback wrote: repo URL REF COMMIT PLUGIN DIR */
export function reposFromEvents(events: ShellEvent[]): Lockfile["repos"] {
  return events
    .filter((e) => e.type === "repo")
    .map((e) => ({ url: e.fields[0] ?? "", ref: e.fields[1] ?? "", commit: e.fields[2] ?? "", requested_by: e.fields[3] ?? "" }));
}

export function statePlugins(plugins: ResolvedPlugin[]): StatePlugin[] {
  return plugins.map((p) => ({
    name: p.name,
    url: redact(p.url),
    ref: p.resolvedRef,
    commit: p.commit,
    dir: p.dir,
    source: p.source,
    ...(p.base ? { base: true } : {}),
  }));
}

/** A checkout exactly as plugstack left it (at `commit`, nothing changed or added), or a link to a local directory. */
async function isUntouchedCheckout(ctx: Ctx, dir: string, commit: string | null): Promise<boolean> {
  if (!existsSync(dir)) return false;
  if (lstatSync(dir).isSymbolicLink()) return true; // a link to a local plugin directory: only the link goes
  if (!commit) return false;
  if ((await headCommit(ctx, dir)) !== commit) return false;
  if (!(await gitSucceeds(ctx, ["diff", "--quiet", "HEAD"], { cwd: dir }))) return false;
  const untracked = await tryGit(ctx, ["status", "--porcelain"], { cwd: dir });
  return untracked.exitCode === 0 && untracked.stdout.trim() === "";
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
export async function removeWhatPlugstackMade(
  ctx: Ctx,
  dest: string,
  plugins: readonly ResolvedPlugin[],
  state: StackState | null,
  keep: readonly string[] = [],
): Promise<string[]> {
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

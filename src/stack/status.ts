// What is stacked: the last runs from state.json and how each checkout
// compares with what was stacked and with the lock.
import { existsSync, lstatSync } from "node:fs";
import type { Ctx } from "../context.ts";
import { gitSucceeds, headCommit, shortSha, tryGit } from "../plugins/git.ts";
import { checkLocked, loadLock, lockedPluginOf } from "../plugins/lockfile.ts";
import { DEFAULT_DEST } from "./dest.ts";
import { lockSpecs, prepareConfig } from "./prepare.ts";
import { loadState, type StackState } from "./state.ts";

export interface PluginStatus {
  name: string;
  dir: string;
  /** commit recorded by the last stack */
  stacked: string | null;
  /** commit in local.conf.lock */
  locked: string | null;
  /** commit checked out now */
  head: string | null;
  dirty: boolean;
  missing: boolean;
  drift: string[];
}

export interface StatusReport {
  dest: string;
  state: StackState | null;
  plugins: PluginStatus[];
  /** plugins in local.conf that were never stacked */
  notStacked: string[];
  /** local.conf.lock, when there is a config */
  lockPath: string | null;
  /** differences between local.conf and its lock (url, ref, plugins missing on either side); none without a lock */
  lockDrift: string[];
  /** any drift at all: a checkout's, or the lock's from the config (status exits 1) */
  drifted: boolean;
}

export async function collectStatus(ctx: Ctx, opts: { configPath: string; destFlag?: string; baseFlag?: string }): Promise<StatusReport> {
  let dest = opts.destFlag;
  let configured: string[] = [];
  let lockPath: string | undefined;
  let specs: { name: string; url: string; ref: string; base?: boolean }[] | null = null;
  if (existsSync(opts.configPath)) {
    const prep = await prepareConfig(ctx, { ...opts, order: "declared" });
    dest = dest ?? prep.dest;
    specs = lockSpecs(prep);
    configured = specs.map((s) => s.name);
    lockPath = prep.lockPath;
  }
  dest = dest ?? DEFAULT_DEST;
  const state = loadState(dest);
  const lock = lockPath ? loadLock(lockPath) : null;
  const lockDrift = specs && lock ? checkLocked(lock, specs) : [];
  const plugins: PluginStatus[] = [];
  for (const p of state?.plugins ?? []) {
    const missing = !existsSync(p.dir);
    const isLink = !missing && lstatSync(p.dir).isSymbolicLink();
    const head = missing || isLink ? null : await headCommit(ctx, p.dir);
    const dirty = !missing && !isLink && !(await isClean(ctx, p.dir));
    const entry = lockedPluginOf(lock, p.name, p.base);
    const locked = entry?.commit ?? null;
    const drift: string[] = [];
    if (missing) drift.push("checkout missing");
    if (p.commit && head && head !== p.commit) drift.push(`checkout moved ${shortSha(p.commit)} -> ${shortSha(head)}`);
    if (dirty) drift.push("local changes");
    if (locked && p.commit && locked !== p.commit) drift.push(`lock says ${shortSha(locked)}, stacked ${shortSha(p.commit)}`);
    if (lockPath && lock && !entry) drift.push("not in the lock");
    plugins.push({ name: p.name, dir: p.dir, stacked: p.commit, locked, head, dirty, missing, drift });
  }
  const stacked = new Set(plugins.map((p) => p.name));
  const drifted = plugins.some((p) => p.drift.length > 0) || lockDrift.length > 0;
  return { dest, state, plugins, notStacked: configured.filter((n) => !stacked.has(n)), lockPath: lockPath ?? null, lockDrift, drifted };
}

async function isClean(ctx: Ctx, dir: string): Promise<boolean> {
  if (!(await gitSucceeds(ctx, ["diff", "--quiet", "HEAD"], { cwd: dir }))) return false;
  const r = await tryGit(ctx, ["status", "--porcelain"], { cwd: dir });
  return r.exitCode === 0 && r.stdout.trim() === "";
}

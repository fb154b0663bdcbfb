// `plugstack verify`: does this machine hold what the lock says? The config
// matches the lock; every locked commit is in the cache and pinned there
// (`--full`: `git fsck` of each mirror too); each checkout under $DEST is at
// its locked commit with a clean tree. Reads only: no network, no writes.
import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { findMirror, hasCommit, type Mirror, pinRef } from "./cache.ts";
import { type LockTarget, lockTargets } from "./fill.ts";
import { headCommit, shortSha, tryGit } from "./git.ts";
import { BASE_LABEL, BASE_NAME, checkLocked, type Lock } from "./lockfile.ts";
import type { PluginSpec } from "./spec.ts";

export type VerifyCtx = Pick<Ctx, "env" | "offline" | "cacheDir">;

export type CheckState = "ok" | "drift" | "absent";

export interface CheckLine {
  /** plugin name or repo label */
  name: string;
  kind: "plugin" | "repo" | "base";
  commit: string | null;
  status: CheckState;
  detail: string;
  /** the checkout checked (checkouts only) */
  dir?: string;
}

export interface VerifyReport {
  /** differences between the config and the lock */
  lockDrift: string[];
  cache: CheckLine[];
  checkouts: CheckLine[];
  ok: boolean;
}

export interface VerifyOptions {
  lock: Lock;
  /** the config's plugins, to compare with the lock (omit to skip) */
  specs?: readonly Pick<PluginSpec, "name" | "url" | "ref">[];
  dest: string;
  baseDir: string;
  /** git fsck every mirror */
  full?: boolean;
}

async function checkCached(ctx: VerifyCtx, t: LockTarget): Promise<CheckLine> {
  const line = (state: CheckState, detail: string): CheckLine => ({ name: t.label, kind: t.kind, commit: t.commit, status: state, detail });
  const mirror = findMirror(ctx.cacheDir, t.location);
  if (!mirror) return line("drift", `no mirror of ${t.url} in the cache`);
  if (!(await hasCommit(ctx, mirror, t.commit))) return line("drift", `commit ${t.commit} is not in the mirror ${mirror.path}`);
  const pin = await tryGit(ctx, ["rev-parse", "--verify", "--quiet", pinRef(t.commit)], { cwd: mirror.path });
  if (pin.stdout.trim() !== t.commit)
    return line("drift", `commit ${shortSha(t.commit)} is in the cache but not pinned (git gc could drop it); \`plugstack fetch\` pins it`);
  return line("ok", `${shortSha(t.commit)} cached and pinned`);
}

async function fsck(ctx: VerifyCtx, mirror: Mirror): Promise<string | null> {
  const r = await tryGit(ctx, ["fsck", "--no-progress", "--no-dangling", "--full"], { cwd: mirror.path });
  return r.exitCode === 0 ? null : (r.stderr.trim() || r.stdout.trim()).split("\n").slice(0, 5).join("; ");
}

/** Tracked changes and untracked (not ignored) files, as porcelain lines. */
async function changes(ctx: VerifyCtx, dir: string): Promise<string[]> {
  const r = await tryGit(ctx, ["status", "--porcelain", "--ignore-submodules=all"], { cwd: dir });
  return r.exitCode === 0 ? r.stdout.split("\n").filter(Boolean) : ["(git status failed)"];
}

async function checkCheckout(ctx: VerifyCtx, name: string, kind: CheckLine["kind"], dir: string, commit: string | null): Promise<CheckLine> {
  const line = (state: CheckState, detail: string): CheckLine => ({ name, kind, commit, status: state, detail, dir });
  let isLink = false;
  try {
    isLink = lstatSync(dir).isSymbolicLink();
  } catch {
    return line("absent", `not checked out at ${dir} (stack creates it)`);
  }
  if (!commit) return line("ok", isLink ? `local directory, linked to ${readlinkSync(dir)}` : "local directory (not pinned)");
  if (isLink) return line("drift", `${dir} is a symlink to ${readlinkSync(dir)}, the lock says commit ${shortSha(commit)}`);
  const head = await headCommit(ctx, dir);
  if (!head) return line("drift", `${dir} is not a git checkout with a commit`);
  const dirty = await changes(ctx, dir);
  const problems: string[] = [];
  if (head !== commit) problems.push(`at ${shortSha(head)}, the lock says ${shortSha(commit)}`);
  if (dirty.length)
    problems.push(
      `not clean: ${dirty
        .slice(0, 3)
        .map((l) => l.slice(3))
        .join(", ")}${dirty.length > 3 ? ` and ${dirty.length - 3} more` : ""}`,
    );
  return problems.length ? line("drift", problems.join("; ")) : line("ok", `${shortSha(commit)}, clean`);
}

/** $DEST/<repo name> when it is a checkout of this repo (git_clone's usual target); null otherwise. */
async function repoCheckout(ctx: VerifyCtx, dest: string, t: LockTarget): Promise<string | null> {
  const name = t.url
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .split(/[/:]/)
    .pop();
  if (!name) return null;
  const dir = join(dest, name);
  if (!existsSync(join(dir, ".git"))) return null;
  const origin = await tryGit(ctx, ["config", "--get", "remote.origin.url"], { cwd: dir });
  return origin.stdout.trim() === t.location || origin.stdout.trim() === t.url ? dir : null;
}

/** Check the lock against the config, the cache and the checkouts (see the module comment). */
export async function verifyLock(ctx: VerifyCtx, opts: VerifyOptions): Promise<VerifyReport> {
  const lockDrift = opts.specs ? checkLocked(opts.lock, opts.specs) : [];
  const targets = lockTargets(opts.lock, opts.baseDir);
  const cache: CheckLine[] = [];
  for (const t of targets) cache.push(await checkCached(ctx, t));
  if (opts.full) {
    const seen = new Set<string>();
    for (const t of targets) {
      const mirror = findMirror(ctx.cacheDir, t.location);
      if (!mirror || seen.has(mirror.path)) continue;
      seen.add(mirror.path);
      const bad = await fsck(ctx, mirror);
      cache.push({
        name: `fsck ${t.url}`,
        kind: t.kind,
        commit: null,
        status: bad ? "drift" : "ok",
        detail: bad ? `git fsck failed in ${mirror.path}: ${bad}` : "git fsck clean",
      });
    }
  }
  const checkouts: CheckLine[] = [];
  if (opts.lock.base) checkouts.push(await checkCheckout(ctx, BASE_LABEL, "base", join(opts.dest, BASE_NAME), opts.lock.base.commit));
  for (const p of opts.lock.plugins) checkouts.push(await checkCheckout(ctx, p.name, "plugin", join(opts.dest, p.name), p.commit ?? null));
  for (const t of targets.filter((x) => x.kind === "repo")) {
    const dir = await repoCheckout(ctx, opts.dest, t);
    if (dir) checkouts.push(await checkCheckout(ctx, t.label, "repo", dir, t.commit));
  }
  const ok = lockDrift.length === 0 && [...cache, ...checkouts].every((l) => l.status !== "drift");
  return { lockDrift, cache, checkouts, ok };
}

/** Human-readable report, one line per check. */
export function renderVerifyReport(r: VerifyReport): string[] {
  const out: string[] = [];
  const width = Math.max(8, ...[...r.cache, ...r.checkouts].map((l) => l.name.length));
  const mark = (s: CheckState) => (s === "ok" ? "ok   " : s === "absent" ? "--   " : "DRIFT");
  if (r.lockDrift.length) out.push("config vs lock:", ...r.lockDrift.map((d) => `  DRIFT ${d}`));
  out.push("cache:");
  if (!r.cache.length) out.push("  (the lock pins no commit)");
  for (const l of r.cache) out.push(`  ${mark(l.status)} ${l.name.padEnd(width)}  ${l.detail}`);
  out.push("checkouts:");
  for (const l of r.checkouts) out.push(`  ${mark(l.status)} ${l.name.padEnd(width)}  ${l.detail}`);
  return out;
}

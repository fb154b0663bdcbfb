// A cross-process lock file (Bun has no flock): created with O_EXCL, holding
// pid, host and command. A lock whose pid is dead on this host is stale and
// broken; otherwise the second process waits, says who holds it, and gives
// up after a timeout.
import { closeSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { PlugstackError } from "../errors.ts";
import { type Clock, realClock, renderDuration } from "../util/clock.ts";
import { pidAlive } from "../util/processes.ts";
import { redact } from "../util/redact.ts";

export { pidAlive };

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface FileLockOptions {
  /** what the lock protects, for messages (e.g. "the cache mirror of https://...") */
  what: string;
  /** give up after this long (default 10 minutes); 0 means do not wait, as noWait */
  timeoutMs?: number;
  pollMs?: number;
  /** time for waiting and the timeout (real time by default) */
  clock?: Clock;
  /** called once when we start waiting, with the holder (null if unreadable) */
  onWait?: (holder: LockHolder | null) => void;
  /** command recorded in the lock (default: this process's argv) */
  command?: string;
  /** fail at once when another live process holds the lock */
  noWait?: boolean;
  /** the hint of that failure */
  noWaitHint?: string;
}

const held = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const path of held) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  });
}

export function readLockHolder(path: string): LockHolder | null {
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    if (typeof data.pid !== "number" || typeof data.host !== "string") return null;
    return { pid: data.pid, host: data.host, command: String(data.command ?? "?"), since: String(data.since ?? "?") };
  } catch {
    return null;
  }
}

export function describeHolder(h: LockHolder | null): string {
  return h ? `pid ${h.pid} on ${h.host} (${h.command}, since ${h.since})` : "another process (lock file unreadable)";
}

function tryCreate(path: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Remove a lock left by a dead process on this host. True when it was broken. */
function breakIfStale(path: string, host: string, firstSeenEmpty: { at: number }, clock: Clock): boolean {
  const holder = readLockHolder(path);
  if (holder === null) {
    // being written right now, or garbage: only stale after a grace period
    if (clock.now() - firstSeenEmpty.at < 2000) return false;
  } else if (holder.host !== host || pidAlive(holder.pid)) {
    return false;
  }
  const aside = `${path}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(path, aside); // atomic: only one breaker wins
  } catch {
    return false;
  }
  try {
    unlinkSync(aside);
  } catch {
    // ignore
  }
  return true;
}

/**
 * Remove the lock files in `dir` (names ending in `suffix`) that processes
 * now dead on this host left behind (a SIGKILL leaves its lock). A lock
 * nobody takes again would otherwise stay, though it binds no one.
 */
export function sweepStaleLocks(dir: string, suffix: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const host = hostname();
  for (const name of names) {
    const path = join(dir, name);
    // breakIfStale leaves an unreadable lock (it may be being written) and a live holder's
    if (name.endsWith(suffix)) breakIfStale(path, host, { at: realClock.now() }, realClock);
  }
}

/** Take the lock at `path`; returns its release function. */
export async function acquireFileLock(path: string, opts: FileLockOptions): Promise<() => void> {
  const host = hostname();
  const me: LockHolder = {
    pid: process.pid,
    host,
    command: redact(opts.command ?? process.argv.slice(1).join(" ")),
    since: new Date().toISOString(),
  };
  const clock = opts.clock ?? realClock;
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  const noWait = opts.noWait || timeoutMs <= 0;
  const started = clock.now();
  const emptySince = { at: clock.now() };
  let warned = false;
  for (;;) {
    if (tryCreate(path, me)) break;
    if (breakIfStale(path, host, emptySince, clock)) continue;
    const holder = readLockHolder(path);
    if (holder) emptySince.at = clock.now();
    if (noWait && (holder || clock.now() - started > 2000)) {
      throw new PlugstackError(
        `${opts.what} is in use by ${describeHolder(holder)}`,
        opts.noWaitHint ?? `wait for it to finish; if that process is gone, remove ${path}`,
      );
    }
    if (!warned) {
      warned = true;
      opts.onWait?.(holder);
    }
    if (clock.now() - started > timeoutMs) {
      throw new PlugstackError(
        `timed out after ${renderDuration(timeoutMs)} waiting for ${opts.what}: locked by ${describeHolder(holder)}`,
        `if that process is gone, remove ${path}`,
      );
    }
    await clock.sleep(opts.pollMs ?? 100);
  }
  held.add(path);
  installExitHook();
  return () => {
    held.delete(path);
    const current = readLockHolder(path);
    if (current && current.pid === me.pid && current.since === me.since) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  };
}

/** Run `body` holding the lock at `path`. */
export async function withFileLock<T>(path: string, opts: FileLockOptions, body: () => Promise<T>): Promise<T> {
  const release = await acquireFileLock(path, opts);
  try {
    return await body();
  } finally {
    release();
  }
}

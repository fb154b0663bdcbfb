// Processes plugstack started, and what it is doing now: so that a signal
// stops all of them (CONTRACT 4, issue "signals and children") and the last
// line can say where it stopped. Leaf module: reads /proc, imports nothing
// of the domain.
import { readdirSync, readFileSync } from "node:fs";

/** True when a process with this pid exists on this machine. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The start time of process `pid` (clock ticks after boot), or null where it cannot be read: with the pid, it names one process. */
export function processStartTime(pid: number): string | null {
  return readStat(pid)?.start ?? null;
}

interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  /** field 22, starttime */
  start: string | undefined;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm may hold spaces and parentheses: fields start after the last ")"
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, state: rest[0] ?? "", ppid: Number(rest[1]), pgid: Number(rest[2]), start: rest[19] };
  } catch {
    return null;
  }
}

function allProcesses(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const s = readStat(Number(n));
    if (s && s.state !== "Z") out.push(s);
  }
  return out;
}

const groups = new Set<number>();
let stopping = false;

/** A signal is stopping plugstack (cli/signals.ts): from now on no new child starts (startGroupChild refuses). */
export function markStopping(): void {
  stopping = true;
}

export function isStopping(): boolean {
  return stopping;
}

/**
 * A child that leads its own process group (spawned detached: the stack
 * shell, the localrc evaluation): a signal to plugstack stops that whole
 * group. Returns the function that forgets it.
 */
export function trackGroup(pgid: number): () => void {
  groups.add(pgid);
  return () => groups.delete(pgid);
}

/** The process groups plugstack's detached children lead now. */
export function trackedGroups(): number[] {
  return [...groups];
}

/** Live processes below plugstack: its descendants, and the members of `leaders` (default: the tracked groups). */
function childProcesses(leaders: readonly number[] = trackedGroups()): number[] {
  const procs = allProcesses();
  const byParent = new Map<number, number[]>();
  for (const p of procs) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p.pid]);
  const found = new Set<number>();
  const walk = (pid: number) => {
    for (const c of byParent.get(pid) ?? []) {
      if (found.has(c)) continue;
      found.add(c);
      walk(c);
    }
  };
  walk(process.pid);
  const wanted = new Set(leaders);
  for (const p of procs) if (wanted.has(p.pgid)) found.add(p.pid);
  found.delete(process.pid);
  return [...found];
}

/** Send `signal` to the groups of `leaders` (default: the tracked groups) and every descendant; returns how many were signalled. */
export function signalChildren(signal: NodeJS.Signals, leaders: readonly number[] = trackedGroups()): number {
  let n = 0;
  for (const g of leaders) {
    try {
      process.kill(-g, signal);
      n++;
    } catch {
      // gone already
    }
  }
  for (const pid of childProcesses(leaders)) {
    try {
      process.kill(pid, signal);
      n++;
    } catch {
      // gone already
    }
  }
  return n;
}

/** Wait until no child (nor member of `leaders`' groups) is left (true) or `ms` passed (false). */
export async function childrenGone(ms: number, leaders: readonly number[] = trackedGroups()): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (childProcesses(leaders).length === 0) return true;
    if (Date.now() > deadline) return false;
    await Bun.sleep(50);
  }
}

let activity = "start-up";

/** Say what plugstack is doing now (shown when a signal stops it). */
export function setActivity(what: string): void {
  activity = what;
}

export function currentActivity(): string {
  return activity;
}

const cleanups = new Set<() => void>();
let exitHookInstalled = false;

/**
 * Run `fn` (synchronously) when this process exits, however it exits short
 * of SIGKILL: temp files, staging folders. Returns the function that
 * unregisters it (call it when the normal path cleaned up).
 */
export function onExitCleanup(fn: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const f of [...cleanups]) {
        try {
          f();
        } catch {
          // best effort: the process is ending
        }
      }
    });
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

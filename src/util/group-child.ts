// A child that leads its own process group (the stack shell, the localrc
// evaluation). The caller reads its pipes itself, line by line and capped,
// and learns when the process exits rather than when its pipes close:
// something it started in the background may hold them open long after.
// Started with node:child_process itself, not execa: none of execa's
// conveniences apply here (no buffering, no rejection, the environment
// given whole), and execa's first call costs a warm stack, whose first
// process this is, more than ten milliseconds. Leaf module.
import { type ChildProcess, spawn } from "node:child_process";
import { isStopping, trackGroup } from "./processes.ts";

export interface GroupChildOptions {
  cwd: string;
  /** the whole environment (nothing of plugstack's own is added) */
  env: Record<string, string | undefined>;
  /** file descriptors above 2 to open as pipes (e.g. [3, 4]); the ones between stay closed */
  pipes?: readonly number[];
}

export interface GroupChild {
  /** stdout, stderr and the pipes asked for: `child.stdio[fd]` */
  child: ChildProcess;
  /** resolves when the process exits; rejects when it could not start */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** forget the group (a signal to plugstack no longer stops it); call once done with it */
  untrack(): void;
}

export function startGroupChild(cmd: readonly string[], opts: GroupChildOptions): GroupChild {
  // a step that went on after a signal (its child was stopped) starts nothing more
  if (isStopping()) throw new Error(`plugstack is stopping: ${cmd[0]} not started`);
  const pipes = opts.pipes ?? [];
  const extra = Array.from({ length: Math.max(2, ...pipes) - 2 }, (_, i) => (pipes.includes(i + 3) ? "pipe" : "ignore"));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  const child = spawn(cmd[0]!, cmd.slice(1), {
    cwd: opts.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe", ...extra],
    // its own process group: a signal to plugstack stops it, and whatever it started, through trackGroup
    detached: true,
  });
  const untrack = child.pid ? trackGroup(child.pid) : () => undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    // a start that failed before any process existed (no such command, no such directory)
    child.once("error", reject);
  });
  return { child, exited, untrack };
}

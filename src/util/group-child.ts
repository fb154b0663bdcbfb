// A child that leads its own process group (the stack shell, the localrc
// evaluation), started through execa like every other subprocess. The caller
// reads its pipes itself, line by line and capped, and learns when the
// process exits rather than when its pipes close: something it started in
// the background may hold them open long after. Leaf module.
import { execa, type ResultPromise } from "execa";
import { trackGroup } from "./processes.ts";

export interface GroupChildOptions {
  cwd: string;
  /** the whole environment (nothing of plugstack's own is added) */
  env: Record<string, string | undefined>;
  /** file descriptors above 2 to open as pipes (e.g. [3, 4]); the ones between stay closed */
  pipes?: readonly number[];
}

export interface GroupChild {
  /** stdout, stderr and the pipes asked for: `child.stdio[fd]` */
  child: ResultPromise;
  /** resolves when the process exits; rejects when it could not start */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** forget the group (a signal to plugstack no longer stops it); call once done with it */
  untrack(): void;
}

export function startGroupChild(cmd: readonly string[], opts: GroupChildOptions): GroupChild {
  const pipes = opts.pipes ?? [];
  const extra = Array.from({ length: Math.max(2, ...pipes) - 2 }, (_, i) => (pipes.includes(i + 3) ? "pipe" : "ignore"));
  const stdio = ["ignore", "pipe", "pipe", ...extra] as const;
  const child = execa(cmd[0]!, cmd.slice(1), {
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: false,
    stdio,
    // the caller reads the pipes; execa's own promise (which waits for them to close) settles quietly
    buffer: false,
    reject: false,
    // its own process group: a signal to plugstack stops it, and whatever it started, through trackGroup
    detached: true,
  });
  const untrack = child.pid ? trackGroup(child.pid) : () => undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", reject);
    // a start that failed before any process existed (execa reports it here, without an event)
    void child.then((r) => {
      if (r.failed && r.exitCode === undefined && r.signal === undefined) reject(r);
    });
  });
  return { child, exited, untrack };
}

// A child that leads its own process group (the stack shell, the localrc
// evaluation, the host probe). startGroupChild's caller reads its pipes
// itself and learns when the process exits rather than when its pipes
// close: something it started in the background may hold them open long
// after. runCaptured reads them whole, capped, and kills that background.
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

/** What runCaptured gives back. */
export interface CapturedRun {
  stdout: string;
  stderr: string;
  /** what the command wrote on fd 3 (the report), when asked for */
  report: string;
  code: number | null;
  timedOut: boolean;
  /** which stream went over its cap, if one did */
  overflow?: "output" | "report";
}

/**
 * Runs a command in its own process group (startGroupChild), reading stdout,
 * stderr and (with `report`) fd 3 through pipes, each capped: past its cap,
 * or past the time limit, the whole group is killed. When the command ends,
 * anything it left in the background is killed too, so nothing outlives it
 * and no pipe is held open after it (the localrc evaluation, the host probe).
 */
export function runCaptured(
  cmd: string[],
  opts: { cwd: string; env: Record<string, string | undefined>; timeoutMs: number; report?: boolean; capBytes?: number },
): Promise<CapturedRun> {
  const cap = opts.capBytes ?? 4 * 1024 * 1024;
  const { child, exited, untrack } = startGroupChild(cmd, {
    cwd: opts.cwd,
    env: opts.env,
    pipes: opts.report ? [3] : [],
  });
  const pgid = child.pid;
  const killGroup = () => {
    try {
      if (pgid) process.kill(-pgid, "SIGKILL");
    } catch {
      // gone
    }
  };
  const result: CapturedRun = { stdout: "", stderr: "", report: "", code: null, timedOut: false };
  const collect = (stream: NodeJS.ReadableStream | null | undefined, key: "stdout" | "stderr" | "report", limit: number) =>
    new Promise<void>((resolve) => {
      if (!stream) return resolve();
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (c: Buffer) => {
        if (result.overflow) return;
        size += c.length;
        if (size > limit) {
          result.overflow = key === "report" ? "report" : "output";
          killGroup();
          return;
        }
        chunks.push(c);
      });
      stream.on("error", () => resolve());
      stream.on("close", () => {
        result[key] = Buffer.concat(chunks).toString("utf8");
        resolve();
      });
    });
  const streams = Promise.all([
    collect(child.stdout, "stdout", cap),
    collect(child.stderr, "stderr", cap),
    collect(opts.report ? (child.stdio[3] as NodeJS.ReadableStream) : null, "report", cap * 4),
  ]);
  const timer = setTimeout(() => {
    result.timedOut = true;
    killGroup();
  }, opts.timeoutMs);
  const end = async (): Promise<CapturedRun> => {
    result.code = (await exited).code;
    killGroup(); // whatever localrc started in the background
    await streams;
    return result;
  };
  return end().finally(() => {
    clearTimeout(timer);
    untrack();
  });
}

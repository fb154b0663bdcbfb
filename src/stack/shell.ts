// Runs one stack shell: bash with the run script, its output appended to the
// run log (bash writes its xtrace there directly), and events read from a
// dedicated pipe on fd 3.
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { createInterface } from "node:readline";

export interface ShellEvent {
  type: string;
  fields: string[];
  /** ms since the shell started */
  at: number;
}

export interface ShellResult {
  status: number;
  /** last lines of output (stdout and stderr, interleaved as received) */
  tail: string[];
  events: ShellEvent[];
}

export interface ShellOptions {
  script: string;
  cwd: string;
  env: Record<string, string | undefined>;
  logFile: string;
  onEvent?: (e: ShellEvent) => void;
  /** each output line, e.g. to echo it with --verbose */
  onOutput?: (line: string) => void;
  tailLines?: number;
}

const EVENT_FD = 3;

export function parseEventLine(line: string, at: number): ShellEvent {
  const [type = "", ...fields] = line.split("\t");
  return { type, fields, at };
}

export function runShell(opts: ShellOptions): Promise<ShellResult> {
  const started = performance.now();
  const tailMax = opts.tailLines ?? 30;
  const tail: string[] = [];
  const events: ShellEvent[] = [];
  const child = spawn("bash", [opts.script], {
    cwd: opts.cwd,
    env: { ...opts.env, PLUGSTACK_EVENT_FD: String(EVENT_FD) },
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });

  const closed: Promise<void>[] = [];
  const onLine = (line: string) => {
    appendFileSync(opts.logFile, `${line}\n`);
    tail.push(line);
    if (tail.length > tailMax) tail.shift();
    opts.onOutput?.(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    const rl = createInterface({ input: stream!, crlfDelay: Infinity });
    rl.on("line", onLine);
    closed.push(new Promise((r) => rl.on("close", () => r())));
  }
  const evs = createInterface({ input: child.stdio[EVENT_FD] as NodeJS.ReadableStream, crlfDelay: Infinity });
  evs.on("line", (line) => {
    const e = parseEventLine(line, performance.now() - started);
    events.push(e);
    opts.onEvent?.(e);
  });
  closed.push(new Promise((r) => evs.on("close", () => r())));

  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", async (code, signal) => {
      // A service started in the background (run_process) may still hold
      // our pipes open: give the streams a moment to drain, then let go.
      await Promise.race([Promise.all(closed), Bun.sleep(300)]);
      for (const s of [child.stdout, child.stderr, child.stdio[EVENT_FD]]) (s as NodeJS.ReadableStream & { destroy(): void })?.destroy();
      resolve({ status: code ?? (signal ? 128 + 15 : 1), tail, events });
    });
  });
}

// Runs one stack shell: bash with the run script, its output and its xtrace
// (a pipe on fd 4) appended to the run log with URL credentials redacted,
// and events read from a dedicated pipe on fd 3 (the run script moves both
// pipes above fd 9 and makes fd 3 a copy of stdout, as stack.sh does).
import { closeSync, openSync, writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { startGroupChild } from "../util/group-child.ts";
import { setActivity } from "../util/processes.ts";
import { redact } from "../util/redact.ts";

export interface ShellEvent {
  type: string;
  fields: string[];
  /** when it arrived: performance.now() of this process (the clock of the run's timing table) */
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
  /** the command to run instead of `bash SCRIPT` (DevStack's own scripts, as the stack user) */
  command?: string[];
  /** the file descriptor events arrive on (default 3; DevStack's stack.sh takes 3 and 6 for itself) */
  eventFd?: number;
  cwd: string;
  env: Record<string, string | undefined>;
  logFile: string;
  onEvent?: (e: ShellEvent) => void;
  /** each output line, e.g. to echo it with --verbose */
  onOutput?: (line: string) => void;
  tailLines?: number;
  /** stack, unstack or clean: names where a signal stopped the run */
  mode?: string;
}

const EVENT_FD = 3;
const TRACE_FD = 4;

export function parseEventLine(line: string, at: number): ShellEvent {
  const [type = "", ...fields] = line.split("\t");
  return { type, fields, at };
}

export function runShell(opts: ShellOptions): Promise<ShellResult> {
  const tailMax = opts.tailLines ?? 30;
  const tail: string[] = [];
  const events: ShellEvent[] = [];
  const fd = opts.eventFd ?? EVENT_FD;
  const { child, exited, untrack } = startGroupChild(opts.command ?? ["bash", opts.script], {
    cwd: opts.cwd,
    env: { ...opts.env, PLUGSTACK_EVENT_FD: String(fd), PLUGSTACK_TRACE_FD: String(TRACE_FD), PLUGSTACK_PARENT_PID: String(process.pid) },
    // a signal to plugstack stops the shell, its hooks and whatever they left
    // running in the background (services started by run_process have their
    // own session and stay)
    pipes: [fd, TRACE_FD],
  });

  const log = openSync(opts.logFile, "a");
  // output and trace lines, in the order they arrive, go to the log in one
  // write per turn of the event loop (a busy hook traces thousands of lines)
  let pending: string[] = [];
  const flush = () => {
    if (!pending.length) return;
    writeSync(log, pending.join(""));
    pending = [];
  };
  const toLogText = (text: string) => {
    if (!pending.length) setImmediate(flush);
    pending.push(text);
  };
  const toLog = (line: string) => toLogText(`${line}\n`);
  const closed: Promise<void>[] = [];
  const onLine = (raw: string) => {
    const line = redact(raw);
    toLog(line);
    tail.push(line);
    if (tail.length > tailMax) tail.shift();
    opts.onOutput?.(line);
  };
  // the trace is taken as it comes, up to its last whole line, and not line
  // by line: a stack of many plugins traces tens of thousands of lines (no
  // URL that redact looks for spans a line)
  const trace = child.stdio[TRACE_FD] as NodeJS.ReadableStream;
  let partial = "";
  trace.setEncoding("utf8");
  trace.on("data", (chunk: string) => {
    const text = partial + chunk;
    const end = text.lastIndexOf("\n") + 1;
    partial = text.slice(end);
    if (end) toLogText(redact(text.slice(0, end)));
  });
  closed.push(new Promise((r) => trace.on("close", () => r())));
  for (const stream of [child.stdout, child.stderr]) {
    const rl = createInterface({ input: stream!, crlfDelay: Infinity });
    rl.on("line", onLine);
    closed.push(new Promise((r) => rl.on("close", () => r())));
  }
  const evs = createInterface({ input: child.stdio[fd] as NodeJS.ReadableStream, crlfDelay: Infinity });
  evs.on("line", (line) => {
    const e = parseEventLine(line, performance.now());
    events.push(e);
    if (e.type === "step-start") setActivity(`${opts.mode ?? "the stack shell"}: ${e.fields[0] ?? "?"}`);
    else if (e.type === "hook-start") setActivity(`${opts.mode ?? "the stack shell"}: ${e.fields[3] || "?"}, plugin ${e.fields[0]} (${e.fields[1]})`);
    opts.onEvent?.(e);
  });
  closed.push(new Promise((r) => evs.on("close", () => r())));

  const end = async (): Promise<ShellResult> => {
    const { code, signal } = await exited;
    // A service started in the background (run_process) may still hold
    // our pipes open: give the streams a moment to drain, then let go.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(closed), new Promise((r) => (timer = setTimeout(r, 300)))]);
    clearTimeout(timer); // a pending timer would keep plugstack alive for the rest of it
    for (const s of [child.stdout, child.stderr, child.stdio[fd], child.stdio[TRACE_FD]]) (s as NodeJS.ReadableStream & { destroy(): void })?.destroy();
    return { status: code ?? (signal ? 128 + 15 : 1), tail, events };
  };
  return end().finally(() => {
    if (partial) toLogText(`${redact(partial)}\n`);
    flush();
    closeSync(log);
    untrack();
  });
}

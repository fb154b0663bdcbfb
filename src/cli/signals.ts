// SIGINT, SIGTERM and SIGHUP stop plugstack and everything it started: the
// children get the same signal (then SIGKILL after a grace period), temp
// files and lock files go (exit hooks), and one line says where it stopped.
// A second signal kills the children and exits at once.
import { childrenGone, currentActivity, markStopping, signalChildren, trackedGroups } from "../util/processes.ts";
import { stderrTerminal } from "./terminal.ts";

const EXIT_CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
const GRACE_MS = 5000;

let installed = false;
let stopping: string | null = null;
let stoppingGroups: number[] = [];

/** The signal plugstack is stopping for, or null. */
export function stoppingFor(): string | null {
  return stopping;
}

async function stop(signal: NodeJS.Signals): Promise<void> {
  const code = EXIT_CODES[signal] ?? 1;
  if (stopping) {
    signalChildren("SIGKILL", stoppingGroups);
    stderrTerminal().clear();
    process.stderr.write(`plugstack: second ${signal}: killed at once during ${currentActivity()}\n`);
    process.exit(code);
  }
  stopping = signal;
  markStopping();
  const where = currentActivity();
  // the groups as they are now: a shell that ends first must not take its
  // background children out of the count
  const groups = trackedGroups();
  stoppingGroups = groups;
  signalChildren(signal, groups);
  // bash starts background jobs with SIGINT ignored: they get SIGTERM too
  if (signal !== "SIGTERM") signalChildren("SIGTERM", groups);
  if (!(await childrenGone(GRACE_MS, groups))) {
    signalChildren("SIGKILL", groups);
    await childrenGone(1000, groups);
  }
  stderrTerminal().clear();
  process.stderr.write(`plugstack: stopped by ${signal} during ${where}\n`);
  process.exit(code);
}

export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(EXIT_CODES) as NodeJS.Signals[]) process.on(signal, () => void stop(signal));
}

// SIGINT, SIGTERM and SIGHUP stop plugstack and everything it started: the
// children get the same signal (then SIGKILL after a grace period), temp
// files and lock files go (exit hooks), and one line says where it stopped.
// A second signal kills the children and exits at once.
import { childrenGone, currentActivity, signalChildren } from "../util/processes.ts";

const EXIT_CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
const GRACE_MS = 5000;

let installed = false;
let stopping: string | null = null;

/** The signal plugstack is stopping for, or null. */
export function stoppingFor(): string | null {
  return stopping;
}

async function stop(signal: NodeJS.Signals): Promise<void> {
  const code = EXIT_CODES[signal] ?? 1;
  if (stopping) {
    signalChildren("SIGKILL");
    process.stderr.write(`plugstack: second ${signal}: killed at once during ${currentActivity()}\n`);
    process.exit(code);
  }
  stopping = signal;
  const where = currentActivity();
  signalChildren(signal);
  if (!(await childrenGone(GRACE_MS))) {
    signalChildren("SIGKILL");
    await childrenGone(1000);
  }
  process.stderr.write(`plugstack: stopped by ${signal} during ${where}\n`);
  process.exit(code);
}

export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(EXIT_CODES) as NodeJS.Signals[]) process.on(signal, () => void stop(signal));
}

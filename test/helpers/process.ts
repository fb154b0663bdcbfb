// Waiting for a test's child process and reading what it printed, and
// counting the commands a run asks for.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Exit status and both outputs, as text, of a process spawned with stdout and stderr piped. */
export async function collectOutput(proc: { stdout: ReadableStream; stderr: ReadableStream; exited: Promise<number> }): Promise<ProcessResult> {
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

export interface CallRecorder {
  /** the wrappers' directory first on PATH */
  env: { PATH: string };
  /** the calls ("NAME ARGS", in order) logged since the last take */
  take(): string[];
}

/**
 * Each of `names` wrapped, in DIR/bin: the wrapper logs its call, "NAME
 * ARGS", and runs the real command. Put `env` first on PATH to count what a
 * run (plugstack, the stack shell, the library) asks of them.
 */
export function callRecorder(dir: string, names: readonly string[]): CallRecorder {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  const log = join(dir, "recorded-calls");
  writeFileSync(log, "");
  for (const name of names) {
    const real = Bun.which(name);
    if (!real) throw new Error(`${name} is not on PATH: the test needs it`);
    writeFileSync(join(bin, name), `#!/bin/sh\nprintf '%s\\n' "${name} $*" >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return {
    env: { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}` },
    take() {
      const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
      writeFileSync(log, "");
      return calls;
    },
  };
}

// Drives the compiled dist/plugstack: the e2e suite tests what users run.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CallRecorder, callRecorder, collectOutput, type ProcessResult } from "../helpers/process.ts";

export const ROOT = join(import.meta.dir, "..", "..");
export const BIN = join(ROOT, "dist", "plugstack");

/**
 * The environment a test runs the binary in: PATH only, HOME in the test's
 * dir, no colour, and PLUGSTACK_HOST_SETUP=False (the sudo set-up and
 * DevStack's general prerequisites change the machine: the tests of those
 * turn it on, with PLUGSTACK_SYSROOT); plus `extra`.
 */
export function binaryEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, NO_COLOR: "1", PLUGSTACK_HOST_SETUP: "False", ...extra };
}

/** Run the compiled `bin` with `args` in `cwd` (HOME there too); `wrapper` goes in front (e.g. unshare -n). */
export async function runBinary(bin: string, args: string[], opts: { cwd: string; env?: Record<string, string>; wrapper?: string[] }): Promise<ProcessResult> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npx bun scripts/build.ts\` (or \`npm run build\`) first; \`npm test\` does`);
  const proc = Bun.spawn([...(opts.wrapper ?? []), bin, ...args], {
    cwd: opts.cwd,
    env: binaryEnv(opts.cwd, opts.env),
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  return collectOutput(proc);
}

/** Run dist/plugstack. */
export async function plugstack(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<ProcessResult> {
  return runBinary(BIN, args, opts);
}

/** Lines a fixture wrote to its calls file, or [] when none. */
export async function readCalls(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  return (await Bun.file(path).text()).split("\n").filter(Boolean);
}

/** `git` wrapped (callRecorder): what plugstack and the stack shell ask git, counted through the binary. */
export const gitCallRecorder = (dir: string): CallRecorder => callRecorder(dir, ["git"]);

/** A plain-directory plugin at ROOT/plugins/NAME with the given files under devstack/; returns its path. */
export function writePlugin(root: string, name: string, files: Record<string, string>): string {
  const dir = join(root, "plugins", name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, "devstack", path, ".."), { recursive: true });
    writeFileSync(join(dir, "devstack", path), text);
  }
  return dir;
}

// Drives the compiled dist/plugstack: the e2e suite tests what users run.
import { existsSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");
export const BIN = join(ROOT, "dist", "plugstack");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function plugstack(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<RunResult> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
  const proc = Bun.spawn([BIN, ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: opts.cwd, NO_COLOR: "1", ...opts.env },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Lines a fixture wrote to its calls file, or [] when none. */
export async function readCalls(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  return (await Bun.file(path).text()).split("\n").filter(Boolean);
}

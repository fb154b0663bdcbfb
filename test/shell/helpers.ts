// Real bash running the real library: the library is written out with
// writeLibraryTree into a temp dir (what plugstack lays out as $TOP_DIR),
// and each test script is a file run by `bash`, so BASH_SOURCE and line
// numbers are those of a plugin file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeLibraryTree } from "../../src/shell/export.ts";
import { shellQuote } from "../../src/util/quote.ts";

export interface BashResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  /** temp root, removed by cleanup() */
  root: string;
  /** the exported library tree (functions, inc/, stackrc, plugstack/...) */
  top: string;
  cleanup(): void;
}

/** A temp dir with the library exported under `top`. */
export function makeSandbox(prefix = "plugstack-shell-"): Sandbox {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const top = join(root, "top");
  writeLibraryTree(top);
  return { root, top, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A clean environment: no PLUGSTACK_* or DevStack variables of the caller. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? tmpdir(),
    LANG: "C.UTF-8",
    ...extra,
  };
}

let counter = 0;

/**
 * Writes `script` to a file in `dir` and runs it with bash. The script is
 * run as written (it sources what it needs); `name` is its file name.
 */
export function runScript(dir: string, script: string, opts: { env?: Record<string, string>; name?: string; cwd?: string; args?: string[] } = {}): BashResult {
  const file = join(dir, opts.name ?? `script-${++counter}.sh`);
  writeFileSync(file, script);
  const r = Bun.spawnSync(["bash", "--norc", "--noprofile", file, ...(opts.args ?? [])], {
    cwd: opts.cwd ?? dir,
    env: baseEnv(opts.env),
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** runScript with `source $TOP/functions` first. */
export function runLib(sb: Sandbox, body: string, opts: { env?: Record<string, string>; name?: string; cwd?: string } = {}): BashResult {
  return runScript(sb.root, `source ${JSON.stringify(join(sb.top, "functions"))}\n${body}\n`, opts);
}

/** Shell-quotes a string for a test script (with the audited quoting helper). */
export const q = shellQuote;

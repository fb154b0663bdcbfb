// Fixtures for the reproducibility tests that drive the compiled binary:
// plugins whose hooks record the commit they run at, a local.conf, and the
// checks for running inside a network namespace.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN as BUILT, runBinary } from "../e2e/harness.ts";
import { makeRepo, type Repo } from "../helpers/git.ts";
import type { ProcessResult } from "../helpers/process.ts";

/** Files of a plugin whose every hook appends "<name> <args> <commit of its checkout>" to $PS_CALLS. */
function recordingPlugin(name: string, extra: string[] = []): Record<string, string> {
  const here = `$(git -C "$DEST/${name}" rev-parse HEAD)`;
  return {
    "devstack/settings": `echo "settings ${name} ${here}" >> "$PS_CALLS"\n`,
    "devstack/plugin.sh": [`echo "${name} $* ${here}" >> "$PS_CALLS"`, ...extra, ""].join("\n"),
  };
}

/** A plugin repo with `commits` commits (the first holds the recording hooks) and a tag on the first. */
export function makePlugin(dir: string, name: string, opts: { commits?: number; extra?: string[]; branch?: string } = {}): Repo {
  return makeRepo(dir, { branch: opts.branch, files: recordingPlugin(name, opts.extra), commits: opts.commits ?? 1, tags: { "1.0.0": 0 } });
}

export function writeConf(dir: string, lines: string[]): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "local.conf");
  writeFileSync(path, ["[[local|localrc]]", ...lines, ""].join("\n"));
  return path;
}

/** The binary under test: dist/plugstack, or $PLUGSTACK_TEST_BIN. */
export const BIN = process.env.PLUGSTACK_TEST_BIN || BUILT;

/** Run the compiled binary (as test/e2e/harness.ts does). */
export async function plugstack(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<ProcessResult> {
  return runBinary(BIN, args, opts);
}

/** Why the network-namespace tests cannot run here, or "" when they can. */
export function netnsSkipReason(): string {
  if (process.getuid?.() !== 0) return "not root: unshare -n needs root";
  const probe = Bun.spawnSync(["unshare", "-n", "true"], { stderr: "pipe" });
  if (probe.exitCode !== 0) return `unshare -n failed: ${probe.stderr.toString().trim() || `exit ${probe.exitCode}`}`;
  return "";
}

/** Run the compiled binary inside a new network namespace (no interfaces up, not even lo). */
export async function plugstackNoNet(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<ProcessResult> {
  return runBinary(BIN, args, { ...opts, wrapper: ["unshare", "-n"] });
}

// Builds dist/plugstack: one self-contained executable for this machine.
// scripts/release.ts calls buildBinary() once per release target.
// No .env / bunfig autoload: a compiled binary would otherwise read .env from
// the user's directory and leak it into the stack shell.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { $ } from "bun";

export const ROOT = join(import.meta.dir, "..");

export interface BuildOptions {
  outfile: string;
  /** Bun's compile target without the "bun-" prefix (linux-x64-baseline, linux-arm64-musl, ...); default: this machine */
  target?: string;
  /** --bytecode (default true): precompiled bytecode starts faster (figures in README, "Release builds") */
  bytecode?: boolean;
  /** --minify (default true) */
  minify?: boolean;
  /** the program to compile (default src/cli/entry.ts; the start-up benchmark compiles a hello world with the same flags) */
  entry?: string;
}

/**
 * `plugstack --help` as the full CLI prints it, without and with colours:
 * a build of the same sources for this machine, run for its own help. The
 * entry prints this text itself (PLUGSTACK_TOP_HELP), so top-level help does
 * not load every command to list it.
 */
let topHelp: Promise<[plain: string, colored: string]> | undefined;

async function topHelpTexts(flags: string[], entry: string): Promise<[plain: string, colored: string]> {
  const dir = mkdtempSync(join(tmpdir(), "plugstack-build-help-"));
  try {
    const outfile = join(dir, "plugstack");
    const built = await $`bun build ${flags} ${entry} --outfile ${outfile}`.cwd(ROOT).quiet().nothrow();
    if (built.exitCode !== 0) throw new Error(`bun build (for the help text) failed (exit ${built.exitCode}):\n${built.stderr}${built.stdout}`);
    const help = (env: Record<string, string>) => {
      const r = Bun.spawnSync([outfile, "--help"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, ...env }, stdout: "pipe", stderr: "pipe" });
      if (r.exitCode !== 0) throw new Error(`plugstack --help failed (exit ${r.exitCode}): ${r.stderr.toString()}`);
      return r.stdout.toString();
    };
    return [help({ NO_COLOR: "1" }), help({ FORCE_COLOR: "1" })];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function packageVersion(): Promise<string> {
  return (await Bun.file(join(ROOT, "package.json")).json()).version as string;
}

/** The commit the tree is at, "+dirty" when it has uncommitted changes, "unknown" outside a git checkout. */
export async function sourceCommit(): Promise<string> {
  const head = await $`git rev-parse HEAD`.cwd(ROOT).quiet().nothrow();
  if (head.exitCode !== 0) return "unknown";
  const status = await $`git status --porcelain --untracked-files=no`.cwd(ROOT).quiet().nothrow();
  return `${head.stdout.toString().trim()}${status.stdout.toString().trim() ? "+dirty" : ""}`;
}

/** The target name of this machine, as `--version` prints it. */
export const hostTarget = () => `linux-${process.arch === "arm64" ? "arm64" : "x64"}`;

/** Compiles src/cli/entry.ts (which loads main.ts) into `opts.outfile`; throws with Bun's output on failure. */
export async function buildBinary(opts: BuildOptions): Promise<{ outfile: string; version: string; commit: string; target: string }> {
  const version = await packageVersion();
  const commit = await sourceCommit();
  const target = opts.target ?? hostTarget();
  mkdirSync(dirname(opts.outfile), { recursive: true });
  const flags = [
    "--compile",
    ...(opts.minify === false ? [] : ["--minify"]),
    ...(opts.bytecode === false ? [] : ["--bytecode", "--format=esm"]),
    // chunks: the entry answers --version without loading the CLI's code
    "--splitting",
    "--sourcemap=none",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    // a heap that collects sooner: a warm stack of 200 plugins peaks about 3 MiB lower
    "--compile-exec-argv=--smol",
    ...(opts.target ? [`--target=bun-${opts.target}`] : []),
    "--define",
    `PLUGSTACK_VERSION=${JSON.stringify(version)}`,
    "--define",
    `PLUGSTACK_COMMIT=${JSON.stringify(commit)}`,
    "--define",
    `PLUGSTACK_TARGET=${JSON.stringify(target)}`,
  ];
  const entry = opts.entry ?? join(ROOT, "src/cli/entry.ts");
  if (!opts.entry) {
    // the help text comes from a build for this machine, whatever the target
    // (once per process: a release builds every target from the same sources)
    topHelp ??= topHelpTexts(
      flags.filter((f) => !f.startsWith("--target=")),
      entry,
    );
    flags.push("--define", `PLUGSTACK_TOP_HELP=${JSON.stringify(JSON.stringify(await topHelp))}`);
  }
  const result = await $`bun build ${flags} ${entry} --outfile ${opts.outfile}`.cwd(ROOT).quiet().nothrow();
  if (result.exitCode !== 0) {
    throw new Error(`bun build for ${target} failed (exit ${result.exitCode}):\n${result.stderr}${result.stdout}`);
  }
  return { outfile: opts.outfile, version, commit, target };
}

if (import.meta.main) {
  try {
    const r = await buildBinary({ outfile: join(ROOT, "dist/plugstack") });
    console.error(`built dist/plugstack ${r.version} (commit ${r.commit.slice(0, 12)}, ${r.target})`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}

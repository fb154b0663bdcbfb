// Benchmark fixtures: plugin repos with some history and real hooks. They are
// served, and their temp dir made, with the test suite's git fixtures
// (test/helpers/git.ts: startGitDaemon, tempDir).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fixtureEnv, git, tempDir } from "../../test/helpers/git.ts";

/** Text that compresses about as well as source code (hex of a hash chain). */
function filler(seed: string, bytes: number): string {
  const lines: string[] = [];
  let h = seed;
  for (let n = 0; n < bytes; n += 72) {
    h = new Bun.CryptoHasher("sha256").update(h).digest("hex");
    lines.push(`x_${h.slice(0, 8)} = "${h}"`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A plugin repo built with git fast-import: `commits` commits, each changing
 * a ~`kib` KiB source file, a tag on the first, and hooks that do a little
 * real work (settings, an iniset at post-config).
 */
export function makeBenchPlugin(dir: string, name: string, commits: number, kib: number): void {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "master");
  git(dir, "config", "gc.auto", "0");
  const hooks: Record<string, string> = {
    "devstack/settings": `enable_service ${name}\n${name.toUpperCase()}_DIR=$DEST/${name}\n`,
    "devstack/plugin.sh": ['if [[ "$1" == "stack" && "$2" == "post-config" ]]; then', `    iniset $DEST/${name}.conf DEFAULT plugin ${name}`, "fi", ""].join(
      "\n",
    ),
  };
  const enc = new TextEncoder();
  const data = (text: string) => `data ${enc.encode(text).length}\n${text}\n`;
  const parts: string[] = [];
  for (let i = 0; i < commits; i++) {
    const files: Record<string, string> = i === 0 ? { ...hooks } : {};
    files[`src/${name}/module${i % 20}.py`] = filler(`${name}-${i}`, kib * 1024);
    parts.push(
      `commit refs/heads/master\nmark :${i + 1}\ncommitter Bench <bench@example.invalid> ${1700000000 + i * 60} +0000\n${data(`${name} change ${i}`)}`,
    );
    if (i > 0) parts.push(`from :${i}\n`);
    for (const [path, text] of Object.entries(files)) parts.push(`M 100644 inline ${path}\n${data(text)}`);
    parts.push("\n");
  }
  parts.push(`tag 1.0.0\nfrom :1\ntagger Bench <bench@example.invalid> 1700000000 +0000\n${data("first release")}`);
  const r = Bun.spawnSync(["git", "fast-import", "--quiet"], { cwd: dir, env: fixtureEnv, stdin: enc.encode(parts.join("")), stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git fast-import in ${dir}: ${r.stderr.toString()}`);
  git(dir, "reset", "-q", "--hard", "master");
}

/** A temp dir with `plugins` bench plugins (plugin1, plugin2, ...) under srv/, for the scenario `label`; the caller cleans it up. */
export function benchPlugins(log: (line: string) => void, label: string, plugins: number, commits: number, kib: number) {
  const work = tempDir(`plugstack-bench-${label}-`);
  const names = Array.from({ length: plugins }, (_, i) => `plugin${i + 1}`);
  log(`${label}: building ${plugins} fixture plugins (${commits} commits each)`);
  for (const n of names) makeBenchPlugin(join(work.path, "srv", n), n, commits, kib);
  return { work, names };
}

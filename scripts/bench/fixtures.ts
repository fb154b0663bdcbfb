// Benchmark fixtures: plugin repos with some history and real hooks, served
// by a real `git daemon` on 127.0.0.1, in a temp dir removed afterwards.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const gitEnv: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Bench",
  GIT_AUTHOR_EMAIL: "bench@example.invalid",
  GIT_COMMITTER_NAME: "Bench",
  GIT_COMMITTER_EMAIL: "bench@example.invalid",
  LC_ALL: "C",
};

function git(cwd: string, ...args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd, env: gitEnv, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")} in ${cwd}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

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
    "devstack/plugin.sh": ['if [[ "$1" == "stack" && "$2" == "post-config" ]]; then', `    iniset $DEST/${name}.conf DEFAULT plugin ${name}`, "fi", ""].join("\n"),
  };
  const enc = new TextEncoder();
  const data = (text: string) => `data ${enc.encode(text).length}\n${text}\n`;
  const parts: string[] = [];
  for (let i = 0; i < commits; i++) {
    const files: Record<string, string> = i === 0 ? { ...hooks } : {};
    files[`src/${name}/module${i % 20}.py`] = filler(`${name}-${i}`, kib * 1024);
    parts.push(`commit refs/heads/master\nmark :${i + 1}\ncommitter Bench <bench@example.invalid> ${1700000000 + i * 60} +0000\n${data(`${name} change ${i}`)}`);
    if (i > 0) parts.push(`from :${i}\n`);
    for (const [path, text] of Object.entries(files)) parts.push(`M 100644 inline ${path}\n${data(text)}`);
    parts.push("\n");
  }
  parts.push(`tag 1.0.0\nfrom :1\ntagger Bench <bench@example.invalid> 1700000000 +0000\n${data("first release")}`);
  const r = Bun.spawnSync(["git", "fast-import", "--quiet"], { cwd: dir, env: gitEnv, stdin: enc.encode(parts.join("")), stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git fast-import in ${dir}: ${r.stderr.toString()}`);
  git(dir, "reset", "-q", "--hard", "master");
}

export interface Daemon {
  urlFor(name: string): string;
  stop(): Promise<void>;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port }, () => {
      s.end();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

export async function startDaemon(base: string): Promise<Daemon> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  const proc = Bun.spawn(["git", "daemon", "--export-all", "--reuseaddr", `--base-path=${base}`, "--listen=127.0.0.1", `--port=${port}`, base], { env: gitEnv, stdout: "ignore", stderr: "ignore" });
  for (let i = 0; i < 200 && !(await listening(port)); i++) await Bun.sleep(25);
  return {
    urlFor: (name) => `git://127.0.0.1:${port}/${name}`,
    stop: async () => {
      proc.kill();
      await proc.exited;
    },
  };
}

export function scratch(): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), "plugstack-bench-"));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

// Re-stack benchmark: how much faster is a stack when the lock, the cache and
// the checkouts are already there, compared with a cold stack (empty cache and
// DEST) measured in the same run, on the same machine, against the same
// fixture plugins served by a local git daemon.
//
//   npx bun scripts/bench/restack.ts [--plugins N] [--commits N] [--kib N] [--runs N] [--bin PATH]
//
// Prints a table of medians and ratios; nothing is asserted.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startGitDaemon, tempDir } from "../../test/helpers/git.ts";
import { makeBenchPlugin } from "./fixtures.ts";

const { values: opts } = parseArgs({
  options: {
    plugins: { type: "string", default: "6" },
    commits: { type: "string", default: "300" },
    kib: { type: "string", default: "16" },
    runs: { type: "string", default: "3" },
    bin: { type: "string", default: join(import.meta.dir, "..", "..", "dist", "plugstack") },
  },
});
const PLUGINS = Number(opts.plugins);
const COMMITS = Number(opts.commits);
const KIB = Number(opts.kib);
const RUNS = Number(opts.runs);
const BIN = opts.bin!;

if (!existsSync(BIN)) {
  const build = Bun.spawnSync([process.execPath, join(import.meta.dir, "..", "build.ts")], { stdout: "inherit", stderr: "inherit" });
  if (build.exitCode !== 0) process.exit(build.exitCode ?? 1);
}

interface Scenario {
  name: string;
  /** prepare the state before each timed run */
  setup: () => void;
  args: string[];
}

const work = tempDir("plugstack-bench-");
const names = Array.from({ length: PLUGINS }, (_, i) => `plugin${i + 1}`);
process.stderr.write(`building ${PLUGINS} fixture plugins (${COMMITS} commits each)...\n`);
for (const n of names) makeBenchPlugin(join(work.path, "srv", n), n, COMMITS, KIB);
const daemon = await startGitDaemon(join(work.path, "srv"));
try {
  const cfg = join(work.path, "cfg");
  mkdirSync(cfg);
  const conf = join(cfg, "local.conf");
  writeFileSync(conf, ["[[local|localrc]]", ...names.map((n) => `enable_plugin ${n} ${daemon.urlFor(n)}`), ""].join("\n"));
  const cache = join(work.path, "cache");
  const dest = join(work.path, "dest");
  const lock = `${conf}.lock`;
  const base = ["-q", "-c", conf, "--cache-dir", cache, "--dest", dest];
  const wipe = (...paths: string[]) => () => paths.forEach((p) => rmSync(p, { recursive: true, force: true }));

  const run = (args: string[]): number => {
    const t0 = performance.now();
    const r = Bun.spawnSync([BIN, ...args], { cwd: work.path, env: { ...process.env, NO_COLOR: "1", HOME: work.path }, stdout: "pipe", stderr: "pipe" });
    const ms = performance.now() - t0;
    if (r.exitCode !== 0) throw new Error(`plugstack ${args.join(" ")} failed (${r.exitCode}):\n${r.stderr.toString()}`);
    return ms;
  };
  const ensureWarm = () => {
    if (!existsSync(lock) || !existsSync(cache) || !existsSync(join(dest, names[0]!))) run(["stack", ...base]);
  };

  const scenarios: Scenario[] = [
    { name: "cold: no lock, empty cache, empty DEST", setup: wipe(cache, dest, lock), args: ["stack", ...base] },
    { name: "lock only: empty cache and DEST (--locked)", setup: () => { ensureWarm(); wipe(cache, dest)(); }, args: ["stack", "--locked", ...base] },
    { name: "lock + cache, empty DEST (--locked)", setup: () => { ensureWarm(); wipe(dest)(); }, args: ["stack", "--locked", ...base] },
    { name: "warm re-stack: lock + cache + checkouts", setup: ensureWarm, args: ["stack", ...base] },
    { name: "warm re-stack --frozen (no network)", setup: ensureWarm, args: ["stack", "--frozen", ...base] },
    { name: "fetch, cache already filled", setup: ensureWarm, args: ["fetch", ...base] },
  ];

  const results: { name: string; median: number; min: number }[] = [];
  for (const s of scenarios) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      s.setup();
      times.push(run(s.args));
    }
    times.sort((a, b) => a - b);
    results.push({ name: s.name, median: times[Math.floor(times.length / 2)]!, min: times[0]! });
    process.stderr.write(`  ${s.name}: ${times.map((t) => `${Math.round(t)}ms`).join(" ")}\n`);
  }

  const cold = results[0]!.median;
  const width = Math.max(...results.map((r) => r.name.length));
  const sec = (ms: number) => `${(ms / 1000).toFixed(2)}s`.padStart(7);
  const lines = [
    `plugstack re-stack benchmark: ${PLUGINS} plugins x ${COMMITS} commits (~${KIB} KiB each) over git daemon on 127.0.0.1, median of ${RUNS} runs`,
    `${"scenario".padEnd(width)}  ${"median".padStart(7)}  ${"min".padStart(7)}  time/cold  speed-up`,
    ...results.map((r) => `${r.name.padEnd(width)}  ${sec(r.median)}  ${sec(r.min)}  ${`${(r.median / cold).toFixed(2)}`.padStart(9)}  ${`${(cold / r.median).toFixed(1)}x`.padStart(8)}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  await daemon.stop();
  work.cleanup();
}

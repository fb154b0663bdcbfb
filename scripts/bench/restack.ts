// Re-stack scenario (`npm run bench -- --restack`): how much faster is a stack
// when the lock, the cache and the checkouts are already there, compared with
// a cold stack (empty cache and DEST) measured in the same run, against the
// same fixture plugins served by a local git daemon.
// Sizes: plugins (default 6), each of 300 commits touching a 16 KiB file.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startGitDaemon } from "../../test/helpers/git.ts";
import { benchPlugins } from "./fixtures.ts";
import { type BenchOptions, type BenchRow, median } from "./table.ts";

/** Runs the plugstack binary; the wall time in ms. Throws with its stderr when it fails. */
export function timeRun(bin: string, args: string[], cwd: string, env: Record<string, string> = {}): number {
  const t0 = performance.now();
  const r = Bun.spawnSync([bin, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", HOME: cwd, PLUGSTACK_HOST_SETUP: "False", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`plugstack ${args.join(" ")} failed (${r.exitCode}):\n${r.stderr.toString()}`);
  return ms;
}

export async function benchRestack(opts: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const commits = opts.smoke ? 20 : 300;
  const kib = opts.smoke ? 2 : 16;
  for (const plugins of opts.sizes ?? (opts.smoke ? [2] : [6])) {
    rows.push(...(await restackOnce(opts, plugins, commits, kib)));
  }
  return rows;
}

async function restackOnce(opts: BenchOptions, plugins: number, commits: number, kib: number): Promise<BenchRow[]> {
  const { work, names } = benchPlugins(opts.log, "restack", plugins, commits, kib);
  const daemon = await startGitDaemon(join(work.path, "srv"));
  try {
    const cfg = join(work.path, "cfg");
    mkdirSync(cfg);
    const conf = join(cfg, "local.conf");
    writeFileSync(conf, ["[[local|localrc]]", ...names.map((n) => `enable_plugin ${n} ${daemon.urlFor(n)}`), ""].join("\n"));
    const cache = join(work.path, "cache");
    const dest = join(work.path, "dest");
    const lock = `${conf}.lock`;
    const common = ["-q", "-c", conf, "--cache-dir", cache];
    const base = [...common, "--dest", dest];
    const wipe =
      (...paths: string[]) =>
      () => {
        for (const p of paths) rmSync(p, { recursive: true, force: true });
      };
    const run = (args: string[]) => timeRun(opts.bin, args, work.path);
    const ensureWarm = () => {
      if (!existsSync(lock) || !existsSync(cache) || !existsSync(join(dest, names[0]!))) run(["stack", ...base]);
    };
    const scenarios: { name: string; setup: () => void; args: string[] }[] = [
      { name: "cold: no lock, empty cache and DEST", setup: wipe(cache, dest, lock), args: ["stack", ...base] },
      {
        name: "lock only, empty cache and DEST (--locked)",
        setup: () => {
          ensureWarm();
          wipe(cache, dest)();
        },
        args: ["stack", "--locked", ...base],
      },
      {
        name: "lock + cache, empty DEST (--locked)",
        setup: () => {
          ensureWarm();
          wipe(dest)();
        },
        args: ["stack", "--locked", ...base],
      },
      { name: "warm re-stack: lock + cache + checkouts", setup: ensureWarm, args: ["stack", ...base] },
      { name: "warm re-stack --frozen", setup: ensureWarm, args: ["stack", "--frozen", ...base] },
      { name: "fetch, cache already filled", setup: ensureWarm, args: ["fetch", ...common] },
    ];
    const medians: { name: string; ms: number }[] = [];
    for (const s of scenarios) {
      const times: number[] = [];
      for (let i = 0; i < opts.runs; i++) {
        s.setup();
        times.push(run(s.args));
      }
      opts.log(`  ${s.name}: ${times.map((t) => `${Math.round(t)}ms`).join(" ")}`);
      medians.push({ name: s.name, ms: median(times) });
    }
    const cold = medians[0]!;
    return medians.map((m) => ({
      scenario: "restack",
      n: `${plugins} plugins`,
      figure: m.name,
      value: m.ms,
      baselineName: "cold stack",
      baseline: cold.ms,
      unit: "ms" as const,
    }));
  } finally {
    await daemon.stop();
    work.cleanup();
  }
}

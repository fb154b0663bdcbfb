// Cold-fetch scenario (`npm run bench -- --fetch`): plugin repos served by a
// `git daemon` on 127.0.0.1 behind a throttling TCP proxy (scripts/bench/proxy.ts:
// 40 ms each way and 50 Mbit/s per connection), so every connection pays
// what a remote server costs. Measured in the same run:
//   - baseline: `git clone` of each repo, one after another (what DevStack's
//     git_clone does), and all of them at once (the limit);
//   - a cold `plugstack stack` (no lock, empty cache and DEST) with default
//     settings: its fetch phase (resolve, mirror, checkout: the run's own
//     timing table, `--json` phases) against the serial clones, and its wall;
//   - a cold `plugstack fetch` (lock and mirrors, no checkouts);
//   - checkouts from a filled cache into the same DEST: hardlinked (cache and
//     DEST on one file system) against copied (the cache on another one, e.g.
//     /dev/shm);
//   - warm runs (lock and cache present): the connections the proxy accepted
//     and the requests in the daemon's log, which must both be 0.
// Sizes: plugins (default 8), each of 300 commits and about 5 MB packed.
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startGitDaemon } from "../../test/helpers/git.ts";
import { benchPlugins } from "./fixtures.ts";
import { startThrottlingProxy } from "./proxy.ts";
import { type BenchOptions, type BenchRow, median } from "./table.ts";

const LATENCY_MS = 40;
const BITS_PER_SECOND = 50e6;

interface Ran {
  ms: number;
  stdout: string;
}

/** Runs a command without blocking this process (the proxy runs in it); throws with its stderr when it fails. */
async function run(cmd: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  const t0 = performance.now();
  const p = Bun.spawn(cmd, { cwd, env: { ...process.env, NO_COLOR: "1", HOME: cwd, PLUGSTACK_HOST_SETUP: "False", ...env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`${cmd.join(" ")} failed (${code}):\n${stderr.slice(-4000)}`);
  return { ms, stdout };
}

/** The fetch phase of a `stack --json` run, from its own timing table. */
function fetchPhase(stdout: string): number {
  const phases = (JSON.parse(stdout) as { result?: { phases?: { name: string; ms: number }[] } }).result?.phases ?? [];
  const row = phases.find((p) => p.name === "fetch");
  if (!row) throw new Error(`stack --json printed no fetch phase: ${stdout.slice(0, 400)}`);
  return row.ms;
}

/** A directory on another file system than `path`'s (a cache there cannot be hardlinked into DEST), or null. */
function otherFileSystem(path: string): string | null {
  for (const dir of ["/dev/shm", "/run/user", "/run"]) {
    try {
      if (statSync(dir).dev !== statSync(path).dev) {
        const probe = join(dir, `plugstack-bench-${process.pid}`);
        mkdirSync(probe);
        return probe;
      }
    } catch {
      // not there, or not writable: try the next
    }
  }
  return null;
}

export async function benchFetch(opts: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const commits = opts.smoke ? 20 : 300;
  const kib = opts.smoke ? 2 : 28; // 300 commits of a fresh 28 KiB file: about 5 MB packed
  for (const plugins of opts.sizes ?? (opts.smoke ? [2] : [8])) rows.push(...(await fetchOnce(opts, plugins, commits, kib)));
  return rows;
}

async function fetchOnce(opts: BenchOptions, plugins: number, commits: number, kib: number): Promise<BenchRow[]> {
  const { work, names } = benchPlugins(opts.log, "fetch", plugins, commits, kib);
  const packed = names.map((n) => Bun.spawnSync(["git", "count-objects", "-v"], { cwd: join(work.path, "srv", n) }).stdout.toString());
  const mb = packed.map((t) => Number(/size-pack: (\d+)/.exec(t)?.[1] ?? 0) / 1024).reduce((a, b) => a + b, 0) / plugins;
  const daemon = await startGitDaemon(join(work.path, "srv"), { verbose: true });
  const proxy = await startThrottlingProxy({ targetPort: daemon.port, latencyMs: LATENCY_MS, bitsPerSecond: BITS_PER_SECOND });
  const other = otherFileSystem(work.path);
  try {
    const url = (n: string) => `git://127.0.0.1:${proxy.port}/${n}`;
    const cfg = join(work.path, "cfg");
    mkdirSync(cfg);
    const conf = join(cfg, "local.conf");
    writeFileSync(conf, ["[[local|localrc]]", ...names.map((n) => `enable_plugin ${n} ${url(n)}`), ""].join("\n"));
    const lock = `${conf}.lock`;
    const cache = join(work.path, "cache");
    const dest = join(work.path, "dest");
    const clones = join(work.path, "clones");
    const wipe = (...paths: string[]) => {
      for (const p of paths) rmSync(p, { recursive: true, force: true });
    };
    const stack = (args: string[], cacheDir = cache) =>
      run([opts.bin, "stack", "-q", "--json", "-c", conf, "--cache-dir", cacheDir, "--dest", dest, ...args], work.path);
    const clone = (n: string) => run(["git", "clone", "-q", "--", url(n), join(clones, n)], work.path);

    const times: Record<string, number[]> = {};
    const add = (k: string, ms: number) => {
      const list = times[k] ?? [];
      times[k] = list;
      list.push(ms);
    };
    const counts = { cold: 0, coldRequests: 0, warm: [] as number[], warmRequests: [] as number[] };
    const requests = () => daemon.requests!().length;
    for (let r = 0; r < opts.runs; r++) {
      wipe(clones);
      let t0 = performance.now();
      for (const n of names) await clone(n);
      add("serial", performance.now() - t0);
      wipe(clones);
      t0 = performance.now();
      await Promise.all(names.map(clone));
      add("parallel", performance.now() - t0);
      wipe(clones);

      wipe(cache, dest, lock);
      proxy.resetCount();
      const before = requests();
      const cold = await stack([]);
      counts.cold = proxy.connections();
      counts.coldRequests = requests() - before;
      add("cold stack: fetch phase", fetchPhase(cold.stdout));
      add("cold stack: wall", cold.ms);
      wipe(cache, dest, lock);
      const old = await stack(["--jobs", "4"]);
      add("cold stack --jobs 4 (the old default): fetch phase", fetchPhase(old.stdout));
      wipe(cache, dest, lock);
      add("cold fetch (lock + mirrors, no checkouts)", (await run([opts.bin, "fetch", "-q", "-c", conf, "--cache-dir", cache], work.path)).ms);

      // lock and cache present from here on: no network operation at all
      const warm = async (args: string[], cacheDir = cache) => {
        proxy.resetCount();
        const b = requests();
        const out = await stack(args, cacheDir);
        counts.warm.push(proxy.connections());
        counts.warmRequests.push(requests() - b);
        return out;
      };
      wipe(dest);
      const linked = await warm(["--locked"]);
      add("checkouts from the cache, hardlinked (same file system): fetch phase", fetchPhase(linked.stdout));
      if (other) {
        // the same DEST, the cache on another file system: git copies the objects
        wipe(dest, join(other, "cache"));
        cpSync(cache, join(other, "cache"), { recursive: true });
        const copied = await warm(["--locked"], join(other, "cache"));
        add("checkouts from the cache, copied (cache on another file system): fetch phase", fetchPhase(copied.stdout));
        wipe(dest, join(other, "cache"));
        await stack(["--locked"]);
      }
      await warm([]);
    }
    if (!other) opts.log("fetch: no second file system here (tried /dev/shm, /run/user, /run): the copied-checkout row is left out");
    opts.log(
      `fetch: ${plugins} repos of ${commits} commits, ${mb.toFixed(1)} MB packed each; proxy ${LATENCY_MS} ms each way, ${BITS_PER_SECOND / 1e6} Mbit/s per connection`,
    );
    for (const [k, v] of Object.entries(times)) opts.log(`  ${k}: ${v.map((t) => `${Math.round(t)}ms`).join(" ")}`);
    opts.log(
      `  connections: cold stack ${counts.cold} (daemon requests ${counts.coldRequests}); warm runs ${counts.warm.join(" ")} (daemon requests ${counts.warmRequests.join(" ")})`,
    );

    const n = `${plugins} plugins`;
    const serial = median(times.serial!);
    const row = (figure: string, goal?: BenchRow["goal"]): BenchRow => ({
      scenario: "fetch",
      n,
      figure,
      value: median(times[figure]!),
      baselineName: "serial git clone",
      baseline: serial,
      unit: "ms",
      goal,
    });
    const out: BenchRow[] = [
      row("cold stack: fetch phase", { limit: serial / 5, text: "<= 0.20 (5x)" }),
      row("cold stack: wall"),
      row("cold stack --jobs 4 (the old default): fetch phase"),
      row("cold fetch (lock + mirrors, no checkouts)"),
      { ...row("parallel"), figure: "all at once: git clone of every repo in parallel (the limit)" },
      row("checkouts from the cache, hardlinked (same file system): fetch phase"),
    ];
    if (other) out.push(row("checkouts from the cache, copied (cache on another file system): fetch phase"));
    out.push({
      scenario: "fetch",
      n,
      figure: "network connections of a warm run (lock + cache; the most of any warm run)",
      value: Math.max(...counts.warm, ...counts.warmRequests),
      baselineName: "cold stack's connections",
      baseline: counts.cold,
      unit: "count",
      goal: { limit: 0, text: "0" },
    });
    return out;
  } finally {
    await proxy.stop();
    await daemon.stop();
    if (other) rmSync(other, { recursive: true, force: true });
    work.cleanup();
  }
}

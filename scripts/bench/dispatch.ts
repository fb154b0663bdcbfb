// Dispatch scenario (`npm run bench -- --dispatch`): a warm `plugstack stack`
// (checkouts in place, lock current, a successful stack just before) of N
// no-op plugins, against a bare bash loop that sources the same settings and
// plugin.sh files for the same 7 hook points (override_defaults, source,
// stack pre-install, install, post-config, extra, test-config) with trivial
// enable_service and is_service_enabled, measured in the same run, runs
// interleaved. The plugins are what DevStack's plugin template does:
// `enable_service` in settings, `is_service_enabled` around every phase of
// plugin.sh. Sizes: plugins (default 10, 50, 200).
//
// Memory scenario (`npm run bench -- --memory`): the peak RSS of the same
// warm `plugstack stack` at the largest N against the smallest (default 200
// against 10), from wait4's ru_maxrss (the largest process of the run: the
// binary itself).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fixtureEnv, git, tempDir } from "../../test/helpers/git.ts";
import { type BenchOptions, type BenchRow, median } from "./table.ts";

const HOOKS = ["pre-install", "install", "post-config", "extra", "test-config"];
/**
 * What stackrc asks python3 every run, as DevStack's does (for
 * _DEFAULT_PYTHON3_VERSION): part of every warm stack, not of the bare loop.
 * Its cost is the machine's (a pyenv shim starts a dozen bash processes).
 */
const PYTHON3_PROBE = 'import sys; print("%s.%s" % sys.version_info[0:2])';

function noopPluginFiles(name: string): Record<string, string> {
  return {
    "devstack/settings": `enable_service ${name}\n`,
    "devstack/plugin.sh": [
      `if is_service_enabled ${name}; then`,
      '    if [[ "$1" == "stack" && "$2" == "pre-install" ]]; then',
      "        :",
      '    elif [[ "$1" == "stack" && "$2" == "install" ]]; then',
      "        :",
      '    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then',
      "        :",
      '    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then',
      "        :",
      '    elif [[ "$1" == "stack" && "$2" == "test-config" ]]; then',
      "        :",
      "    fi",
      '    if [[ "$1" == "unstack" ]]; then',
      "        :",
      "    fi",
      '    if [[ "$1" == "clean" ]]; then',
      "        :",
      "    fi",
      "fi",
      "",
    ].join("\n"),
  };
}

/** A one-commit plugin repo (git fast-import) with the template's no-op hooks. */
function makeNoopPlugin(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "master");
  const enc = new TextEncoder();
  const data = (text: string) => `data ${enc.encode(text).length}\n${text}\n`;
  const parts = [`commit refs/heads/master\ncommitter Bench <bench@example.invalid> 1700000000 +0000\n${data(`${name}: no-op plugin`)}`];
  for (const [path, text] of Object.entries(noopPluginFiles(name))) parts.push(`M 100644 inline ${path}\n${data(text)}`);
  const r = Bun.spawnSync(["git", "fast-import", "--quiet"], { cwd: dir, env: fixtureEnv, stdin: enc.encode(`${parts.join("")}\n`), stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git fast-import in ${dir}: ${r.stderr.toString()}`);
  git(dir, "reset", "-q", "--hard", "master");
}

/** The baseline: the same files sourced at the same 7 hook points by a bare bash loop. */
function bareLoop(dirs: string[]): string {
  return [
    "set -e",
    "ENABLED_SERVICES=",
    'enable_service() { local s; for s in "$@"; do [[ ,$ENABLED_SERVICES, == *,"$s",* ]] || ENABLED_SERVICES+=,$s; done; }',
    'is_service_enabled() { local s; for s in "$@"; do [[ ,$ENABLED_SERVICES, == *,"$s",* ]] && return 0; done; return 1; }',
    `DIRS=(${dirs.map((d) => `'${d}'`).join(" ")})`,
    'for d in "${DIRS[@]}"; do [[ -f $d/devstack/override-defaults ]] && source "$d/devstack/override-defaults"; done',
    'load() { for d in "${DIRS[@]}"; do [[ -f $d/devstack/settings ]] && source "$d/devstack/settings"; done; }',
    "load",
    `for phase in ${HOOKS.join(" ")}; do`,
    '    for d in "${DIRS[@]}"; do [[ -f $d/devstack/plugin.sh ]] && source "$d/devstack/plugin.sh" stack "$phase"; done',
    "done",
    "",
  ].join("\n");
}

interface Measured {
  n: number;
  stack: number;
  loop: number;
  /** peak RSS of the run's largest process, KiB */
  rssKiB: number;
  /** stackrc's python3 version probe alone, run where the stack shell runs it */
  probe: number;
  /** the warm stack with the distribution's python3 first on PATH (null: there is none) */
  stackSystemPython: number | null;
}

/**
 * The distribution's python3, for a second warm stack with its directory
 * first on PATH: what stackrc's version probe costs where python3 is not a
 * wrapper (a pyenv shim starts a dozen bash processes per call).
 */
const SYSTEM_PYTHON3 = "/usr/bin/python3";

function run(cmd: string[], cwd: string, env: Record<string, string> = {}): { ms: number; rssKiB: number } {
  const t0 = performance.now();
  const r = Bun.spawnSync(cmd, {
    cwd,
    env: { ...process.env, NO_COLOR: "1", HOME: cwd, PLUGSTACK_HOST_SETUP: "False", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${r.exitCode}):\n${r.stderr.toString()}`);
  // Bun gives ru_maxrss in bytes
  return { ms, rssKiB: Number(r.resourceUsage?.maxRSS ?? 0) / 1024 };
}

async function measure(opts: BenchOptions, n: number): Promise<Measured> {
  const work = tempDir("plugstack-bench-dispatch-");
  try {
    const names = Array.from({ length: n }, (_, i) => `noop${i + 1}`);
    opts.log(`dispatch: building ${n} no-op plugins`);
    for (const name of names) makeNoopPlugin(join(work.path, "srv", name), name);
    const cfg = join(work.path, "cfg");
    mkdirSync(cfg);
    const conf = join(cfg, "local.conf");
    writeFileSync(conf, ["[[local|localrc]]", ...names.map((name) => `enable_plugin ${name} file://${join(work.path, "srv", name)}`), ""].join("\n"));
    const dest = join(work.path, "dest");
    const stack = [opts.bin, "stack", "-q", "-c", conf, "--cache-dir", join(work.path, "cache"), "--dest", dest];
    run(stack, work.path); // cold: lock, cache, checkouts
    run(stack, work.path); // warm once (page cache, state of a successful run)
    const loop = join(work.path, "loop.sh");
    writeFileSync(loop, bareLoop(names.map((name) => join(dest, name))));
    const stacks: number[] = [];
    const loops: number[] = [];
    const rss: number[] = [];
    const probes: number[] = [];
    const systemPython: number[] = [];
    const hasSystemPython = existsSync(SYSTEM_PYTHON3) && Bun.which("python3") !== SYSTEM_PYTHON3;
    if (!hasSystemPython) opts.log(`  python3 is ${SYSTEM_PYTHON3} or there is none: no second set of warm stacks with it first on PATH`);
    for (let i = 0; i < opts.runs; i++) {
      loops.push(run(["bash", loop], work.path).ms);
      probes.push(run(["python3", "-c", PYTHON3_PROBE], join(dest, ".plugstack", "top"), { HOME: work.path }).ms);
      const s = run(stack, work.path);
      stacks.push(s.ms);
      rss.push(s.rssKiB);
    }
    // in a block of their own, after one unmeasured run: PATH is part of the
    // key of the kept localrc evaluation (one entry per local.conf), so
    // alternating the two PATHs would make every warm stack evaluate again
    if (hasSystemPython) {
      const env = { PATH: `${dirname(SYSTEM_PYTHON3)}:${process.env.PATH ?? ""}` };
      run(stack, work.path, env);
      for (let i = 0; i < opts.runs; i++) systemPython.push(run(stack, work.path, env).ms);
    }
    const ms = (ts: number[]) => ts.map((t) => `${t.toFixed(1)}ms`).join(" ");
    opts.log(
      `  N=${n}: stack ${ms(stacks)}, bare loop ${ms(loops)}, python3 probe ${ms(probes)}, stack with ${SYSTEM_PYTHON3} ${ms(systemPython) || "-"}, peak RSS ${rss.map((k) => `${(k / 1024).toFixed(1)}MiB`).join(" ")}`,
    );
    return {
      n,
      stack: median(stacks),
      loop: median(loops),
      rssKiB: median(rss),
      probe: median(probes),
      stackSystemPython: hasSystemPython ? median(systemPython) : null,
    };
  } finally {
    work.cleanup();
  }
}

function sizes(opts: BenchOptions): number[] {
  return opts.sizes ?? (opts.smoke ? [2, 4] : [10, 50, 200]);
}

export async function benchDispatch(opts: BenchOptions): Promise<BenchRow[]> {
  const all: Measured[] = [];
  for (const n of sizes(opts)) all.push(await measure(opts, n));
  const rows: BenchRow[] = all.map((m) => ({
    scenario: "dispatch",
    n: `${m.n} plugins`,
    figure: "warm plugstack stack",
    value: m.stack,
    baselineName: "bare bash loop, 7 hook points",
    baseline: m.loop,
    unit: "ms",
    goal: { limit: 1.25 * m.loop + 60, text: "<= 1.25x + 60 ms" },
  }));
  for (const m of all) {
    if (m.stackSystemPython === null) continue;
    rows.push({
      scenario: "dispatch",
      n: `${m.n} plugins`,
      figure: `warm stack, ${SYSTEM_PYTHON3} first on PATH`,
      value: m.stackSystemPython,
      baselineName: "bare bash loop, 7 hook points",
      baseline: m.loop,
      unit: "ms",
      goal: { limit: 1.25 * m.loop + 60, text: "<= 1.25x + 60 ms" },
    });
  }
  const first = all[0]!;
  // the probe alone; in a stack it runs beside the library's load, so this is not all added time
  rows.push({
    scenario: "dispatch",
    n: `${first.n} plugins`,
    figure: "stackrc's python3 version probe alone",
    value: median(all.map((m) => m.probe)),
    baselineName: "warm plugstack stack",
    baseline: first.stack,
    unit: "ms",
  });
  // cost of each added plugin at each of the 7 hook points, from the smallest to each larger N
  for (const m of all.slice(1)) {
    const per = (x: (m: Measured) => number) => (x(m) - x(first)) / (m.n - first.n) / 7;
    rows.push({
      scenario: "dispatch",
      n: `${first.n} -> ${m.n} plugins`,
      figure: "stack: per added plugin per hook point",
      value: per((x) => x.stack),
      baselineName: "bare loop: the same",
      baseline: Math.max(
        per((x) => x.loop),
        0.001,
      ),
      unit: "ms",
      goal: { limit: 0.3, text: "<= 0.30 ms" },
    });
  }
  return rows;
}

export async function benchMemory(opts: BenchOptions): Promise<BenchRow[]> {
  const ns = sizes(opts);
  const small = await measure(opts, Math.min(...ns));
  const large = await measure(opts, Math.max(...ns));
  return [
    {
      scenario: "memory",
      n: `${large.n} vs ${small.n} plugins`,
      figure: `peak RSS, warm stack of ${large.n}`,
      value: large.rssKiB / 1024,
      baselineName: `the same, ${small.n} plugins`,
      baseline: small.rssKiB / 1024,
      unit: "MiB",
      goal: { limit: (1.3 * small.rssKiB) / 1024, text: "<= 1.30" },
    },
  ];
}

// Multi-node benchmark: the wall time of deploy/ansible/stack.yml on three
// namespace hosts (test/multinode/lab.ts) against each host's own
// `plugstack stack` time, measured in the same run (from Ansible's JSON
// callback). Goal: the stacking part of the play takes at most the
// controller's time plus the slowest subnode's time plus 30%, which holds
// only when the subnodes really run in parallel. Needs root.
//
//   npx bun scripts/bench/multinode.ts [--work SECONDS] [--runs N] [--bin PATH]
//
// --work makes every host's install hook sleep that long, so that stacking
// outweighs Ansible's per-task overhead. Prints figures; asserts nothing.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { makeFixtureRepos, writeInventory } from "../../test/multinode/fixture.ts";
import { createLab, labUnavailable } from "../../test/multinode/lab.ts";

const { values: opts } = parseArgs({
  options: {
    work: { type: "string", default: "5" },
    runs: { type: "string", default: "2" },
    bin: { type: "string", default: join(import.meta.dir, "..", "..", "dist", "plugstack") },
  },
});
const ROOT = join(import.meta.dir, "..", "..");
const RUNS = Number(opts.runs);
const BIN = opts.bin!;

const unavailable = labUnavailable();
if (unavailable) {
  console.error(`multinode benchmark: ${unavailable}`);
  process.exit(2);
}
if (!existsSync(BIN)) {
  const build = Bun.spawnSync([process.execPath, join(ROOT, "scripts", "build.ts")], { stdout: "inherit", stderr: "inherit" });
  if (build.exitCode !== 0) process.exit(build.exitCode ?? 1);
}

interface HostTimes {
  start: number;
  end: number;
}

/** The `plugstack stack` task's start and end on each host, from Ansible's JSON callback output. */
function stackTimes(json: string): Record<string, HostTimes> {
  const out: Record<string, HostTimes> = {};
  const doc = JSON.parse(json.slice(json.indexOf("{")));
  for (const play of doc.plays) {
    for (const task of play.tasks) {
      for (const [host, r] of Object.entries(task.hosts as Record<string, { cmd?: string[]; start?: string; end?: string }>)) {
        // the task that ran `<install dir>/plugstack stack ...` on this host
        if (!r.cmd?.[0]?.endsWith("/plugstack") || r.cmd[1] !== "stack" || !r.start || !r.end) continue;
        out[host] = { start: Date.parse(r.start.replace(" ", "T")), end: Date.parse(r.end.replace(" ", "T")) };
      }
    }
  }
  return out;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const lab = await createLab(["ctl", "sub1", "sub2"]);
try {
  makeFixtureRepos(lab);
  lab.setGitRoute(true);
  const inventory = join(lab.dir, "inventory.yml");
  writeInventory(lab, inventory, { devstack_localrc: { ADMIN_PASSWORD: "secret", PS12_WORK_SECONDS: opts.work } });
  const env = { ...lab.ansibleEnv(), ANSIBLE_STDOUT_CALLBACK: "json" };
  const vars = [
    "-e",
    `plugstack_binary=${BIN}`,
    "-e",
    `plugstack_results_dir=${join(lab.dir, "results")}`,
    "-e",
    `plugstack_control_cache_dir=${join(lab.dir, "cache")}`,
  ];
  const playbook = (name: string) => {
    const t0 = performance.now();
    const r = Bun.spawnSync(["ansible-playbook", "-i", inventory, join(ROOT, "deploy", "ansible", name), ...vars], {
      cwd: lab.dir,
      env,
      stdout: "pipe",
      stderr: "pipe",
    });
    const ms = performance.now() - t0;
    if (r.exitCode !== 0) throw new Error(`${name} failed:\n${r.stdout.toString().slice(-4000)}\n${r.stderr.toString()}`);
    return { ms, stdout: r.stdout.toString() };
  };
  const [ctl, ...subs] = lab.hosts.map((h) => h.name);
  console.log(`load average before: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} (2 cores shared with other work)`);
  console.log(`hook work per host: ${opts.work} s; runs: ${RUNS} (each from clean hosts)\n`);
  console.log(
    "run | play wall | stacking wall | controller | slowest subnode | ctl+slowest | goal (x1.3) | all hosts one after another | stacking / (ctl+slowest) | subnodes overlap | gap ctl end -> subnodes start",
  );
  for (let i = 1; i <= RUNS; i++) {
    const play = playbook("stack.yml");
    const t = stackTimes(play.stdout);
    const dur = (h: string) => t[h]!.end - t[h]!.start;
    const ctlMs = dur(ctl!);
    const slowest = Math.max(...subs.map(dur));
    const stacking = Math.max(...subs.map((h) => t[h]!.end)) - t[ctl!]!.start;
    const serial = ctlMs + subs.map(dur).reduce((a, b) => a + b, 0);
    // how much of the shorter subnode run happened while the others ran too
    const overlap = (Math.min(...subs.map((h) => t[h]!.end)) - Math.max(...subs.map((h) => t[h]!.start))) / Math.min(...subs.map(dur));
    const gap = Math.min(...subs.map((h) => t[h]!.start)) - t[ctl!]!.end;
    console.log(
      `${i} | ${s(play.ms)} | ${s(stacking)} | ${s(ctlMs)} | ${s(slowest)} | ${s(ctlMs + slowest)} | ${s((ctlMs + slowest) * 1.3)} | ${s(serial)} | ${(stacking / (ctlMs + slowest)).toFixed(2)}x | ${Math.round(Math.max(0, overlap) * 100)}% | ${s(gap)}`,
    );
    playbook("clean.yml");
  }
  console.log(`\nload average after: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
  console.log(
    "stacking wall: from the controller's `plugstack stack` start to the last subnode's end; the play wall also holds the lock, render and push plays.",
  );
} finally {
  await lab.teardown();
}

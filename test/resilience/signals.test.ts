// Signals: SIGINT, SIGTERM and SIGHUP stop plugstack and everything it
// started (the stack shell's whole process group, background children
// included), remove lock and temp files, exit 130/143/129 and say where
// they stopped; a second signal kills at once; after SIGKILL the stack
// shell and the localrc evaluation die too; a stray `yes` in localrc is
// stopped by the output cap; temp folders of dead runs are swept; seeded
// signal trials during fetch, bundle import and bundle create leave no
// process and no file behind.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/git.ts";
import { makePlugin, plugstack, writeConf } from "../repro/helpers.ts";
import { deadPid, pidAlive, processTree, replayable, seededRandom, startBinary, suiteSeed, waitFor } from "./helpers.ts";

setDefaultTimeout(120_000);

const tmp = tempDir("plugstack-signals-");
afterAll(() => tmp.cleanup());

const srv = join(tmp.path, "srv");
// stack install: a background sleep and a foreground one (a hook that hangs)
makePlugin(join(srv, "hang"), "hang", {
  extra: [
    'if [[ "$1 $2" == "stack install" ]]; then',
    '  [[ -n ${PS_IGNORE_TERM:-} ]] && trap "" TERM INT HUP',
    '  sleep 300 & echo "background $!" >> "$PS_CALLS"',
    '  echo "hanging $$" >> "$PS_CALLS"; sleep 300',
    "fi",
  ],
});

let caseNo = 0;
function newCase(localrc: string[] = []) {
  const root = join(tmp.path, `case-${++caseNo}`);
  const tmpdir = join(root, "tmpdir");
  mkdirSync(tmpdir, { recursive: true });
  const calls = join(root, "calls");
  const conf = writeConf(join(root, "conf"), [...localrc, `enable_plugin hang file://${join(srv, "hang")}`]);
  const dest = join(root, "dest");
  return { root, calls, conf, dest, tmpdir, env: { PLUGSTACK_CACHE: join(root, "cache"), PS_CALLS: calls, TMPDIR: tmpdir } };
}

const hanging = (calls: string) => existsSync(calls) && readFileSync(calls, "utf8").includes("hanging");

describe("a signal during a hook", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    test(`${signal}: every child stops, lock and temp files go, exit ${code} with one line saying where`, async () => {
      const c = newCase();
      const run = startBinary(["stack", "-c", c.conf, "--dest", c.dest], { cwd: c.root, env: c.env });
      expect(await waitFor(() => hanging(c.calls), 60_000)).toBe(true);
      const tree = processTree(run.pid);
      expect(tree.length).toBeGreaterThanOrEqual(3); // bash, its sleep, the background sleep (and the watcher)
      expect(existsSync(join(c.dest, ".plugstack-lock"))).toBe(true);
      run.proc.kill(signal);
      const r = await run.done;
      expect(r.code).toBe(code);
      const last = r.stderr.trimEnd().split("\n").at(-1);
      expect(last).toBe(`plugstack: stopped by ${signal} during stack: stack install, plugin hang (plugin.sh)`);
      expect(r.stderr).not.toContain("internal error");
      expect(tree.filter(pidAlive)).toEqual([]);
      expect(existsSync(join(c.dest, ".plugstack-lock"))).toBe(false);
      expect(readdirSync(c.tmpdir)).toEqual([]);
    });
  }

  test("a second signal kills at once, even a hook that ignores the first", async () => {
    const c = newCase();
    const run = startBinary(["stack", "-c", c.conf, "--dest", c.dest], { cwd: c.root, env: { ...c.env, PS_IGNORE_TERM: "1" } });
    expect(await waitFor(() => hanging(c.calls), 60_000)).toBe(true);
    const tree = processTree(run.pid);
    run.proc.kill("SIGTERM");
    await Bun.sleep(500);
    expect(pidAlive(run.pid)).toBe(true); // still in its grace period: the hook ignored SIGTERM
    run.proc.kill("SIGTERM");
    const r = await run.done;
    expect(r.code).toBe(143);
    expect(r.stderr).toContain("plugstack: second SIGTERM: killed at once during stack: stack install, plugin hang");
    expect(await waitFor(() => tree.filter(pidAlive).length === 0, 2000)).toBe(true);
    expect(existsSync(join(c.dest, ".plugstack-lock"))).toBe(false);
  });
});

describe("after SIGKILL nothing plugstack started lives on", () => {
  test("the stack shell, its hook and the hook's background child die with plugstack", async () => {
    const c = newCase();
    const run = startBinary(["stack", "-c", c.conf, "--dest", c.dest], { cwd: c.root, env: c.env });
    expect(await waitFor(() => hanging(c.calls), 60_000)).toBe(true);
    const tree = processTree(run.pid);
    expect(tree.length).toBeGreaterThanOrEqual(3);
    run.proc.kill("SIGKILL");
    await run.done;
    // the watcher in the shell's process group checks once a second
    expect(await waitFor(() => tree.filter(pidAlive).length === 0, 10_000)).toBe(true);
  });

  test("a localrc evaluation that hangs dies with plugstack; the next run sweeps its temp folder", async () => {
    const c = newCase(["[[ -n ${PS_HANG:-} ]] && sleep 300"]);
    const run = startBinary(["plan", "-c", c.conf, "--dest", c.dest], { cwd: c.root, env: { ...c.env, PS_HANG: "1" } });
    expect(
      await waitFor(() => readdirSync(c.tmpdir).some((e) => e.startsWith(`plugstack-localrc-${run.pid}-`)) && processTree(run.pid).length >= 2, 30_000),
    ).toBe(true);
    await Bun.sleep(300);
    const tree = processTree(run.pid);
    run.proc.kill("SIGKILL");
    await run.done;
    expect(await waitFor(() => tree.filter(pidAlive).length === 0, 10_000)).toBe(true);
    expect(readdirSync(c.tmpdir).filter((e) => e.startsWith("plugstack-localrc-"))).toHaveLength(1);
    const next = await plugstack(["status", "-c", c.conf, "--dest", c.dest], { cwd: c.root, env: c.env });
    expect(next.stderr).not.toContain("internal error");
    expect(readdirSync(c.tmpdir)).toEqual([]);
  });
});

describe("localrc evaluation limits", () => {
  test("a stray `yes` in localrc is stopped by the output cap with a clear error, leaving nothing", async () => {
    const c = newCase(["yes"]);
    const r = await plugstack(["stack", "-c", c.conf, "--dest", c.dest], { cwd: c.root, env: { ...c.env, PLUGSTACK_EVAL_OUTPUT_MAX: "1048576" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("local.conf:2: evaluating the localrc text printed more than 1024 KiB and was stopped");
    expect(r.stderr).toContain("yes");
    expect(readdirSync(c.tmpdir)).toEqual([]);
  });

  test("a localrc that never ends is stopped at the time limit", async () => {
    const c = newCase(["while :; do :; done"]);
    const r = await plugstack(["plan", "-c", c.conf], { cwd: c.root, env: { ...c.env, PLUGSTACK_EVAL_TIMEOUT: "2" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("took longer than 2s and was stopped");
    expect(readdirSync(c.tmpdir)).toEqual([]);
  });
});

describe("stale temp folders", () => {
  test("folders of dead plugstack processes are swept at start; a live process's are kept", async () => {
    const c = newCase();
    const dead = deadPid();
    for (const d of [`plugstack-import-${dead}-abc123`, `plugstack-localrc-${dead}-Zx9QwE`, `plugstack-localrc-${process.pid}-keepme`])
      mkdirSync(join(c.tmpdir, d, "sub"), { recursive: true });
    const r = await plugstack(["status", "-c", c.conf, "--dest", c.dest], { cwd: c.root, env: c.env });
    expect(r.stderr).not.toContain("internal error");
    expect(readdirSync(c.tmpdir)).toEqual([`plugstack-localrc-${process.pid}-keepme`]);
  });
});

describe("seeded signal trials during fetch, bundle import and bundle create", () => {
  const seed = suiteSeed("signal trials");
  test(
    "SIGINT, SIGTERM or SIGHUP at a random point: finished, or stopped with its exit code and one line; no process of its group left",
    replayable(seed, async (at) => {
      const rnd = seededRandom(seed);
      const root = join(tmp.path, "signal-trials");
      const srvDir = join(root, "srv");
      for (const n of ["a", "b", "c"]) makePlugin(join(srvDir, n), n, { commits: 4 });
      const conf = writeConf(
        join(root, "conf"),
        ["a", "b", "c"].map((n) => `enable_plugin ${n} file://${join(srvDir, n)}`),
      );
      const tmpdir = join(root, "tmpdir");
      mkdirSync(tmpdir, { recursive: true });
      const env = { PLUGSTACK_CACHE: join(root, "cache"), TMPDIR: tmpdir };
      expect((await plugstack(["lock", "-c", conf], { cwd: root, env })).code).toBe(0);
      const bundle = join(root, "stack.bundle");
      expect((await plugstack(["bundle", "create", bundle, "-c", conf], { cwd: root, env })).code).toBe(0);
      const signals = [
        ["SIGINT", 130],
        ["SIGTERM", 143],
        ["SIGHUP", 129],
      ] as const;
      for (let i = 0; i < 15; i++) {
        const [signal, code] = signals[Math.floor(rnd() * 3)]!;
        const kind = (["fetch", "import", "create"] as const)[i % 3]!;
        const cache = join(root, `cache-${i}`);
        const out = join(root, `out-${i}`);
        const args =
          kind === "import"
            ? ["bundle", "import", bundle, "-c", join(root, `imp-${i}`, "local.conf"), "--cache-dir", cache]
            : kind === "create"
              ? ["bundle", "create", join(out, "stack.bundle"), "-c", conf]
              : ["fetch", "-c", conf, "--cache-dir", cache];
        if (kind === "import") mkdirSync(join(root, `imp-${i}`));
        if (kind === "create") mkdirSync(out);
        const run = startBinary(args, { cwd: root, env });
        const ms = Math.floor(rnd() * 1500);
        at(`trial ${i}: ${signal} during ${kind} at ${ms} ms`);
        const seen = new Set<number>();
        const deadline = Date.now() + ms;
        while (Date.now() < deadline && run.proc.exitCode === null) {
          for (const p of processTree(run.pid)) seen.add(p);
          await Bun.sleep(10);
        }
        run.proc.kill(signal);
        const r = await run.done;
        const trial = { i, signal, ms, kind };
        expect(r.stderr).not.toContain("install git");
        expect(r.stderr).not.toContain("internal error");
        if (r.code !== 0) {
          expect({ ...trial, code: r.code }).toEqual({ ...trial, code });
          // a signal that lands while the runtime itself starts ends it before
          // plugstack runs any code (nothing was started, nothing to say)
          if (r.stderr !== "" || seen.size > 0) expect(r.stderr.trimEnd().split("\n").at(-1)).toMatch(new RegExp(`^plugstack: stopped by ${signal} during `));
        }
        expect({ ...trial, left: [...seen].filter(pidAlive) }).toEqual({ ...trial, left: [] });
        expect({ ...trial, tmp: readdirSync(tmpdir) }).toEqual({ ...trial, tmp: [] });
        // an interrupted bundle create leaves nothing beside its output
        if (kind === "create") expect({ ...trial, out: readdirSync(out) }).toEqual({ ...trial, out: r.code === 0 ? ["stack.bundle"] : [] });
      }
    }),
  );
});

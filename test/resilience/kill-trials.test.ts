// Seeded SIGKILL trials: fetch, lock, stack, bundle create and bundle import
// are killed at random points (20 times each; the seed is printed, and
// PLUGSTACK_TEST_SEED replays it). After every kill: `verify --full` finds
// no damaged mirror (a killed run may leave something missing, never
// something broken that looks complete), the lock is the old one or the new
// one, a user's edit in a checkout is kept, a bundle file is absent or whole,
// and nothing the killed run started is still running. Every few trials the
// command is run again to the end and `verify --full` must pass.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addCommit, tempDir } from "../helpers/git.ts";
import { makePlugin, plugstack, writeConf } from "../repro/helpers.ts";
import { leftovers, pidAlive, processTree, replayable, seededRandom, startBinary, suiteSeed, waitFor } from "./helpers.ts";

const TRIALS = Number(process.env.PLUGSTACK_KILL_TRIALS) > 0 ? Number(process.env.PLUGSTACK_KILL_TRIALS) : 20;
const RECOVER_EVERY = 5;
/** Per test: 20 trials on a loaded 2-core machine take up to a few minutes (stack is the slowest). */
const TRIAL_TIMEOUT = TRIALS * 15_000 + 60_000;
setDefaultTimeout(TRIAL_TIMEOUT);

const tmp = tempDir("plugstack-kill-trials-");
afterAll(() => tmp.cleanup());
const seed = suiteSeed("SIGKILL trials");
const root = tmp.path;
const srv = join(root, "srv");
const conf = join(root, "conf", "local.conf");
const lockPath = `${conf}.lock`;
const cache = join(root, "cache");
const dest = join(root, "dest");
const tmpdir = join(root, "tmpdir");
const env = { PLUGSTACK_CACHE: cache, PS_CALLS: join(root, "calls"), TMPDIR: tmpdir };
let lockOld = "";
let lockNew = "";

interface Verified {
  code: number;
  broken: string[];
}

/** verify --full --json: lines that say a mirror is damaged (missing is fine after a kill). */
async function verify(args: string[] = []): Promise<Verified> {
  const r = await plugstack(["verify", "--full", "--json", "-c", conf, "--dest", dest, ...args], { cwd: root, env });
  expect(r.stderr).not.toContain("internal error");
  const doc = JSON.parse(r.stdout) as { result: { cache: { status: string; detail: string }[] } | null };
  const broken = (doc.result?.cache ?? [])
    .filter((l) => l.status === "drift" && /fsck failed|corrupt|missing (blob|tree|commit)/i.test(l.detail))
    .map((l) => l.detail);
  return { code: r.code, broken };
}

/** Start `args`, SIGKILL plugstack at `ms` (if still running); returns what it started, and whether it finished first. */
async function killAt(args: string[], ms: number, extraEnv: Record<string, string> = {}): Promise<{ finished: boolean; tree: number[] }> {
  const run = startBinary(args, { cwd: root, env: { ...env, ...extraEnv } });
  const tree = new Set<number>();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && run.proc.exitCode === null) {
    for (const p of processTree(run.pid)) tree.add(p);
    await Bun.sleep(Math.min(20, Math.max(1, deadline - Date.now())));
  }
  const finished = run.proc.exitCode !== null;
  if (!finished) run.proc.kill("SIGKILL");
  await run.done;
  return { finished, tree: [...tree] };
}

/**
 * Counts the trials whose kill landed before the command finished. A trial
 * that finished first tests nothing; kill points are drawn from 0 to 1.2 x
 * the measured duration, so most land, and a quarter at least must.
 */
function killTally() {
  let landed = 0;
  return {
    add<T extends { finished: boolean }>(r: T): T {
      if (!r.finished) landed++;
      return r;
    },
    check(): void {
      expect({ landed, trials: TRIALS, enough: landed >= Math.max(1, Math.floor(TRIALS / 4)) }).toMatchObject({ enough: true });
    },
  };
}

/** How long `args` takes when nobody kills it (the range kill points are drawn from). */
async function duration(args: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await plugstack(args, { cwd: root, env });
  expect({ args, code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
  return performance.now() - t0;
}

async function noOrphans(tree: number[]): Promise<void> {
  // a killed stack's shell group is stopped by its watcher within a second or two
  expect(await waitFor(() => tree.filter(pidAlive).length === 0, 15_000)).toBe(true);
}

beforeAll(async () => {
  mkdirSync(tmpdir, { recursive: true });
  for (const n of ["alpha", "beta", "gamma"]) makePlugin(join(srv, n), n, { commits: 3 });
  writeConf(
    join(root, "conf"),
    ["alpha", "beta", "gamma"].map((n) => `enable_plugin ${n} file://${join(srv, n)}`),
  );
  expect((await plugstack(["lock", "-c", conf], { cwd: root, env })).code).toBe(0);
  lockOld = readFileSync(lockPath, "utf8");
  for (const n of ["alpha", "beta"]) addCommit(join(srv, n), { message: "upstream moves on" });
  expect((await plugstack(["lock", "--update", "-c", conf], { cwd: root, env: { ...env, PLUGSTACK_CACHE: join(root, "cache-probe") } })).code).toBe(0);
  lockNew = readFileSync(lockPath, "utf8");
  expect(lockNew).not.toBe(lockOld);
  writeFileSync(lockPath, lockOld);
});

describe(`SIGKILL trials (${TRIALS} each)`, () => {
  test(
    "fetch",
    replayable(seed, async (at) => {
      const rnd = seededRandom(seed + 1);
      const kills = killTally();
      const args = ["fetch", "-c", conf];
      const d = await duration(args);
      rmSync(cache, { recursive: true, force: true });
      for (let i = 0; i < TRIALS; i++) {
        const ms = Math.floor(rnd() * d * 1.2);
        at(`trial ${i}, SIGKILL at ${ms} ms`);
        const { tree } = kills.add(await killAt(args, ms));
        await noOrphans(tree);
        const v = await verify();
        expect({ trial: i, ms, broken: v.broken }).toEqual({ trial: i, ms, broken: [] });
        if (i % RECOVER_EVERY === RECOVER_EVERY - 1 || i === TRIALS - 1) {
          expect((await plugstack(args, { cwd: root, env })).code).toBe(0);
          expect({ trial: i, ms, code: (await verify()).code }).toEqual({ trial: i, ms, code: 0 });
          rmSync(cache, { recursive: true, force: true });
        }
      }
      kills.check();
    }),
    TRIAL_TIMEOUT,
  );

  test(
    "lock --update: the lock is always the old one or the new one",
    replayable(seed, async (at) => {
      const rnd = seededRandom(seed + 2);
      const kills = killTally();
      const args = ["lock", "--update", "-c", conf];
      const d = await duration(args);
      for (let i = 0; i < TRIALS; i++) {
        writeFileSync(lockPath, lockOld);
        const ms = Math.floor(rnd() * d * 1.2);
        at(`trial ${i}, SIGKILL at ${ms} ms`);
        const { tree } = kills.add(await killAt(args, ms));
        await noOrphans(tree);
        const now = readFileSync(lockPath, "utf8");
        expect({ trial: i, ms, lock: now === lockOld ? "old" : now === lockNew ? "new" : now }).toMatchObject({ lock: expect.stringMatching(/^(old|new)$/) });
        expect((await verify()).broken).toEqual([]);
      }
      kills.check();
      writeFileSync(lockPath, lockNew);
    }),
    TRIAL_TIMEOUT,
  );

  test(
    "stack: a user's edit in a checkout survives every kill; the next stack completes",
    replayable(seed, async (at) => {
      const rnd = seededRandom(seed + 3);
      const kills = killTally();
      writeFileSync(lockPath, lockNew);
      const args = ["stack", "-c", conf, "--dest", dest];
      const d = await duration(args);
      const edited = join(dest, "gamma", "devstack", "settings");
      appendFileSync(edited, "# my local edit\n");
      for (let i = 0; i < TRIALS; i++) {
        const ms = Math.floor(rnd() * d * 1.2);
        at(`trial ${i}, SIGKILL at ${ms} ms`);
        const { tree } = kills.add(await killAt(args, ms));
        await noOrphans(tree);
        expect({ trial: i, ms, edit: readFileSync(edited, "utf8").includes("# my local edit") }).toEqual({ trial: i, ms, edit: true });
        const lock = readFileSync(lockPath, "utf8");
        expect({ trial: i, ms, lock: lock === lockNew || lock === lockOld }).toEqual({ trial: i, ms, lock: true });
        expect((await verify()).broken).toEqual([]);
        if (i % RECOVER_EVERY === RECOVER_EVERY - 1 || i === TRIALS - 1) {
          const r = await plugstack(args, { cwd: root, env });
          expect({ trial: i, ms, code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
          expect(r.stderr).toContain("gamma"); // the edited checkout is kept and said so
        }
      }
      kills.check();
      expect(leftovers(dest).filter((l) => !l.startsWith("logs/"))).toEqual([]);
    }),
    TRIAL_TIMEOUT,
  );

  test(
    "bundle create: the file is absent or whole; nothing is left beside it after the next create",
    replayable(seed, async (at) => {
      const rnd = seededRandom(seed + 4);
      const kills = killTally();
      const out = join(root, "out");
      mkdirSync(out, { recursive: true });
      const file = join(out, "stack.bundle");
      const args = ["bundle", "create", file, "-c", conf];
      const d = await duration(args);
      for (let i = 0; i < TRIALS; i++) {
        rmSync(file, { force: true });
        const ms = Math.floor(rnd() * d * 1.2);
        at(`trial ${i}, SIGKILL at ${ms} ms`);
        const { tree } = kills.add(await killAt(args, ms));
        await noOrphans(tree);
        if (existsSync(file)) {
          const scratch = join(root, `scratch-${i}`);
          mkdirSync(scratch);
          const r = await plugstack(["bundle", "import", file, "-c", join(scratch, "local.conf"), "--cache-dir", join(scratch, "cache")], {
            cwd: scratch,
            env: { TMPDIR: tmpdir },
          });
          expect({ trial: i, ms, code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
          rmSync(scratch, { recursive: true, force: true });
        }
      }
      kills.check();
      expect((await plugstack(args, { cwd: root, env })).code).toBe(0);
      expect(readdirSync(out)).toEqual(["stack.bundle"]);
      expect(readdirSync(tmpdir)).toEqual([]);
    }),
    TRIAL_TIMEOUT,
  );

  test(
    "bundle import: no damaged mirror, the lock absent or whole; the next import completes",
    replayable(seed, async (at) => {
      const rnd = seededRandom(seed + 5);
      const kills = killTally();
      const file = join(root, "out", "stack.bundle");
      const target = join(root, "import");
      const tconf = join(target, "local.conf");
      const tcache = join(target, "cache");
      const args = ["bundle", "import", file, "-c", tconf, "--cache-dir", tcache];
      mkdirSync(target, { recursive: true });
      const d = await duration(args);
      const bundled = readFileSync(`${tconf}.lock`, "utf8");
      for (let i = 0; i < TRIALS; i++) {
        rmSync(tcache, { recursive: true, force: true });
        rmSync(`${tconf}.lock`, { force: true });
        const ms = Math.floor(rnd() * d * 1.2);
        at(`trial ${i}, SIGKILL at ${ms} ms`);
        const { tree } = kills.add(await killAt(args, ms));
        await noOrphans(tree);
        if (existsSync(`${tconf}.lock`))
          expect({ trial: i, ms, lock: readFileSync(`${tconf}.lock`, "utf8") === bundled }).toEqual({ trial: i, ms, lock: true });
        if (existsSync(`${tconf}.lock`)) {
          writeFileSync(tconf, readFileSync(conf, "utf8"));
          const v = await plugstack(["verify", "--full", "--json", "-c", tconf, "--cache-dir", tcache, "--dest", join(target, "dest")], { cwd: target, env });
          expect(v.stderr).not.toContain("internal error");
          expect({ trial: i, ms, out: v.stdout }).not.toMatchObject({ out: expect.stringContaining("fsck failed") });
          rmSync(tconf, { force: true });
        }
        if (i % RECOVER_EVERY === RECOVER_EVERY - 1 || i === TRIALS - 1) {
          const r = await plugstack(args, { cwd: target, env });
          expect({ trial: i, ms, code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
        }
      }
      kills.check();
      expect(leftovers(tcache)).toEqual([]);
    }),
    TRIAL_TIMEOUT,
  );
});

// Killing fetch, bundle import and stack at spread-out random points (the
// whole process group, as Ctrl-C or a crash would; the points are seeded, the
// seed is printed and PLUGSTACK_TEST_SEED replays it), then checking that
// nothing the cache or DEST trusts is incomplete, and that a re-run finishes
// the job: `verify --full` passes.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MIRROR_MARKER } from "../../src/plugins/cache.ts";
import { binaryEnv } from "../e2e/harness.ts";
import { git, makeRepo } from "../helpers/git.ts";
import { gitDaemonSuite } from "../plugins/ctx.ts";
import { replayable, seededRandom, suiteSeed } from "../resilience/helpers.ts";
import { BIN, plugstack, writeConf } from "./helpers.ts";

const { tmp, srv, urlFor } = gitDaemonSuite({ prefix: "plugstack-kill-", startTimeoutMs: 30_000 });
let conf: string;
const NAMES = ["p1", "p2", "p3", "p4"];

beforeAll(async () => {
  // one history of 40 commits with some weight, served under four names (four mirrors)
  const commits = Array.from({ length: 40 }, (_, i) => ({ files: { [`f${i}.txt`]: `${i} ${"x".repeat(64)}\n`.repeat(500), "devstack/settings": `# ${i}\n` } }));
  makeRepo(join(srv, NAMES[0]!), { commits, tags: { "1.0.0": 10 } });
  for (const name of NAMES.slice(1)) git(srv, "clone", "-q", "--bare", join(srv, NAMES[0]!), join(srv, name));
  conf = writeConf(
    join(tmp, "cfg"),
    NAMES.map((n) => `enable_plugin ${n} ${urlFor(n)}`),
  );
  const r = await plugstack(["lock", "-q", "-c", conf, "--cache-dir", join(tmp, "cache-ref")], { cwd: tmp });
  if (r.code !== 0) throw new Error(r.stderr);
}, 60_000);

/** Run the binary in its own process group; kill the group after `ms` (if still running). */
async function killedAfter(args: string[], ms: number): Promise<number | null> {
  const proc = Bun.spawn(["setsid", BIN, ...args], { cwd: tmp, env: binaryEnv(tmp), stdout: "ignore", stderr: "ignore" });
  const timer = setTimeout(() => {
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, ms);
  const code = await proc.exited;
  clearTimeout(timer);
  return proc.signalCode ? null : code;
}

/** Run the binary in its own process group; kill the group `delayMs` after `ready()` first holds (if still running). */
async function killedWhen(args: string[], ready: () => boolean, delayMs: number): Promise<void> {
  const proc = Bun.spawn(["setsid", BIN, ...args], { cwd: tmp, env: binaryEnv(tmp), stdout: "ignore", stderr: "ignore" });
  while (proc.exitCode === null && !ready()) await Bun.sleep(1);
  if (proc.exitCode === null) {
    await Bun.sleep(delayMs);
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await proc.exited;
}

async function timed(args: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await plugstack(args, { cwd: tmp });
  if (r.code !== 0) throw new Error(r.stderr);
  return performance.now() - t0;
}

/** Every mirror the cache trusts (has its marker) is complete: fsck clean, every pin with its whole history. */
function assertNothingTrustedIsIncomplete(cache: string): void {
  const gitDir = join(cache, "git");
  if (!existsSync(gitDir)) return;
  for (const e of readdirSync(gitDir)) {
    if (!e.endsWith(".git")) continue;
    const path = join(gitDir, e);
    if (!existsSync(join(path, MIRROR_MARKER))) throw new Error(`${path} sits at a mirror's final path without its completion marker`);
    git(path, "fsck", "--no-progress", "--no-dangling", "--connectivity-only");
    const pins = git(path, "for-each-ref", "--format=%(objectname)", "refs/pins").split("\n").filter(Boolean);
    for (const pin of pins) git(path, "rev-list", "--objects", "--quiet", pin);
  }
}

const seed = suiteSeed("kill points (fetch, bundle import, stack)");

/** Spread-out points in (0, total): a seeded random point inside each of `n` equal slices. */
function killPoints(rnd: () => number, total: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(((i + rnd()) / n) * total));
}

const verifyArgs = (cache: string, dest: string) => ["verify", "--full", "-c", conf, "--cache-dir", cache, "--dest", dest];

describe("killed at random points, then re-run", () => {
  test(
    "fetch",
    replayable(seed, async (at) => {
      const rnd = seededRandom(seed + 1);
      const full = await timed(["fetch", "-q", "-c", conf, "--cache-dir", join(tmp, "cache-timing")]);
      for (const [i, ms] of killPoints(rnd, full, 4).entries()) {
        at(`kill point ${i} at ${ms} ms`);
        const cache = join(tmp, `cache-fetch-${i}`);
        await killedAfter(["fetch", "-q", "-c", conf, "--cache-dir", cache], ms);
        assertNothingTrustedIsIncomplete(cache);
        const again = await plugstack(["fetch", "-q", "-c", conf, "--cache-dir", cache], { cwd: tmp });
        expect({ ms, code: again.code, err: again.stderr }).toEqual({ ms, code: 0, err: "" });
        const v = await plugstack(verifyArgs(cache, join(tmp, "no-dest")), { cwd: tmp });
        expect({ ms, code: v.code }).toEqual({ ms, code: 0 });
        expect(readdirSync(join(cache, "git")).filter((e) => e.includes("plugstack-tmp-") || e.endsWith("-lock"))).toEqual([]);
      }
    }),
    120_000,
  );

  test(
    "bundle import",
    replayable(seed, async (at) => {
      const rnd = seededRandom(seed + 2);
      const bundle = join(tmp, "kill.bundle");
      const c = await plugstack(["bundle", "create", bundle, "-q", "-c", conf, "--cache-dir", join(tmp, "cache-ref")], { cwd: tmp });
      expect(c.code).toBe(0);
      const full = await timed(["bundle", "import", bundle, "-q", "-c", conf, "--cache-dir", join(tmp, "cache-import-timing")]);
      for (const [i, ms] of killPoints(rnd, full, 4).entries()) {
        at(`kill point ${i} at ${ms} ms`);
        const cache = join(tmp, `cache-import-${i}`);
        await killedAfter(["bundle", "import", bundle, "-q", "-c", conf, "--cache-dir", cache], ms);
        assertNothingTrustedIsIncomplete(cache);
        const again = await plugstack(["bundle", "import", bundle, "-q", "-c", conf, "--cache-dir", cache], { cwd: tmp });
        expect({ ms, code: again.code, err: again.stderr }).toEqual({ ms, code: 0, err: "" });
        expect((await plugstack(verifyArgs(cache, join(tmp, "no-dest")), { cwd: tmp })).code).toBe(0);
      }
    }),
    120_000,
  );

  test(
    "stack --locked into an empty DEST: checkouts appear whole or not at all",
    replayable(seed, async (at) => {
      const rnd = seededRandom(seed + 3);
      const cache = join(tmp, "cache-ref");
      const args = (dest: string) => ["stack", "--locked", "-q", "-c", conf, "--cache-dir", cache, "--dest", dest];
      const full = await timed(args(join(tmp, "dest-timing")));
      for (const [i, ms] of killPoints(rnd, full, 5).entries()) {
        at(`kill point ${i} at ${ms} ms`);
        const dest = join(tmp, `dest-${i}`);
        await killedAfter(args(dest), ms);
        for (const name of NAMES) {
          const dir = join(dest, name);
          if (existsSync(dir)) git(dir, "fsck", "--no-progress", "--no-dangling", "--connectivity-only");
        }
        const again = await plugstack(args(dest), { cwd: tmp });
        expect({ ms, code: again.code }).toEqual({ ms, code: 0 });
        const v = await plugstack(verifyArgs(cache, dest), { cwd: tmp });
        expect({ ms, code: v.code, out: v.stdout.includes("DRIFT") }).toEqual({ ms, code: 0, out: false });
      }
    }),
    120_000,
  );

  test(
    "stack --locked killed while git rewrites the checkouts it moves: the next stack finishes the move",
    replayable(seed, async (at) => {
      const rnd = seededRandom(seed + 4);
      const cache = join(tmp, "cache-ref");
      const dest = join(tmp, "dest-move");
      const args = ["stack", "--locked", "-q", "-c", conf, "--cache-dir", cache, "--dest", dest];
      const lockPath = `${conf}.lock`;
      const lockNew = readFileSync(lockPath, "utf8");
      const head = /commit = "([0-9a-f]{40})"/.exec(lockNew)![1]!;
      // the same plugins 30 commits back: moving to the head writes 30 files in every checkout
      const older = git(join(srv, NAMES[0]!), "rev-parse", `${head}~30`);
      const lockOld = lockNew.replaceAll(head, older);
      const stackAt = async (lock: string) => {
        writeFileSync(lockPath, lock);
        const r = await plugstack(args, { cwd: tmp });
        expect({ code: r.code, err: r.stderr }).toMatchObject({ code: 0 });
      };
      let interrupted = 0;
      try {
        for (let i = 0; i < 5; i++) {
          await stackAt(lockOld);
          writeFileSync(lockPath, lockNew);
          // killed once git has written one of the new files in one checkout, a few ms later
          const name = NAMES[Math.floor(rnd() * NAMES.length)]!;
          const file = join(dest, name, `f${20 + Math.floor(rnd() * 10)}.txt`);
          const delay = Math.floor(rnd() * 4);
          at(`trial ${i}: killed ${delay} ms after ${file} appears`);
          await killedWhen(args, () => existsSync(file), delay);
          // a move the kill cut short leaves its mark: at least one trial must have done so
          if (NAMES.some((n) => existsSync(join(dest, n, ".git", "plugstack-changing")))) interrupted++;
          const again = await plugstack(args, { cwd: tmp });
          expect({ i, code: again.code, err: again.stderr }).toEqual({ i, code: 0, err: "" });
          const where = NAMES.map((n) => ({ n, head: git(join(dest, n), "rev-parse", "HEAD"), dirty: git(join(dest, n), "status", "--porcelain") }));
          expect({ i, where }).toEqual({ i, where: NAMES.map((n) => ({ n, head, dirty: "" })) });
        }
        expect({ interrupted, enough: interrupted >= 1 }).toMatchObject({ enough: true });
      } finally {
        writeFileSync(lockPath, lockNew);
      }
    }),
    120_000,
  );
});

// Shared fixtures of the resilience suite: a seeded random source (the seed
// is printed, and PLUGSTACK_TEST_SEED replays a run), the binary started as
// a live process (to signal or kill it), and the checks every trial ends with.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { binaryEnv } from "../e2e/harness.ts";
import { BIN } from "../repro/helpers.ts";

/** A small seeded PRNG (mulberry32): the same seed gives the same trials. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: $PLUGSTACK_TEST_SEED, else a fresh one; printed so a failure can be replayed. */
export function suiteSeed(what: string): number {
  const given = Number(process.env.PLUGSTACK_TEST_SEED);
  const seed = Number.isInteger(given) && given > 0 ? given : Math.floor(Math.random() * 2 ** 31) + 1;
  console.log(`[seed] ${what}: PLUGSTACK_TEST_SEED=${seed}`);
  return seed;
}

/**
 * Wrap a test of seeded trials: a failure's message starts with the seed and
 * the trial it was in (set with `at`), so it can be replayed with
 * PLUGSTACK_TEST_SEED.
 */
export function replayable(seed: number, body: (at: (where: string) => void) => Promise<void>): () => Promise<void> {
  return async () => {
    let where = "";
    try {
      await body((w) => {
        where = w;
      });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      err.message = `[seed ${seed}${where ? `, ${where}` : ""}] replay with PLUGSTACK_TEST_SEED=${seed}\n${err.message}`;
      throw err;
    }
  };
}

export interface Live {
  proc: ReturnType<typeof Bun.spawn>;
  pid: number;
  /** exit status and outputs once it ends */
  done: Promise<{ code: number; signal: number | string | null; stdout: string; stderr: string }>;
}

/** Start the compiled binary and return at once. */
export function startBinary(args: string[], opts: { cwd: string; env?: Record<string, string> }): Live {
  const proc = Bun.spawn([BIN, ...args], { cwd: opts.cwd, env: binaryEnv(opts.cwd, opts.env), stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const done = (async () => {
    const [stdout, stderr] = await Promise.all([new Response(proc.stdout as ReadableStream).text(), new Response(proc.stderr as ReadableStream).text()]);
    const code = await proc.exited;
    return { code, signal: proc.signalCode ?? null, stdout, stderr };
  })();
  return { proc, pid: proc.pid, done };
}

/** Wait until `check` holds (true) or `ms` passed (false). */
export async function waitFor(check: () => boolean, ms: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await Bun.sleep(stepMs);
  }
  return check();
}

function stat(pid: number): { ppid: number; pgid: number; state: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: rest[0] ?? "", ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return null;
  }
}

/** Live (non-zombie) processes below `pid`, and every live member of the process groups they lead. */
export function processTree(pid: number): number[] {
  const all = readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
  const info = new Map(all.map((p) => [p, stat(p)]));
  const found = new Set<number>();
  const walk = (p: number) => {
    for (const [c, s] of info)
      if (s && s.ppid === p && !found.has(c)) {
        found.add(c);
        walk(c);
      }
  };
  walk(pid);
  const groups = new Set([...found].filter((p) => info.get(p)?.pgid === p));
  for (const [p, s] of info) if (s && groups.has(s.pgid)) found.add(p);
  return [...found].filter((p) => {
    const s = stat(p);
    return s !== null && s.state !== "Z";
  });
}

/** Members of process group `pgid` still alive (not zombies). */
export function groupMembers(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((p) => {
      const s = stat(p);
      return s !== null && s.pgid === pgid && s.state !== "Z";
    });
}

export function pidAlive(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== "Z";
}

/** A pid that belonged to a process that has ended (for stale lock and temp fixtures). */
export function deadPid(): number {
  const p = Bun.spawnSync(["bash", "-c", "echo $$"]);
  return Number(p.stdout.toString().trim());
}

/** Entries of `dir` that plugstack leaves while working: temp, staging and lock files. */
export function leftovers(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (/\.tmp-|plugstack-tmp-|^plugstack-[a-z-]+-\d+-[A-Za-z0-9]{6}$|plugstack-lock$/.test(e.name)) out.push(r);
      if (e.isDirectory() && !e.isSymbolicLink() && e.name !== "objects") walk(join(d, e.name), r);
    }
  };
  walk(dir, "");
  return out;
}

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { acquireFileLock, pidAlive, readLockHolder, withFileLock } from "../../src/plugins/file-lock.ts";
import { fakeClock } from "../helpers/clock.ts";
import { tempDir } from "../helpers/git.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function deadPid(): number {
  const p = Bun.spawnSync(["sh", "-c", "echo $$"]);
  return Number(p.stdout.toString().trim());
}

describe("file lock", () => {
  test("records pid, host and command, and removes itself on release", async () => {
    const path = join(tmp.path, "a.lock");
    await withFileLock(path, { what: "a", command: "plugstack fetch" }, async () => {
      const h = readLockHolder(path);
      expect(h).toMatchObject({ pid: process.pid, host: hostname(), command: "plugstack fetch" });
    });
    expect(existsSync(path)).toBe(false);
  });

  test("a lock left by a dead process on this host is broken", async () => {
    const path = join(tmp.path, "b.lock");
    const pid = deadPid();
    expect(pidAlive(pid)).toBe(false);
    writeFileSync(path, JSON.stringify({ pid, host: hostname(), command: "killed", since: "then" }));
    const release = await acquireFileLock(path, { what: "b", timeoutMs: 2000 });
    expect(readLockHolder(path)?.pid).toBe(process.pid);
    release();
  });

  test("a live holder makes us wait, polling, then time out naming it and the time waited", async () => {
    const path = join(tmp.path, "c.lock");
    writeFileSync(path, JSON.stringify({ pid: 1, host: hostname(), command: "plugstack stack", since: "now" }));
    for (const [timeoutMs, said] of [
      [30_000, "30s"],
      [300, "300ms"],
    ] as const) {
      const seen: unknown[] = [];
      const clock = fakeClock();
      const err = await acquireFileLock(path, { what: "the cache mirror of X", timeoutMs, pollMs: 250, clock, onWait: (h) => seen.push(h) }).catch((e) => e);
      expect(seen).toEqual([{ pid: 1, host: hostname(), command: "plugstack stack", since: "now" }]);
      // it polled every 250 ms until the timeout had passed, and no longer
      expect(new Set(clock.sleeps)).toEqual(new Set([250]));
      expect(clock.sleeps).toHaveLength(Math.floor(timeoutMs / 250) + 1);
      expect(err.message).toMatch(
        new RegExp(`^timed out after ${said} waiting for the cache mirror of X: locked by pid 1 on .* \\(plugstack stack, since now\\)$`),
      );
      expect(err.hint).toBe(`if that process is gone, remove ${path}`);
    }
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(1);
  });

  test("a zero timeout or noWait fails at once, naming the holder, without waiting", async () => {
    const path = join(tmp.path, "z.lock");
    writeFileSync(path, JSON.stringify({ pid: 1, host: hostname(), command: "plugstack stack", since: "now" }));
    for (const opts of [{ timeoutMs: 0 }, { noWait: true }]) {
      const clock = fakeClock();
      const err = await acquireFileLock(path, { what: "DEST /opt/stack", clock, ...opts }).catch((e) => e);
      expect(clock.sleeps).toEqual([]);
      expect(err.message).toMatch(/^DEST \/opt\/stack is in use by pid 1 on .* \(plugstack stack, since now\)$/);
      expect(err.hint).toBe(`wait for it to finish; if that process is gone, remove ${path}`);
    }
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(1);
  });

  test("an unreadable lock file is taken over after a 2 s grace period (it may be being written)", async () => {
    const path = join(tmp.path, "e.lock");
    writeFileSync(path, "");
    const clock = fakeClock();
    const release = await acquireFileLock(path, { what: "e", pollMs: 100, clock });
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(readLockHolder(path)?.pid).toBe(process.pid);
    release();
  });

  test("in-process waiters are serialised", async () => {
    const path = join(tmp.path, "d.lock");
    const order: string[] = [];
    const job = (name: string) =>
      withFileLock(path, { what: "d", pollMs: 10 }, async () => {
        order.push(`${name}+`);
        await Bun.sleep(30);
        order.push(`${name}-`);
      });
    await Promise.all([job("a"), job("b")]);
    expect(order.join(" ")).toMatch(/^(a\+ a- b\+ b-|b\+ b- a\+ a-)$/);
  });
});

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { acquireFileLock, pidAlive, readLockHolder, withFileLock } from "../../src/plugins/file-lock.ts";
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

  test("a live holder makes us wait, then time out naming it", async () => {
    const path = join(tmp.path, "c.lock");
    writeFileSync(path, JSON.stringify({ pid: 1, host: hostname(), command: "plugstack stack", since: "now" }));
    const seen: unknown[] = [];
    const err = await acquireFileLock(path, { what: "the cache mirror of X", timeoutMs: 300, pollMs: 50, onWait: (h) => seen.push(h) }).catch((e) => e);
    expect(seen).toHaveLength(1);
    expect(err.message).toMatch(/^timed out after 0s waiting for the cache mirror of X: locked by pid 1 on .* \(plugstack stack, since now\)$/);
    expect(err.hint).toBe(`if that process is gone, remove ${path}`);
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(1);
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

import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureMirror, findMirror, MIRROR_MARKER, mirrorPath, withMirrorLock } from "../../src/plugins/cache.ts";
import { git, makeRepo } from "../helpers/git.ts";
import { collectOutput } from "../helpers/process.ts";
import { gitDaemonSuite, testCtx } from "./ctx.ts";

const { tmp, srv, urlFor } = gitDaemonSuite();

const script = join(import.meta.dir, "fixtures", "ensure-mirror.ts");

function child(cacheDir: string, url: string) {
  return Bun.spawn([process.execPath, script, cacheDir, url], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
}

/**
 * Wait until no process works under `dir` any more: a network git runs in
 * a process group of its own, so the git clone of a child killed alone goes
 * on (into its temp copy) for a while.
 */
async function orphansGone(dir: string): Promise<void> {
  const working = () =>
    readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n))
      .some((n) => {
        try {
          return readFileSync(`/proc/${n}/cmdline`, "utf8").includes(dir);
        } catch {
          return false;
        }
      });
  const deadline = Date.now() + 20_000;
  while (working() && Date.now() < deadline) await Bun.sleep(20);
}

async function finish(p: ReturnType<typeof child>) {
  const r = await collectOutput(p);
  return { out: r.stdout.trim(), err: r.stderr, code: r.code };
}

describe("two processes on one mirror", () => {
  test("racing ensureMirror calls both succeed and leave one sound mirror", async () => {
    const repo = makeRepo(join(srv, "race"), { commits: 30 });
    const cacheDir = join(tmp, "cache-race");
    const url = urlFor("race");
    const [a, b] = await Promise.all([finish(child(cacheDir, url)), finish(child(cacheDir, url))]);
    expect(a.err + b.err).not.toContain("error");
    expect([a.code, b.code]).toEqual([0, 0]);
    const expected = `${mirrorPath(cacheDir, url)} ${repo.commits[29]}`;
    expect(a.out).toBe(expected);
    expect(b.out).toBe(expected);
    git(mirrorPath(cacheDir, url), "fsck", "--strict", "--no-progress");
    expect(readdirSync(join(cacheDir, "git")).sort()).toEqual([mirrorPath(cacheDir, url).split("/").at(-1)!]);
  });

  test("the second process waits and says who holds the mirror", async () => {
    const repo = makeRepo(join(srv, "wait"));
    const cacheDir = join(tmp, "cache-wait");
    const url = urlFor("wait");
    const ctx = testCtx(tmp, { cacheDir });
    let p: ReturnType<typeof child> | undefined;
    let stderr = "";
    await withMirrorLock(ctx, url, async () => {
      p = child(cacheDir, url);
      const reader = p.stderr.getReader();
      const deadline = Date.now() + 10_000;
      while (!stderr.includes("waiting for") && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        stderr += new TextDecoder().decode(value);
      }
      reader.releaseLock();
    });
    expect(stderr).toContain(`waiting for the cache mirror of ${url}: in use by pid ${process.pid}`);
    const code = await p!.exited;
    expect(code).toBe(0);
    expect(git(mirrorPath(cacheDir, url), "rev-parse", "master")).toBe(repo.commits[0]!);
  });

  test("killing a fetch at any point never leaves a mirror that is trusted but incomplete", async () => {
    const repo = makeRepo(join(srv, "kill"), { commits: 40, tags: { "1.0.0": 5 } });
    const url = urlFor("kill");
    for (const delay of [20, 60, 100, 140, 200]) {
      const cacheDir = join(tmp, `cache-kill-${delay}`);
      const p = child(cacheDir, url);
      await Bun.sleep(delay);
      p.kill("SIGKILL");
      await p.exited;
      await orphansGone(cacheDir);
      const found = findMirror(cacheDir, url);
      if (found) {
        expect(existsSync(join(found.path, MIRROR_MARKER))).toBe(true);
        git(found.path, "fsck", "--no-progress");
      }
      const ctx = testCtx(tmp, { cacheDir });
      const mirror = await ensureMirror(ctx, url, { update: true });
      expect(git(mirror.path, "rev-parse", "master")).toBe(repo.commits[39]!);
      expect(readdirSync(join(cacheDir, "git")).filter((e) => e.includes("plugstack-tmp-") || e.endsWith("-lock"))).toEqual([]);
    }
  });
});

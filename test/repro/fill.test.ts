// Filling the cache from the lock: plugins and [[repo]] entries, pinned;
// force-push and deleted branches upstream; offline misses; retries with
// backoff and the per-remote timeout, against real servers on 127.0.0.1.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { FetchError } from "../../src/errors.ts";
import { findMirror, pinRef } from "../../src/plugins/cache.ts";
import type { FetchProgress } from "../../src/plugins/fetch.ts";
import { fillCache, lockTargets } from "../../src/plugins/fill.ts";
import { lockFromPlugins } from "../../src/plugins/lockfile.ts";
import { fakeClock } from "../helpers/clock.ts";
import { addCommit, deleteBranch, freePort, git, makeRepo, pruneUnreferenced, rewriteTip, spawnGitDaemon, switchBranch, waitForPort } from "../helpers/git.ts";
import { recordingLog } from "../helpers/log.ts";
import { gitDaemonSuite } from "../plugins/ctx.ts";

setDefaultTimeout(30_000); // git and the compiled binary on a loaded 2-core machine

const suite = gitDaemonSuite({ prefix: "plugstack-fill-", startTimeoutMs: 30_000 });
const newCase = () => suite.newCase();

describe("fillCache", () => {
  test("every [[plugin]] and [[repo]] commit lands in the cache, pinned; a second fill finds them cached", async () => {
    const c = newCase();
    const heat = makeRepo(c.served("heat"), { commits: 3 });
    const lib = makeRepo(c.served("lib"), { commits: 2 });
    const local = makeRepo(join(c.root, "local-plugin"), { commits: 1 });
    const lock = lockFromPlugins(
      [
        { name: "heat", url: c.url("heat"), ref: "master", commit: heat.commits[1]! },
        { name: "local", url: "./local-plugin", ref: "master", commit: local.commits[0]! },
        { name: "dir", url: "./plain", ref: "master", commit: null },
      ],
      [{ url: c.url("lib"), ref: "master", commit: lib.commits[0]!, requested_by: "heat" }],
    );
    const targets = lockTargets(lock, c.root);
    expect(targets.map((t) => [t.label, t.location])).toEqual([
      ["heat", c.url("heat")],
      ["local", join(c.root, "local-plugin")],
      [`lib-${c.k} (git_clone by heat)`, c.url("lib")],
    ]);
    const events: FetchProgress[] = [];
    const first = await fillCache(c.ctx, targets, { onProgress: (e) => events.push(e) });
    expect(first.map((r) => [r.label, r.status])).toEqual([
      ["heat", "fetched"],
      ["local", "fetched"],
      [`lib-${c.k} (git_clone by heat)`, "fetched"],
    ]);
    for (const t of targets) {
      const mirror = findMirror(c.ctx.cacheDir, t.location)!;
      expect(git(mirror.path, "rev-parse", pinRef(t.commit))).toBe(t.commit);
    }
    expect(events.filter((e) => e.plugin === "heat").map((e) => e.state)).toEqual(["queued", "fetching", "resolving", "done"]);
    const second = await fillCache(c.ctx, targets);
    expect(second.every((r) => r.status === "cached")).toBe(true);
  });

  test("a locked commit that upstream lost (force-push, deleted branch) is still served once it was fetched", async () => {
    const c = newCase();
    const heat = makeRepo(c.served("heat"), { commits: 2 });
    switchBranch(heat.dir, "feature");
    const feature = addCommit(heat.dir, { message: "feature" });
    const lock = lockFromPlugins([
      { name: "heat", url: c.url("heat"), ref: "master", commit: heat.commits[1]! },
      { name: "feat", url: c.url("heat"), ref: "feature", commit: feature },
    ]);
    await fillCache(c.ctx, lockTargets(lock, c.root));
    rewriteTip(heat.dir, "master");
    deleteBranch(heat.dir, "feature");
    pruneUnreferenced(heat.dir);
    for (const sha of [heat.commits[1]!, feature]) expect(Bun.spawnSync(["git", "-C", heat.dir, "cat-file", "-e", sha]).exitCode).not.toBe(0);
    const again = await fillCache(c.ctx, lockTargets(lock, c.root));
    expect(again.map((r) => r.status)).toEqual(["cached", "cached"]);
  });

  test("a locked commit upstream lost before any fetch: the error names plugin, commit and the fix", async () => {
    const c = newCase();
    makeRepo(c.served("heat"), { commits: 1 });
    const lock = lockFromPlugins([{ name: "heat", url: c.url("heat"), ref: "master", commit: "0".repeat(40) }]);
    const err = await fillCache(c.ctx, lockTargets(lock, c.root)).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toContain(`heat: locked commit ${"0".repeat(40)} is neither upstream`);
    expect(err.hint).toContain("plugstack lock --update heat");
  });

  test("offline: one error lists every missing plugin and repo with its commit, nothing is tried", async () => {
    const c = newCase();
    const heat = makeRepo(c.served("heat"), { commits: 1 });
    await fillCache(c.ctx, lockTargets(lockFromPlugins([{ name: "heat", url: c.url("heat"), ref: "master", commit: heat.commits[0]! }]), c.root));
    const newer = addCommit(heat.dir); // upstream moved after the cache was filled
    const lock = lockFromPlugins(
      [
        { name: "heat", url: c.url("heat"), ref: "master", commit: newer },
        { name: "nova", url: "https://example.invalid/nova", ref: "stable/2024.1", commit: "1".repeat(40) },
      ],
      [{ url: "git://127.0.0.1:9/lib", ref: "master", commit: "2".repeat(40), requested_by: "nova" }],
    );
    const err = await fillCache({ ...c.ctx, offline: true }, lockTargets(lock, c.root)).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toContain("not in the cache (offline), 3 items:");
    expect(err.message).toContain(`  - heat: ${c.url("heat")} master (locked commit ${newer})`);
    expect(err.message).toContain(`  - nova: https://example.invalid/nova stable/2024.1 (locked commit ${"1".repeat(40)})`);
    expect(err.message).toContain(`  - lib (git_clone by nova): git://127.0.0.1:9/lib master (locked commit ${"2".repeat(40)})`);
    expect(err.hint).toContain("plugstack fetch");
  });
});

describe("network failures", () => {
  test("a refused connection is retried with backoff (1 s, then 2 s) until the server comes up", async () => {
    const c = newCase();
    const repo = makeRepo(c.served("late"), { commits: 1 });
    const port = await freePort();
    const url = `git://127.0.0.1:${port}/late-${c.k}`;
    const { log, lines } = recordingLog();
    const lock = lockFromPlugins([{ name: "late", url, ref: "master", commit: repo.commits[0]! }]);
    let daemon: ReturnType<typeof spawnGitDaemon> | undefined;
    // the server comes up during the second wait: two refused tries, the third fetches
    const clock = fakeClock({
      onSleep: async (_ms, count) => {
        if (count === 2) {
          daemon = spawnGitDaemon(suite.srv, port);
          await waitForPort(port, 10_000, daemon);
        }
      },
    });
    try {
      const out = await fillCache({ ...c.ctx, log, clock }, lockTargets(lock, c.root));
      expect(out[0]!.status).toBe("fetched");
      expect(clock.sleeps).toEqual([1000, 2000]);
      const retries = lines.filter((l) => l.includes("retrying"));
      expect(retries).toHaveLength(2);
      expect(retries[0]).toContain(`cloning ${url} failed (attempt 1 of 3), retrying`);
      expect(retries[1]).toContain(`cloning ${url} failed (attempt 2 of 3), retrying`);
    } finally {
      daemon?.kill();
      await daemon?.exited;
    }
  }, 30_000);

  test("a server that never comes up: 3 tries, 1 s and 2 s apart, then the error", async () => {
    const c = newCase();
    const port = await freePort();
    const url = `git://127.0.0.1:${port}/never`;
    const { log, lines } = recordingLog();
    const clock = fakeClock();
    const lock = lockFromPlugins([{ name: "never", url, ref: "master", commit: "4".repeat(40) }]);
    const err = await fillCache({ ...c.ctx, log, clock }, lockTargets(lock, c.root)).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toMatch(/Connection refused|Failed to connect|unable to connect/i);
    expect(clock.sleeps).toEqual([1000, 2000]);
    expect(lines.filter((l) => l.includes("retrying"))).toHaveLength(2);
  }, 30_000);

  test("a remote that never answers times out after PLUGSTACK_GIT_TIMEOUT, PLUGSTACK_GIT_RETRIES times", async () => {
    const c = newCase();
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const { log, lines } = recordingLog();
      const clock = fakeClock();
      const ctx = { ...c.ctx, log, clock, env: { ...c.ctx.env, PLUGSTACK_GIT_TIMEOUT: "1", PLUGSTACK_GIT_RETRIES: "2" } };
      const lock = lockFromPlugins([{ name: "mute", url: `git://127.0.0.1:${silent.port}/mute`, ref: "master", commit: "3".repeat(40) }]);
      const err = await fillCache(ctx, lockTargets(lock, c.root)).catch((e) => e);
      expect(err).toBeInstanceOf(FetchError);
      expect(err.message).toContain("timed out after 1s");
      expect(lines.filter((l) => l.includes("retrying"))).toHaveLength(1);
      expect(lines[0]).toContain("attempt 1 of 2");
      expect(clock.sleeps).toEqual([1000]);
    } finally {
      silent.stop(true);
    }
  }, 30_000);
});

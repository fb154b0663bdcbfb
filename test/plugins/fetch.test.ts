import { describe, expect, test } from "bun:test";
import { lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FetchError, LockError } from "../../src/errors.ts";
import { type FetchProgress, materialisePlugins, resolvePlugins } from "../../src/plugins/fetch.ts";
import { lockFromPlugins } from "../../src/plugins/lockfile.ts";
import type { PluginSpec } from "../../src/plugins/spec.ts";
import { addBranch, addCommit, addTag, deleteBranch, git, headOf, makeRepo, rewriteTip } from "../helpers/git.ts";
import { gitDaemonSuite, pluginSpec, testCtx } from "./ctx.ts";

const suite = gitDaemonSuite();

function newCase() {
  const c = suite.newCase();
  const conf = join(c.root, "local.conf");
  let order = 0;
  const spec = (name: string, url: string, ref?: string): PluginSpec => pluginSpec(conf, name, url, ref, order++);
  return { ...c, dest: join(c.root, "dest"), spec };
}

describe("materialisePlugins", () => {
  test("branch over git://, tag and SHA over file://: HEAD is the resolved commit; progress per plugin", async () => {
    const c = newCase();
    const a = makeRepo(c.served("a"), { commits: 2 });
    const b = makeRepo(join(c.root, "b"), { commits: 3, tags: { "1.0.0": 1 } });
    const d = makeRepo(join(c.root, "d"), { commits: 3 });
    const events: FetchProgress[] = [];
    const specs = [c.spec("a", c.url("a")), c.spec("b", b.url, "1.0.0"), c.spec("d", d.url, d.commits[0])];
    const out = await materialisePlugins(c.ctx, specs, { dest: c.dest, onProgress: (e) => events.push(e) });
    expect(out.map((p) => [p.name, p.commit, p.resolvedRef, p.status, p.source])).toEqual([
      ["a", a.commits[1]!, "master", "cloned", "git"],
      ["b", b.commits[1]!, "1.0.0", "cloned", "git"],
      ["d", d.commits[0]!, d.commits[0]!, "cloned", "git"],
    ]);
    for (const p of out) expect(headOf(p.dir)).toBe(p.commit!);
    expect(out[0]!.dir).toBe(join(c.dest, "a"));
    expect(git(join(c.dest, "a"), "remote", "get-url", "origin")).toBe(c.url("a"));
    const states = (name: string) => events.filter((e) => e.plugin === name).map((e) => e.state);
    expect(states("a")).toEqual(["queued", "fetching", "resolving", "checking-out", "done"]);
    expect(events.find((e) => e.plugin === "b" && e.state === "done")?.detail).toBe(`cloned ${b.commits[1]!.slice(0, 7)} (1.0.0)`);
    const again = await materialisePlugins(c.ctx, specs, { dest: c.dest });
    expect(again.map((p) => p.status)).toEqual(["reused", "reused", "reused"]);
  });

  test("no master upstream and no REF given: the remote default branch, with a notice", async () => {
    const c = newCase();
    const r = makeRepo(c.served("m"), { branch: "main", commits: 2 });
    const [p] = await materialisePlugins(c.ctx, [c.spec("m", c.url("m"))], { dest: c.dest });
    expect(p).toMatchObject({ commit: r.commits[1]!, resolvedRef: "main", ref: "master" });
    expect(p!.message).toBe(`m: ${c.url("m")} has no master branch; using its default branch main`);
    const err = await materialisePlugins(c.ctx, [c.spec("m", c.url("m"), "master")], { dest: c.dest }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toBe(`m: ref master not found in ${c.url("m")}`);
    expect(err.hint).toContain("branches there: main");
  });

  test("a plain local directory is symlinked; a local git repo goes through the cache", async () => {
    const c = newCase();
    mkdirSync(join(c.root, "plugins", "plain", "devstack"), { recursive: true });
    const repo = makeRepo(join(c.root, "plugins", "repo"), { commits: 2 });
    const out = await materialisePlugins(c.ctx, [c.spec("plain", "plugins/plain"), c.spec("repo", "./plugins/repo")], { dest: c.dest });
    expect(out[0]).toMatchObject({ source: "directory", commit: null, status: "linked", url: "plugins/plain" });
    expect(lstatSync(join(c.dest, "plain")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(c.dest, "plain"))).toBe(join(c.root, "plugins", "plain"));
    expect(out[1]).toMatchObject({ source: "git", commit: repo.commits[1]!, status: "cloned" });
    expect(lstatSync(join(c.dest, "repo")).isDirectory()).toBe(true);
    expect(git(join(c.dest, "repo"), "remote", "get-url", "origin")).toBe(repo.dir);
  });

  test("a missing local path names the enable_plugin line", async () => {
    const c = newCase();
    const err = await materialisePlugins(c.ctx, [c.spec("gone", "plugins/gone")], { dest: c.dest }).catch((e) => e);
    expect(err.message).toBe(
      `gone: local plugin path ${join(c.root, "plugins/gone")} is not a directory (from "plugins/gone" at ${join(c.root, "local.conf")}:1)`,
    );
  });

  test("several failures are reported together", async () => {
    const c = newCase();
    makeRepo(c.served("x"));
    const err = await materialisePlugins(c.ctx, [c.spec("x", c.url("x"), "nope"), c.spec("y", "plugins/none")], { dest: c.dest }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toStartWith("2 plugins failed:\n  - x: ref nope not found in");
    expect(err.message).toContain("  - y: local plugin path");
  });
});

describe("lock and offline", () => {
  test("the lock wins while url and ref are unchanged, and survives a force-push upstream", async () => {
    const c = newCase();
    const r = makeRepo(c.served("l"), { commits: 2 });
    const specs = [c.spec("l", c.url("l"))];
    const first = await resolvePlugins(c.ctx, specs);
    const lock = lockFromPlugins(first);
    rewriteTip(r.dir, "master");
    git(r.dir, "reflog", "expire", "--expire=now", "--all");
    git(r.dir, "gc", "-q", "--prune=now");
    await resolvePlugins(c.ctx, specs, { update: true }); // mirror follows the force-push
    git(join(c.ctx.cacheDir, "git", readdirSync(join(c.ctx.cacheDir, "git"))[0]!), "gc", "-q", "--prune=now");
    const [p] = await materialisePlugins(c.ctx, specs, { dest: c.dest, lock, locked: true });
    expect(p).toMatchObject({ commit: r.commits[1]!, fromLock: true, status: "cloned" });
    expect(headOf(p!.dir)).toBe(r.commits[1]!);
    const [fresh] = await resolvePlugins(c.ctx, specs, { lock, update: ["l"] });
    expect(fresh!.commit).toBe(headOf(r.dir));
    const [changed] = await resolvePlugins(c.ctx, [c.spec("l", c.url("l"), "master")], { lock });
    expect(changed!.fromLock).toBe(true); // same url and ref: "master" given or not
  });

  test("a locked commit gone upstream and from the cache is an error naming plugin and commit", async () => {
    const c = newCase();
    const r = makeRepo(c.served("g"), { commits: 2 });
    const specs = [c.spec("g", c.url("g"))];
    const lock = lockFromPlugins(await resolvePlugins(c.ctx, specs));
    rewriteTip(r.dir, "master");
    git(r.dir, "reflog", "expire", "--expire=now", "--all");
    git(r.dir, "gc", "-q", "--prune=now");
    rmSync(c.ctx.cacheDir, { recursive: true });
    const err = await resolvePlugins(c.ctx, specs, { lock }).catch((e) => e);
    expect(err.message).toBe(`g: locked commit ${r.commits[1]} is neither upstream (${c.url("g")}) nor in the cache`);
    expect(err.hint).toContain("plugstack lock --update g");
  });

  test("--locked without a matching entry is a LockError", async () => {
    const c = newCase();
    makeRepo(c.served("k"));
    const err = await resolvePlugins(c.ctx, [c.spec("k", c.url("k"))], { lock: null, locked: true }).catch((e) => e);
    expect(err).toBeInstanceOf(LockError);
    expect(err.message).toBe(`k: no lock entry for ${c.url("k")} at master (--locked)`);
  });

  test("offline: a warm cache serves a locked stack with the server gone; misses are named together", async () => {
    const c = newCase();
    makeRepo(c.served("w"), { commits: 2 });
    const specs = [c.spec("w", c.url("w"))];
    const lock = lockFromPlugins(await resolvePlugins(c.ctx, specs));
    rmSync(c.served("w"), { recursive: true });
    const offline = testCtx(c.root, { offline: true });
    const [p] = await materialisePlugins(offline, specs, { dest: c.dest, lock, locked: true });
    expect(headOf(p!.dir)).toBe(lock.plugins[0]!.commit!);
    const more = [...specs, c.spec("v", "git://127.0.0.1:1/v"), c.spec("u", "https://example.invalid/u", "stable/x")];
    const err = await materialisePlugins(offline, more, { dest: c.dest }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toBe("not in the cache (offline), 2 plugins:\n  - v: git://127.0.0.1:1/v master\n  - u: https://example.invalid/u stable/x");
    expect(err.hint).toContain("plugstack fetch");
    const lockedMiss = lockFromPlugins([{ name: "v", url: "git://127.0.0.1:1/v", ref: "master", commit: "a".repeat(40) }]);
    const err2 = await resolvePlugins(offline, [c.spec("v", "git://127.0.0.1:1/v")], { lock: lockedMiss }).catch((e) => e);
    expect(err2.message).toContain(`(locked commit ${"a".repeat(40)})`);
  });

  test("a retired stable branch suggests its successors", async () => {
    const c = newCase();
    const r = makeRepo(c.served("s"), { commits: 2 });
    addBranch(r.dir, "stable/2023.1", r.commits[0]);
    addTag(r.dir, "2023.1-eol", { at: r.commits[0] });
    deleteBranch(r.dir, "stable/2023.1");
    addCommit(r.dir);
    const err = await resolvePlugins(c.ctx, [c.spec("s", c.url("s"), "stable/2023.1")]).catch((e) => e);
    expect(err.message).toBe(`s: ref stable/2023.1 not found in ${c.url("s")}`);
    expect(err.hint).toContain("candidates: 2023.1-eol");
  });

  test("a dirty checkout is kept and reported, HEAD untouched", async () => {
    const c = newCase();
    const r = makeRepo(c.served("z"), { commits: 1 });
    const specs = [c.spec("z", c.url("z"))];
    await materialisePlugins(c.ctx, specs, { dest: c.dest });
    writeFileSync(join(c.dest, "z", "README"), "dev work\n");
    const next = addCommit(r.dir);
    const [p] = await materialisePlugins(c.ctx, specs, { dest: c.dest });
    expect(p).toMatchObject({ status: "kept-dirty", commit: next, head: r.commits[0]! });
    expect(p!.message).toContain("kept: local changes (README)");
  });
});

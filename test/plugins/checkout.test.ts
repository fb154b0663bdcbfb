import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CheckoutError } from "../../src/errors.ts";
import { ensureMirror, type Mirror } from "../../src/plugins/cache.ts";
import { type CheckoutRequest, checkoutCommit, linkDirectory } from "../../src/plugins/checkout.ts";
import { addCommit, addTag, git, headOf, makeRepo, type Repo, type RepoOptions, rewriteTip, tempDir } from "../helpers/git.ts";
import { testCtx } from "./ctx.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

let n = 0;
async function setup(opts: { commits?: RepoOptions["commits"] } = {}) {
  const root = join(tmp.path, `case-${++n}`);
  mkdirSync(root);
  const ctx = testCtx(root);
  const repo: Repo = makeRepo(join(root, "upstream"), { commits: opts.commits ?? 3, tags: { "1.0.0": 0, "1.1.0": 1 } });
  const mirror: Mirror = await ensureMirror(ctx, repo.url);
  const dir = join(root, "dest", "plugin");
  const req = (commit: string, over: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
    name: "plugin",
    dir,
    mirror,
    upstreamUrl: "https://example.invalid/plugin",
    commit,
    ...over,
  });
  return { root, ctx, repo, mirror, dir, req };
}

/** A checkout at the first of `commits` (the repo setup makes), for the killed-move cases. */
async function checkedOut(commits?: RepoOptions["commits"]) {
  const s = await setup({ commits });
  await checkoutCommit(s.ctx, s.req(s.repo.commits[0]!));
  return s;
}

/**
 * What a run SIGKILLed while moving the checkout at `dir` to `target` leaves
 * in its .git: its mark, naming `pid` (by default a process that is gone),
 * and the lock files git was holding (`locks`, relative to .git).
 */
function leaveKilledMove(dir: string, target: string, opts: { pid?: number; locks?: string[] } = {}): string[] {
  writeFileSync(join(dir, ".git", "plugstack-changing"), `${opts.pid ?? spawnSync("true").pid} - ${target}\n`);
  const locks = (opts.locks ?? []).map((f) => join(dir, ".git", f));
  for (const f of locks) {
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, "");
  }
  return locks;
}

/**
 * A checkout at the first of `commits` holding the files `written`, as a run
 * killed while moving it to commit number `to` left them (its mark, and the
 * git `locks`); then checkoutCommit to commit number `target` (default `to`).
 */
async function afterKilledMove(commits: RepoOptions["commits"], written: Record<string, string>, to: number, opts: { target?: number; locks?: string[] } = {}) {
  const s = await checkedOut(commits);
  for (const [file, text] of Object.entries(written)) writeFileSync(join(s.dir, file), text);
  leaveKilledMove(s.dir, s.repo.commits[to]!, { locks: opts.locks });
  const r = await checkoutCommit(s.ctx, s.req(s.repo.commits[opts.target ?? to]!));
  return { ...s, r };
}

describe("checkoutCommit", () => {
  test("a fresh checkout: detached at the commit, upstream origin, tags, independent of the cache", async () => {
    const { ctx, repo, mirror, dir, req } = await setup();
    const r = await checkoutCommit(ctx, req(repo.commits[1]!));
    expect(r).toEqual({ status: "cloned", dir, head: repo.commits[1]!, message: undefined });
    expect(headOf(dir)).toBe(repo.commits[1]!);
    expect(git(dir, "status", "--porcelain")).toBe("");
    expect(git(dir, "rev-parse", "--abbrev-ref", "HEAD")).toBe("HEAD");
    expect(git(dir, "remote", "get-url", "origin")).toBe("https://example.invalid/plugin");
    expect(git(dir, "tag").split("\n")).toEqual(["1.0.0", "1.1.0"]);
    expect(existsSync(join(dir, ".git", "objects", "info", "alternates"))).toBe(false);
    expect(readdirSync(join(dir, "..")).filter((e) => e.includes("plugstack-tmp"))).toEqual([]);
    rmSync(mirror.path, { recursive: true });
    expect(git(dir, "describe", "--tags")).toBe("1.1.0");
    expect(git(dir, "log", "--format=%H").split("\n")).toEqual([repo.commits[1]!, repo.commits[0]!]);
    git(dir, "fsck", "--no-progress");
  });

  const noMount = process.getuid?.() === 0 ? "" : "not root: mounting a tmpfs for the cache needs root";
  if (noMount) console.log(`[skip] cache on another filesystem: ${noMount}`);
  test.skipIf(!!noMount)("the cache on another filesystem (a tmpfs) than DEST: a copying clone that survives the cache", async () => {
    const root = join(tmp.path, `case-${++n}`);
    const cacheMount = join(root, "cache");
    mkdirSync(cacheMount, { recursive: true });
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64m", "plugstack-test", cacheMount], { encoding: "utf8" });
    if (mounted.status !== 0) throw new Error(`cannot mount a tmpfs for the cache as root: ${(mounted.stderr || mounted.error?.message || "").trim()}`);
    try {
      const ctx = testCtx(root, { cacheDir: cacheMount });
      const repo = makeRepo(join(root, "upstream"), { commits: 2, tags: { "1.0.0": 0 } });
      const mirror = await ensureMirror(ctx, repo.url);
      expect(statSync(mirror.path).dev).not.toBe(statSync(root).dev);
      const dir = join(root, "dest", "plugin");
      const r = await checkoutCommit(ctx, { name: "plugin", dir, mirror, upstreamUrl: "https://example.invalid/plugin", commit: repo.commits[1]! });
      expect(r.status).toBe("cloned");
      expect(headOf(dir)).toBe(repo.commits[1]!);
      rmSync(mirror.path, { recursive: true });
      expect(git(dir, "describe", "--tags")).toBe(`1.0.0-1-g${repo.commits[1]!.slice(0, 7)}`);
      git(dir, "fsck", "--no-progress");
    } finally {
      spawnSync("umount", ["-l", cacheMount]);
    }
  });

  test("reused when already at the commit and clean; untracked files do not count", async () => {
    const { ctx, repo, dir, req } = await setup();
    await checkoutCommit(ctx, req(repo.commits[2]!));
    writeFileSync(join(dir, "build-output.pyc"), "x");
    const r = await checkoutCommit(ctx, req(repo.commits[2]!));
    expect(r.status).toBe("reused");
    expect(existsSync(join(dir, "build-output.pyc"))).toBe(true);
  });

  test("a clean checkout at another commit is moved", async () => {
    const { ctx, repo, dir, req } = await setup();
    await checkoutCommit(ctx, req(repo.commits[0]!));
    const r = await checkoutCommit(ctx, req(repo.commits[2]!));
    expect(r.status).toBe("moved");
    expect(r.message).toBe(`moved ${repo.commits[0]!.slice(0, 7)} -> ${repo.commits[2]!.slice(0, 7)}`);
    expect(headOf(dir)).toBe(repo.commits[2]!);
  });

  test("a move killed half-way (its mark and git's lock files left in .git) does not stop the next move", async () => {
    const { ctx, repo, dir, req } = await checkedOut();
    const locks = leaveKilledMove(dir, repo.commits[2]!, { locks: ["index.lock", "HEAD.lock", "refs/plugstack/fetched.lock"] });
    const r = await checkoutCommit(ctx, req(repo.commits[2]!));
    expect({ status: r.status, head: headOf(dir) }).toEqual({ status: "moved", head: repo.commits[2]! });
    expect([...locks, join(dir, ".git", "plugstack-changing")].filter((f) => existsSync(f))).toEqual([]);
    expect(git(dir, "status", "--porcelain")).toBe("");
  });

  test("a move killed while git wrote files: the half-written ones go to a stash, and the move is finished", async () => {
    // git checkout killed half-way to commit 1: a.txt truncated, new.txt written, neither recorded
    const { repo, dir, r } = await afterKilledMove(
      [{ files: { "a.txt": "1\n", "b.txt": "1\n" } }, { files: { "a.txt": "2\n", "new.txt": "new\n" } }],
      { "a.txt": "", "new.txt": "ne" },
      1,
      { locks: ["index.lock"] },
    );
    expect({ status: r.status, head: headOf(dir), clean: git(dir, "status", "--porcelain") }).toEqual({ status: "forced", head: repo.commits[1]!, clean: "" });
    expect(r.message).toContain("a run killed while moving");
    expect(readFileSync(join(dir, "new.txt"), "utf8")).toBe("new\n");
    expect(git(dir, "stash", "list")).toContain("plugstack: what a killed run left half-moved in plugin");
  });

  test("after a killed move, a change in a file the move does not touch is the user's: kept, with the checkout", async () => {
    const { repo, dir, r } = await afterKilledMove(
      [{ files: { "a.txt": "1\n", "b.txt": "1\n" } }, { files: { "a.txt": "2\n" } }],
      { "a.txt": "", "b.txt": "my edit\n" },
      1,
    );
    expect({ status: r.status, head: headOf(dir), b: readFileSync(join(dir, "b.txt"), "utf8") }).toEqual({
      status: "kept-dirty",
      head: repo.commits[0]!,
      b: "my edit\n",
    });
    expect(git(dir, "stash", "list")).toBe("");
  });

  test("after a killed move, an untracked file where the move writes one is saved in the stash, not overwritten", async () => {
    const { repo, dir, r } = await afterKilledMove([{ files: { "a.txt": "1\n" } }, { files: { "new.txt": "new\n" } }], { "new.txt": "mine\n" }, 1);
    expect({ status: r.status, head: headOf(dir), text: readFileSync(join(dir, "new.txt"), "utf8") }).toEqual({
      status: "forced",
      head: repo.commits[1]!,
      text: "new\n",
    });
    expect(git(dir, "show", "stash@{0}^3:new.txt")).toBe("mine");
  });

  test("a killed move to another commit than this run's is not finished: the changes are kept", async () => {
    const { repo, dir, r } = await afterKilledMove(
      [{ files: { "a.txt": "1\n" } }, { files: { "a.txt": "2\n" } }, { files: { "b.txt": "3\n" } }],
      { "a.txt": "" },
      1,
      {
        target: 2,
      },
    );
    expect({ status: r.status, head: headOf(dir), stash: git(dir, "stash", "list") }).toEqual({ status: "kept-dirty", head: repo.commits[0]!, stash: "" });
  });

  test("a mark naming a live process is that process's: its lock files stay", async () => {
    const { ctx, repo, dir, req } = await checkedOut();
    leaveKilledMove(dir, repo.commits[2]!, { pid: process.ppid, locks: ["index.lock"] });
    const err = await checkoutCommit(ctx, req(repo.commits[2]!)).catch((e) => e);
    expect(err).toBeInstanceOf(CheckoutError);
    expect(existsSync(join(dir, ".git", "index.lock"))).toBe(true);
  });

  test("a git lock file with no mark of a killed run is left alone (it may be the user's git at work)", async () => {
    const { ctx, repo, dir, req } = await setup();
    await checkoutCommit(ctx, req(repo.commits[0]!));
    writeFileSync(join(dir, ".git", "index.lock"), "");
    const err = await checkoutCommit(ctx, req(repo.commits[2]!)).catch((e) => e);
    expect(err).toBeInstanceOf(CheckoutError);
    expect(err.message).toContain("index.lock");
    expect(existsSync(join(dir, ".git", "index.lock"))).toBe(true);
    expect(existsSync(join(dir, ".git", "plugstack-changing"))).toBe(false);
    expect(headOf(dir)).toBe(repo.commits[0]!);
  });

  test("a dirty checkout is kept, with its changes, and says so", async () => {
    const { ctx, repo, dir, req } = await setup();
    await checkoutCommit(ctx, req(repo.commits[0]!));
    writeFileSync(join(dir, "README"), "my work\n");
    const r = await checkoutCommit(ctx, req(repo.commits[2]!));
    expect(r.status).toBe("kept-dirty");
    expect(r.head).toBe(repo.commits[0]!);
    expect(r.message).toContain("kept: local changes (README)");
    expect(r.message).toContain("--force");
    expect(readFileSync(join(dir, "README"), "utf8")).toBe("my work\n");
    expect(headOf(dir)).toBe(repo.commits[0]!);
  });

  test("local commits on a detached HEAD are not stranded; on a branch they are safe to move from", async () => {
    const { ctx, repo, dir, req } = await setup();
    await checkoutCommit(ctx, req(repo.commits[0]!));
    const mine = addCommit(dir, { message: "my local work" });
    const kept = await checkoutCommit(ctx, req(repo.commits[2]!));
    expect(kept.status).toBe("kept-dirty");
    expect(kept.message).toContain(`HEAD ${mine.slice(0, 7)} has local commits on no branch`);
    expect(headOf(dir)).toBe(mine);
    git(dir, "switch", "-q", "-c", "my-work");
    const moved = await checkoutCommit(ctx, req(repo.commits[2]!));
    expect(moved.status).toBe("moved");
    expect(git(dir, "rev-parse", "my-work")).toBe(mine);
  });

  test("--force stashes local changes, then moves", async () => {
    const { ctx, repo, dir, req } = await setup();
    await checkoutCommit(ctx, req(repo.commits[0]!));
    writeFileSync(join(dir, "README"), "my work\n");
    const r = await checkoutCommit(ctx, req(repo.commits[2]!, { force: true }));
    expect(r.status).toBe("forced");
    expect(headOf(dir)).toBe(repo.commits[2]!);
    expect(readFileSync(join(dir, "README"), "utf8")).toBe("fixture\n");
    expect(git(dir, "stash", "list")).toContain("plugstack --force: local changes of plugin");
    expect(git(dir, "show", "stash@{0}:README")).toBe("my work");
  });

  test("RECLONE refreshes a clean checkout from the mirror even at the same commit", async () => {
    const { ctx, repo, mirror, dir, req } = await setup();
    await checkoutCommit(ctx, req(repo.commits[2]!));
    addTag(repo.dir, "2.0.0", { at: repo.commits[2] });
    await ensureMirror(ctx, mirror.url, { update: true });
    expect((await checkoutCommit(ctx, req(repo.commits[2]!))).status).toBe("reused");
    const r = await checkoutCommit(ctx, req(repo.commits[2]!, { reclone: true }));
    expect(r.status).toBe("refreshed");
    expect(git(dir, "describe", "--tags")).toBe("2.0.0");
  });

  test("ERROR_ON_CLONE: a missing checkout is an error, an existing one is fine", async () => {
    const { ctx, repo, dir, req } = await setup();
    const err = await checkoutCommit(ctx, req(repo.commits[0]!, { errorOnClone: true })).catch((e) => e);
    expect(err).toBeInstanceOf(CheckoutError);
    expect(err.message).toBe(`plugin: ${dir} does not exist, and ERROR_ON_CLONE=True forbids cloning it`);
    await checkoutCommit(ctx, req(repo.commits[0]!));
    expect((await checkoutCommit(ctx, req(repo.commits[0]!, { errorOnClone: true }))).status).toBe("reused");
  });

  test("GIT_DEPTH makes a shallow checkout that can still move", async () => {
    const { ctx, repo, dir, req } = await setup({ commits: 4 });
    await checkoutCommit(ctx, req(repo.commits[2]!, { gitDepth: 1 }));
    expect(git(dir, "rev-parse", "--is-shallow-repository")).toBe("true");
    expect(git(dir, "rev-list", "--count", "HEAD")).toBe("1");
    expect(git(dir, "remote", "get-url", "origin")).toBe("https://example.invalid/plugin");
    const r = await checkoutCommit(ctx, req(repo.commits[3]!, { gitDepth: 1 }));
    expect(r.status).toBe("moved");
    expect(headOf(dir)).toBe(repo.commits[3]!);
  });

  test("a commit that only the cache still has (force-pushed away upstream) is checked out", async () => {
    const { ctx, repo, mirror, dir, req } = await setup();
    const old = repo.commits[2]!;
    await checkoutCommit(ctx, req(old)); // pins it
    rmSync(dir, { recursive: true });
    rewriteTip(repo.dir, "master");
    git(repo.dir, "tag", "-d", "1.0.0", "1.1.0");
    git(repo.dir, "reflog", "expire", "--expire=now", "--all");
    git(repo.dir, "gc", "-q", "--prune=now");
    await ensureMirror(ctx, mirror.url, { update: true });
    git(mirror.path, "gc", "-q", "--prune=now");
    const r = await checkoutCommit(ctx, req(old));
    expect(r.status).toBe("cloned");
    expect(headOf(dir)).toBe(old);
  });

  test("something plugstack did not make is never replaced without --force, and moved aside with it", async () => {
    const { ctx, repo, dir, req } = await setup();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    const err = await checkoutCommit(ctx, req(repo.commits[0]!)).catch((e) => e);
    expect(err).toBeInstanceOf(CheckoutError);
    expect(err.message).toBe(`plugin: ${dir} is a directory with 1 entries that is not a git checkout; plugstack did not make it and will not replace it`);
    expect(err.hint).toContain("--force");
    const r = await checkoutCommit(ctx, req(repo.commits[0]!, { force: true }));
    expect(r.status).toBe("cloned");
    expect(r.message).toMatch(/^moved a directory .* to .*plugin\.plugstack-backup-.* \(--force\)$/);
    const backup = readdirSync(join(dir, "..")).find((e) => e.startsWith("plugin.plugstack-backup-"))!;
    expect(readFileSync(join(dir, "..", backup, "notes.txt"), "utf8")).toBe("mine\n");
  });

  test("a symlink in the way is refused without --force", async () => {
    const { ctx, repo, root, dir, req } = await setup();
    mkdirSync(join(dir, ".."), { recursive: true });
    symlinkSync(join(root, "elsewhere"), dir);
    await expect(checkoutCommit(ctx, req(repo.commits[0]!))).rejects.toThrow(`is a symlink to ${join(root, "elsewhere")}`);
  });
});

describe("linkDirectory", () => {
  test("symlinks a local plugin directory, reuses the link, refuses to replace other things", () => {
    const root = join(tmp.path, "link");
    const src = join(root, "my-plugin");
    mkdirSync(join(src, "devstack"), { recursive: true });
    const dir = join(root, "dest", "my-plugin");
    expect(linkDirectory({ name: "my-plugin", dir, source: src }).status).toBe("linked");
    expect(lstatSync(dir).isSymbolicLink()).toBe(true);
    expect(readlinkSync(dir)).toBe(src);
    expect(linkDirectory({ name: "my-plugin", dir, source: src }).status).toBe("reused");
    const other = join(root, "dest", "other");
    mkdirSync(other);
    writeFileSync(join(other, "x"), "");
    expect(() => linkDirectory({ name: "other", dir: other, source: src })).toThrow(CheckoutError);
    expect(existsSync(join(other, "x"))).toBe(true);
  });

  test("a new commit upstream does not disturb a linked directory", () => {
    const root = join(tmp.path, "link2");
    const repo = makeRepo(join(root, "src"));
    const dir = join(root, "dest", "p");
    linkDirectory({ name: "p", dir, source: repo.dir });
    addCommit(repo.dir, { files: { "devstack/settings": "X=1\n" } });
    expect(readFileSync(join(dir, "devstack", "settings"), "utf8")).toBe("X=1\n");
  });
});

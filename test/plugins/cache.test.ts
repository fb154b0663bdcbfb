import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FetchError } from "../../src/errors.ts";
import {
  ensureMirror,
  fetchCommit,
  findMirror,
  MIRROR_MARKER,
  mirrorPath,
  pinCommit,
  resolveDefaultBranch,
  resolveRef,
  suggestSuccessors,
} from "../../src/plugins/cache.ts";
import { addBranch, addCommit, deleteBranch, git, makeRepo, rewriteTip, startHttpBackend } from "../helpers/git.ts";
import { gitDaemonSuite, testCtx } from "./ctx.ts";

const suite = gitDaemonSuite();

/** The number of packs in the repository at `path`. */
function packCount(path: string): number {
  return readdirSync(join(path, "objects", "pack")).filter((f) => f.endsWith(".pack")).length;
}

function fresh(name: string) {
  const c = suite.newCase();
  return { root: c.root, ctx: c.ctx, upstream: c.served(name), url: c.url(name), k: c.k };
}

describe("mirrorPath", () => {
  test("readable slug plus hash of the normalised URL", () => {
    const a = mirrorPath("/c", "https://OpenDev.org/openstack/heat.git/");
    expect(a).toMatch(/^\/c\/git\/openstack-heat-[0-9a-f]{16}\.git$/);
    expect(mirrorPath("/c", "https://opendev.org/openstack/heat")).toBe(a);
    expect(mirrorPath("/c", "https://github.com/openstack/heat")).not.toBe(a);
  });
});

describe("ensureMirror", () => {
  test("creates a complete bare mirror with branches and tags, nothing else", async () => {
    const { ctx, upstream, url } = fresh("p");
    const repo = makeRepo(upstream, { commits: 2, tags: { "1.0.0": 0 } });
    addBranch(repo.dir, "stable/2024.1", repo.commits[0]);
    git(repo.dir, "update-ref", "refs/changes/01/1/1", repo.commits[0]!);
    const mirror = await ensureMirror(ctx, url);
    expect(existsSync(join(mirror.path, MIRROR_MARKER))).toBe(true);
    expect(git(mirror.path, "rev-parse", "--is-bare-repository")).toBe("true");
    const refs = git(mirror.path, "for-each-ref", "--format=%(refname)").split("\n");
    expect(refs.sort()).toEqual(["refs/heads/master", "refs/heads/stable/2024.1", "refs/tags/1.0.0"]);
    expect(statSync(mirror.path).mode & 0o002).toBe(0);
    expect(readdirSync(join(ctx.cacheDir, "git")).filter((e) => e.includes("plugstack-tmp-") || e.endsWith("-lock"))).toEqual([]);
  });

  test("update fetches new commits, prunes deleted branches, keeps pins", async () => {
    const { ctx, upstream } = fresh("u");
    const repo = makeRepo(upstream, { commits: 2 });
    addBranch(repo.dir, "feature");
    const url = repo.url;
    const mirror = await ensureMirror(ctx, url);
    const old = repo.commits[1]!;
    pinCommit(mirror, old);
    const rewritten = rewriteTip(repo.dir, "master");
    deleteBranch(repo.dir, "feature");
    git(repo.dir, "gc", "-q", "--prune=now");
    await ensureMirror(ctx, url, { update: true });
    expect(git(mirror.path, "rev-parse", "refs/heads/master")).toBe(rewritten);
    expect(git(mirror.path, "for-each-ref", "--format=%(refname)", "refs/heads")).toBe("refs/heads/master");
    expect(git(mirror.path, "rev-parse", `refs/pins/${old}`)).toBe(old);
    git(mirror.path, "gc", "-q", "--prune=now");
    expect(git(mirror.path, "cat-file", "-t", old)).toBe("commit");
  });

  test("a mirror without its completion marker is discarded and rebuilt", async () => {
    const { ctx, upstream } = fresh("m");
    const repo = makeRepo(upstream);
    const mirror = await ensureMirror(ctx, repo.url);
    unlinkSync(join(mirror.path, MIRROR_MARKER));
    expect(findMirror(ctx.cacheDir, repo.url)).toBeNull();
    // what a clone killed half-way leaves: a temp sibling made by a process that is gone
    const made = Bun.spawnSync([
      process.execPath,
      "-e",
      `const { mkdirSync } = require("node:fs"); const { tempSibling } = require(${JSON.stringify(join(import.meta.dir, "../../src/util/temp.ts"))}); const t = tempSibling(process.argv[1]); mkdirSync(t); console.log(t);`,
      mirror.path,
    ]);
    const leftover = made.stdout.toString().trim();
    expect(leftover).toContain(".plugstack-tmp-");
    expect(existsSync(leftover)).toBe(true);
    const again = await ensureMirror(ctx, repo.url);
    expect(existsSync(join(again.path, MIRROR_MARKER))).toBe(true);
    expect(existsSync(leftover)).toBe(false);
  });

  test("the lock files of a git killed mid-write (a pin, a branch, packed-refs, HEAD) stop neither a later pin, HEAD nor an update", async () => {
    const { ctx, upstream, url } = fresh("k");
    const repo = makeRepo(upstream, { commits: 2 });
    const mirror = await ensureMirror(ctx, url);
    const pin = repo.commits[0]!;
    // what git leaves when killed between taking a ref's lock and renaming it into place
    const locks = [`refs/pins/${pin}.lock`, "refs/heads/master.lock", "packed-refs.lock", "HEAD.lock"].map((f) => join(mirror.path, f));
    mkdirSync(join(mirror.path, "refs", "pins"), { recursive: true });
    for (const f of locks) writeFileSync(f, "");
    pinCommit(mirror, pin);
    expect(git(mirror.path, "rev-parse", `refs/pins/${pin}`)).toBe(pin);
    expect(await resolveDefaultBranch(ctx, mirror)).toBe("master");
    const next = addCommit(repo.dir, { files: { "new.txt": "new\n" } });
    await ensureMirror(ctx, url, { update: true });
    expect(git(mirror.path, "rev-parse", "refs/heads/master")).toBe(next);
    expect(locks.filter((f) => existsSync(f))).toEqual([]);
    git(mirror.path, "fsck", "--no-progress", "--no-dangling");
  });

  test("the git gc an update runs (gc --auto) is over when the update returns: nothing keeps writing in the mirror", async () => {
    const { ctx, upstream, url } = fresh("g");
    const repo = makeRepo(upstream, { commits: 1 });
    const mirror = await ensureMirror(ctx, url);
    // the clone is one pack and each fetch brings one more (fetch.unpackLimit=1): the second fetch makes a third, and gc --auto repacks them into one
    git(mirror.path, "config", "gc.autoPackLimit", "2");
    for (let i = 0; i < 2; i++) {
      addCommit(repo.dir, { files: { [`g${i}.txt`]: `${i}\n` } });
      await ensureMirror(ctx, url, { update: true });
    }
    expect({ packs: packCount(mirror.path), gcRunning: existsSync(join(mirror.path, "gc.pid")) }).toEqual({ packs: 1, gcRunning: false });
  });

  test("housekeeping slower than the network timeout does not fail an update: git's gc runs after the fetch, outside its timeout", async () => {
    const { root, upstream, url } = fresh("t");
    const repo = makeRepo(upstream, { commits: 1 });
    // a git whose housekeeping (`gc`, and `maintenance`, which a fetch starts
    // for its gc --auto) takes 3 s, first on PATH and as git's exec path
    // (where git finds the git it starts); everything else is the real git
    const real = git(root, "--exec-path");
    const slow = join(root, "slow-gc-git");
    mkdirSync(slow);
    for (const f of readdirSync(real)) if (f !== "git") symlinkSync(join(real, f), join(slow, f));
    writeFileSync(
      join(slow, "git"),
      `#!/bin/sh\nfor a in "$@"; do case $a in gc | maintenance) sleep 3; break ;; esac; done\nexec ${join(real, "git")} "$@"\n`,
      { mode: 0o755 },
    );
    const ctx = testCtx(root, {
      env: { ...testCtx(root).env, PATH: `${slow}:${process.env.PATH}`, GIT_EXEC_PATH: slow, PLUGSTACK_GIT_TIMEOUT: "1", PLUGSTACK_GIT_RETRIES: "1" },
    });
    const mirror = await ensureMirror(ctx, url);
    git(mirror.path, "config", "gc.autoPackLimit", "2");
    for (let i = 0; i < 2; i++) {
      const next = addCommit(repo.dir, { files: { [`t${i}.txt`]: `${i}\n` } });
      await ensureMirror(ctx, url, { update: true });
      expect(git(mirror.path, "rev-parse", "refs/heads/master")).toBe(next);
    }
    // the gc ran (one pack again) and is over
    expect({ packs: packCount(mirror.path), gcRunning: existsSync(join(mirror.path, "gc.pid")) }).toEqual({ packs: 1, gcRunning: false });
  }, 30_000);

  test("offline: a missing mirror is a cache miss, never a network try", async () => {
    const { root } = fresh("o");
    const ctx = testCtx(root, { offline: true });
    const err = await ensureMirror(ctx, "git://127.0.0.1:1/absent").catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toBe("git://127.0.0.1:1/absent is not in the cache (offline)");
    expect(err.hint).toContain("plugstack fetch");
  });

  test("offline: an existing mirror is used as it is", async () => {
    const { root, ctx, upstream, url } = fresh("q");
    makeRepo(upstream);
    const mirror = await ensureMirror(ctx, url);
    rmSync(upstream, { recursive: true });
    const got = await ensureMirror(testCtx(root, { offline: true }), url, { update: true });
    expect(got.path).toBe(mirror.path);
  });
});

describe("smart http", () => {
  test("a mirror over http://127.0.0.1 (git http-backend)", async () => {
    const { ctx, upstream, k } = fresh("h");
    const repo = makeRepo(upstream, { commits: 2, tags: { "0.1.0": 0 } });
    const http = await startHttpBackend(suite.srv);
    try {
      const mirror = await ensureMirror(ctx, http.urlFor(`h-${k}`));
      expect(await resolveRef(ctx, mirror, "0.1.0")).toEqual({ commit: repo.commits[0]!, kind: "tag" });
      const next = addCommit(repo.dir);
      await ensureMirror(ctx, mirror.url, { update: true });
      expect(await resolveRef(ctx, mirror, "master")).toEqual({ commit: next, kind: "branch" });
    } finally {
      await http.stop();
    }
  });
});

describe("resolveRef", () => {
  test("branch, annotated tag (peeled), full and short SHA, refs/..., missing", async () => {
    const { ctx, upstream, url } = fresh("r");
    const repo = makeRepo(upstream, { commits: 3, tags: { "2.0.0": 1 } });
    addBranch(repo.dir, "stable/x", repo.commits[0]);
    git(repo.dir, "update-ref", "refs/changes/34/1234/2", repo.commits[2]!);
    const mirror = await ensureMirror(ctx, url, { extraRefs: ["refs/changes/34/1234/2"] });
    const [c0, c1, c2] = repo.commits as [string, string, string];
    expect(await resolveRef(ctx, mirror, "master")).toEqual({ commit: c2, kind: "branch" });
    expect(await resolveRef(ctx, mirror, "stable/x")).toEqual({ commit: c0, kind: "branch" });
    expect(await resolveRef(ctx, mirror, "2.0.0")).toEqual({ commit: c1, kind: "tag" });
    expect(await resolveRef(ctx, mirror, c1)).toEqual({ commit: c1, kind: "sha" });
    expect(await resolveRef(ctx, mirror, c0.slice(0, 10))).toEqual({ commit: c0, kind: "sha" });
    expect(await resolveRef(ctx, mirror, "refs/changes/34/1234/2")).toEqual({ commit: c2, kind: "ref" });
    expect(await resolveRef(ctx, mirror, "nope")).toBeNull();
    expect(await resolveRef(ctx, mirror, "f".repeat(40))).toBeNull();
    await expect(resolveRef(ctx, mirror, "--upload-pack=x")).rejects.toThrow('starts with "-"');
  });
});

describe("resolveDefaultBranch", () => {
  test("asks the remote, records it, and answers offline from the record", async () => {
    const { root, ctx, upstream, url } = fresh("d");
    const repo = makeRepo(upstream, { branch: "main" });
    const mirror = await ensureMirror(ctx, url);
    expect(await resolveDefaultBranch(ctx, mirror)).toBe("main");
    addBranch(repo.dir, "develop");
    git(repo.dir, "symbolic-ref", "HEAD", "refs/heads/develop");
    await ensureMirror(ctx, url, { update: true });
    expect(await resolveDefaultBranch(ctx, mirror)).toBe("develop");
    expect(await resolveDefaultBranch(testCtx(root, { offline: true }), mirror)).toBe("develop");
  });
});

describe("fetchCommit", () => {
  test("fetches a commit only reachable by SHA upstream into a pin", async () => {
    const { ctx, upstream } = fresh("f");
    const repo = makeRepo(upstream);
    const hidden = addCommit(repo.dir);
    git(repo.dir, "update-ref", "refs/hidden/x", hidden);
    git(repo.dir, "reset", "-q", "--hard", repo.commits[0]!);
    git(repo.dir, "config", "uploadpack.allowAnySHA1InWant", "true");
    const mirror = await ensureMirror(ctx, repo.url);
    expect(await resolveRef(ctx, mirror, hidden)).toBeNull();
    expect(await fetchCommit(ctx, mirror, hidden)).toBe(true);
    expect(git(mirror.path, "rev-parse", `refs/pins/${hidden}`)).toBe(hidden);
  });
});

describe("suggestSuccessors", () => {
  const names = { branches: ["master", "unmaintained/2023.1"], tags: ["2023.1-eol", "1.0.0"] };
  test("stable/2023.1", () => expect(suggestSuccessors("stable/2023.1", names)).toEqual(["2023.1-eol", "unmaintained/2023.1"]));
  test("stable/zed", () => expect(suggestSuccessors("stable/zed", names)).toEqual([]));
});

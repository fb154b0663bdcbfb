import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { addBranch, addCommit, git, gitAsync, headOf, makeRepo, rewriteTip, setDefaultBranch, startGitDaemon, startHttpBackend, tempDir } from "./git.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("makeRepo", () => {
  test("commits, tags, branch name and local config", () => {
    const repo = makeRepo(join(tmp.path, "a"), { branch: "main", commits: 3, tags: { "1.0.0": 0, "1.1.0": 2 } });
    expect(repo.commits).toHaveLength(3);
    expect(headOf(repo.dir)).toBe(repo.commits[2]!);
    expect(git(repo.dir, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(git(repo.dir, "rev-parse", "1.0.0^{commit}")).toBe(repo.commits[0]!);
    expect(git(repo.dir, "cat-file", "-t", "1.1.0")).toBe("tag");
    expect(git(repo.dir, "config", "gc.auto")).toBe("0");
    expect(git(repo.dir, "config", "commit.gpgsign")).toBe("false");
    expect(readFileSync(join(repo.dir, "README"), "utf8")).toBe("fixture\n");
  });

  test("bare repo keeps the history and default branch", () => {
    const repo = makeRepo(join(tmp.path, "b.git"), { bare: true, commits: 2, branch: "trunk" });
    expect(git(repo.dir, "rev-parse", "--is-bare-repository")).toBe("true");
    expect(git(repo.dir, "rev-parse", "trunk")).toBe(repo.commits[1]!);
    expect(existsSync(`${repo.dir}.work`)).toBe(false);
  });

  test("rewriteTip makes the old tip unreachable from the branch", () => {
    const repo = makeRepo(join(tmp.path, "c"), { commits: 2 });
    const old = repo.commits[1]!;
    const fresh = rewriteTip(repo.dir, "master");
    expect(fresh).not.toBe(old);
    expect(git(repo.dir, "rev-parse", "HEAD~1")).toBe(repo.commits[0]!);
    expect(git(repo.dir, "branch", "--contains", old)).toBe("");
  });
});

describe("servers", () => {
  test("git daemon serves repos under the base dir", async () => {
    const base = join(tmp.path, "srv");
    const repo = makeRepo(join(base, "plugin"), { commits: 2 });
    addBranch(repo.dir, "feature");
    setDefaultBranch(repo.dir, "feature");
    const daemon = await startGitDaemon(base);
    try {
      const out = git(tmp.path, "ls-remote", "--symref", daemon.urlFor("plugin"), "HEAD");
      expect(out).toContain("ref: refs/heads/feature\tHEAD");
    } finally {
      await daemon.stop();
    }
  });

  test("git daemon with verbose lists each request from its own log", async () => {
    const base = join(tmp.path, "srv-verbose");
    makeRepo(join(base, "plugin"), { commits: 1 });
    const daemon = await startGitDaemon(base, { verbose: true });
    try {
      expect(daemon.requests!()).toEqual([]);
      await gitAsync(tmp.path, "ls-remote", daemon.urlFor("plugin"));
      await gitAsync(tmp.path, "clone", "-q", daemon.urlFor("plugin"), join(tmp.path, "verbose-clone"));
      await Bun.sleep(100);
      expect(daemon.requests!()).toEqual(["/plugin", "/plugin"]);
    } finally {
      await daemon.stop();
    }
  });

  test("http backend serves clone and fetch", async () => {
    const base = join(tmp.path, "http");
    const repo = makeRepo(join(base, "plugin"), { commits: 1 });
    const server = await startHttpBackend(base);
    try {
      const dest = join(tmp.path, "http-clone");
      await gitAsync(tmp.path, "clone", "-q", server.urlFor("plugin"), dest);
      expect(headOf(dest)).toBe(repo.commits[0]!);
      const next = addCommit(repo.dir);
      await gitAsync(dest, "pull", "-q", "--ff-only");
      expect(headOf(dest)).toBe(next);
    } finally {
      await server.stop();
    }
  });
});

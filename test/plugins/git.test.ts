import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FetchError } from "../../src/errors.ts";
import { headCommit, isLocalUrl, renderGitCommand, runGit, tryGit } from "../../src/plugins/git.ts";
import { git, makeRepo, tempDir } from "../helpers/git.ts";
import { testCtx } from "./ctx.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("isLocalUrl", () => {
  const rows: [string, boolean][] = [
    ["/srv/git/heat", true],
    ["./plugins/foo", true],
    ["plugins/foo", true],
    ["file:///srv/git/heat", true],
    ["https://opendev.org/openstack/heat", false],
    ["git://127.0.0.1:9418/heat", false],
    ["ssh://git@example.org/heat.git", false],
    ["git@github.com:openstack/heat.git", false],
    ["dir/with:colon", true],
    ["ext::ssh -p 22 %S example.org", false],
  ];
  for (const [url, local] of rows) test(url, () => expect(isLocalUrl(url)).toBe(local));
});

describe("renderGitCommand", () => {
  test("quotes what needs quoting", () => {
    expect(renderGitCommand(["checkout", "--detach", "it's here"])).toBe("git checkout --detach 'it'\\''s here'");
  });
});

describe("runGit", () => {
  const ctx = testCtx(tmp.path);

  test("a failure shows the command, the directory and git's stderr", async () => {
    const repo = makeRepo(join(tmp.path, "r1"));
    const err = await runGit(ctx, ["rev-parse", "--verify", "no-such-ref"], { cwd: repo.dir, repo: "https://x/r1" }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toContain("git rev-parse --verify no-such-ref failed with exit status 128");
    expect(err.message).toContain(`in ${repo.dir}`);
    expect(err.message).toContain("repo https://x/r1");
    expect(err.message).toContain("fatal: Needed a single revision");
  });

  test("offline refuses network commands before running them", async () => {
    const off = testCtx(tmp.path, { offline: true });
    const err = await runGit(off, ["ls-remote", "--", "git://127.0.0.1:1/nothing"], { remote: "git://127.0.0.1:1/nothing" }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toBe("offline: not allowed to ls-remote git://127.0.0.1:1/nothing");
    expect(err.hint).toContain("plugstack fetch");
  });

  test("offline still allows local remotes", async () => {
    const repo = makeRepo(join(tmp.path, "r2"));
    const off = testCtx(tmp.path, { offline: true });
    const out = await runGit(off, ["ls-remote", "--", repo.url, "HEAD"], { remote: repo.url });
    expect(out).toContain(repo.commits[0]!);
  });

  test("network commands must name their remote", async () => {
    await expect(tryGit(ctx, ["fetch", "origin"], { cwd: tmp.path })).rejects.toThrow("without naming its remote");
  });

  test("transports outside the allow-list are refused by git", async () => {
    const url = "ext::sh -c touch% /tmp/plugstack-ext-ran";
    const err = await runGit(ctx, ["ls-remote", "--", url], { remote: url, cwd: tmp.path }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toContain("transport 'ext' not allowed");
    expect(existsSync("/tmp/plugstack-ext-ran")).toBe(false);
  });

  test("hooks never run", async () => {
    const repo = makeRepo(join(tmp.path, "r3"), { commits: 2 });
    const marker = join(tmp.path, "hook-ran");
    const hook = join(repo.dir, ".git", "hooks", "post-checkout");
    mkdirSync(join(repo.dir, ".git", "hooks"), { recursive: true });
    writeFileSync(hook, `#!/bin/sh\ntouch '${marker}'\n`);
    chmodSync(hook, 0o755);
    git(repo.dir, "checkout", "-q", "--detach", repo.commits[0]!); // the fixture git does run it
    expect(existsSync(marker)).toBe(true);
    Bun.spawnSync(["rm", "-f", marker]);
    await runGit(ctx, ["checkout", "-q", "--detach", repo.commits[1]!], { cwd: repo.dir });
    expect(existsSync(marker)).toBe(false);
    expect(await headCommit(ctx, repo.dir)).toBe(repo.commits[1]!);
  });

  test("GIT_DIR from the environment does not redirect git", async () => {
    const a = makeRepo(join(tmp.path, "r4a"));
    const b = makeRepo(join(tmp.path, "r4b"), { commits: 2 });
    const withGitDir = testCtx(tmp.path, { env: { ...ctx.env, GIT_DIR: join(a.dir, ".git") } });
    expect(await headCommit(withGitDir, b.dir)).toBe(b.commits[1]!);
  });

  test("headCommit is null outside a repo", async () => {
    const plain = join(tmp.path, "plain");
    mkdirSync(plain);
    expect(await headCommit(testCtx(tmp.path, { env: { ...ctx.env, GIT_CEILING_DIRECTORIES: tmp.path } }), plain)).toBeNull();
  });
});

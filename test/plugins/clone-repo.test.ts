import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CheckoutError, FetchError } from "../../src/errors.ts";
import { cloneRepo } from "../../src/plugins/clone-repo.ts";
import { lockFromPlugins } from "../../src/plugins/lockfile.ts";
import { addCommit, git, headOf, makeRepo } from "../helpers/git.ts";
import { gitDaemonSuite, testCtx } from "./ctx.ts";

const suite = gitDaemonSuite();

function newCase(opts: { branch?: string } = {}) {
  const c = suite.newCase();
  const repo = makeRepo(c.served("req"), { commits: 2, tags: { "1.0.0": 0 }, branch: opts.branch });
  return { root: c.root, ctx: c.ctx, repo, url: c.url("req"), dir: join(c.root, "opt", "requirements") };
}

describe("cloneRepo (git_clone semantics)", () => {
  test("a missing directory is cloned at the branch; the commit and lock entry come back", async () => {
    const c = newCase();
    const r = await cloneRepo(c.ctx, { url: c.url, dir: "opt/requirements", ref: "master", plugin: "heat" });
    expect(r).toMatchObject({ dir: c.dir, commit: c.repo.commits[1]!, status: "cloned", fromLock: false });
    expect(r.entry).toEqual({ url: c.url, ref: "master", commit: c.repo.commits[1]!, requested_by: "heat" });
    expect(headOf(c.dir)).toBe(c.repo.commits[1]!);
    expect(git(c.dir, "remote", "get-url", "origin")).toBe(c.url);
  });

  test("an existing directory is kept unless RECLONE", async () => {
    const c = newCase();
    await cloneRepo(c.ctx, { url: c.url, dir: c.dir, ref: "master", plugin: "heat" });
    const next = addCommit(c.repo.dir);
    const kept = await cloneRepo(c.ctx, { url: c.url, dir: c.dir, ref: "master", plugin: "heat" });
    expect(kept).toMatchObject({ status: "kept", commit: c.repo.commits[1]! });
    const moved = await cloneRepo(c.ctx, { url: c.url, dir: c.dir, ref: "master", plugin: "heat", reclone: true });
    expect(moved).toMatchObject({ status: "moved", commit: next });
    expect(headOf(c.dir)).toBe(next);
  });

  test("an existing plain directory (not git) is kept, with nothing to pin", async () => {
    const c = newCase();
    mkdirSync(c.dir, { recursive: true });
    writeFileSync(join(c.dir, "mine"), "keep me\n");
    const kept = await cloneRepo(c.ctx, { url: c.url, dir: c.dir, ref: "master", plugin: "heat" });
    expect(kept).toMatchObject({ status: "kept", commit: "" });
    expect(readFileSync(join(c.dir, "mine"), "utf8")).toBe("keep me\n");
  });

  test("RECLONE never resets local changes", async () => {
    const c = newCase();
    await cloneRepo(c.ctx, { url: c.url, dir: c.dir, ref: "master", plugin: "heat" });
    addCommit(c.repo.dir);
    writeFileSync(join(c.dir, "README"), "edited\n");
    const r = await cloneRepo(c.ctx, { url: c.url, dir: c.dir, ref: "master", plugin: "heat", reclone: true });
    expect(r).toMatchObject({ status: "kept-dirty", commit: c.repo.commits[1]! });
  });

  test("ERROR_ON_CLONE: missing is an error, existing is fine", async () => {
    const c = newCase();
    const err = await cloneRepo(c.ctx, { url: c.url, dir: c.dir, ref: "master", plugin: "heat", errorOnClone: true }).catch((e) => e);
    expect(err).toBeInstanceOf(CheckoutError);
    expect(err.message).toBe(`git_clone from plugin heat: ${c.dir} does not exist, and ERROR_ON_CLONE=True forbids cloning ${c.url}`);
    expect(err.hint).toContain("required-projects");
    await cloneRepo(c.ctx, { url: c.url, dir: c.dir, ref: "master", plugin: "heat" });
    const ok = await cloneRepo(c.ctx, { url: c.url, dir: c.dir, ref: "master", plugin: "heat", errorOnClone: true });
    expect(ok.status).toBe("kept");
  });

  test("tag, SHA and gerrit-style refs/changes refs", async () => {
    const c = newCase();
    git(c.repo.dir, "update-ref", "refs/changes/45/12345/3", c.repo.commits[0]!);
    const tag = await cloneRepo(c.ctx, { url: c.url, dir: join(c.root, "t"), ref: "1.0.0", plugin: "p" });
    expect(tag.commit).toBe(c.repo.commits[0]!);
    const sha = await cloneRepo(c.ctx, { url: c.url, dir: join(c.root, "s"), ref: c.repo.commits[0]!, plugin: "p" });
    expect(sha.commit).toBe(c.repo.commits[0]!);
    const change = await cloneRepo(c.ctx, { url: c.url, dir: join(c.root, "c"), ref: "refs/changes/45/12345/3", plugin: "p" });
    expect(change.commit).toBe(c.repo.commits[0]!);
  });

  test("an empty ref means the remote's default branch", async () => {
    const c = newCase({ branch: "main" });
    const r = await cloneRepo(c.ctx, { url: c.url, dir: c.dir, ref: "", plugin: "p" });
    expect(r.commit).toBe(c.repo.commits[1]!);
  });

  test("the lock's [[repo]] commit wins while url and ref match", async () => {
    const c = newCase();
    const lock = lockFromPlugins([], [{ url: c.url, ref: "master", commit: c.repo.commits[0]!, requested_by: "heat" }]);
    addCommit(c.repo.dir);
    const r = await cloneRepo(c.ctx, { url: c.url, dir: c.dir, ref: "master", plugin: "heat", lock });
    expect(r).toMatchObject({ commit: c.repo.commits[0]!, fromLock: true });
  });

  test("offline: served from a warm cache; a cold one names the repo and the fix", async () => {
    const c = newCase();
    await cloneRepo(c.ctx, { url: c.url, dir: join(c.root, "warm"), ref: "master", plugin: "heat" });
    rmSync(c.repo.dir, { recursive: true });
    const offline = testCtx(c.root, { offline: true });
    const r = await cloneRepo(offline, { url: c.url, dir: c.dir, ref: "master", plugin: "heat" });
    expect(r.commit).toBe(c.repo.commits[1]!);
    const err = await cloneRepo(offline, { url: "https://example.invalid/other", dir: join(c.root, "x"), ref: "master", plugin: "heat" }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toBe("not in the cache (offline), 1 repo:\n  - git_clone from plugin heat: https://example.invalid/other master");
    expect(err.hint).toContain("plugstack fetch");
  });
});

// Two machines, simulated by two cache dirs and two DESTs: machine A stacks
// (pinning plugins and the repo a plugin git_clones) and makes a bundle;
// upstream then moves on, force-pushes and deletes a branch; machine B imports
// the bundle and runs `stack --frozen` inside `unshare -n` (no network
// interfaces at all): every hook runs at the locked commits.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseLock } from "../../src/plugins/lockfile.ts";
import { readCalls } from "../e2e/harness.ts";
import { addCommit, deleteBranch, git, makeRepo, pruneUnreferenced, rewriteTip, switchBranch } from "../helpers/git.ts";
import { gitDaemonSuite } from "../plugins/ctx.ts";
import { makePlugin, netnsSkipReason, plugstack, plugstackNoNet, writeConf } from "./helpers.ts";

setDefaultTimeout(30_000); // git and the compiled binary on a loaded 2-core machine

const skip = netnsSkipReason();
if (skip) console.log(`[skip] air-gapped tests (unshare -n): ${skip}`);

const { tmp, srv, urlFor } = gitDaemonSuite({ prefix: "plugstack-airgap-", startTimeoutMs: 30_000 });
let confA: string;
let confB: string;
const destA = join(tmp, "dest-a");
const destB = join(tmp, "dest-b");
const cacheA = join(tmp, "cache-a");
const cacheB = join(tmp, "cache-b");
const bundle = join(tmp, "stack.bundle");
const calls = join(tmp, "calls");
const env = (cache: string) => ({ PLUGSTACK_CACHE: cache, PS_CALLS: calls });

beforeAll(async () => {
  // alpha clones lib itself at `stack install` (a [[repo]] entry); beta is on a feature branch
  makePlugin(join(srv, "alpha"), "alpha", { commits: 2, extra: ['if [[ "$1 $2" == "stack install" ]]; then git_clone "$LIB_REPO" "$DEST/lib"; fi'] });
  const beta = makePlugin(join(srv, "beta"), "beta", { commits: 3 });
  switchBranch(beta.dir, "feature");
  addCommit(beta.dir, { message: "feature work" });
  switchBranch(beta.dir, "master");
  makeRepo(join(srv, "lib"), { commits: 2, tags: { "2.0.0": 1 } });
  const lines = [`LIB_REPO=${urlFor("lib")}`, `enable_plugin alpha ${urlFor("alpha")}`, `enable_plugin beta ${urlFor("beta")} feature`];
  confA = writeConf(join(tmp, "machine-a"), lines);
  confB = writeConf(join(tmp, "machine-b"), lines);
}, 30_000);

describe.skipIf(!!skip)("lock on A, bundle, import and stack --frozen on B with no network", () => {
  test("machine A: lock pins the plugins, stack adds the git_clone'd repo; bundle create packs them", async () => {
    const l = await plugstack(["lock", "-c", confA], { cwd: tmp, env: env(cacheA) });
    expect(l.code).toBe(0);
    expect(l.stdout).toContain("alpha  added");
    const r = await plugstack(["stack", "-c", confA, "--dest", destA], { cwd: tmp, env: env(cacheA) });
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(0);
    const lock = parseLock(readFileSync(`${confA}.lock`, "utf8"));
    expect(lock.plugins.map((p) => p.name)).toEqual(["alpha", "beta"]);
    expect(lock.repos).toEqual([{ url: urlFor("lib"), ref: "master", commit: git(join(srv, "lib"), "rev-parse", "master"), requested_by: "alpha" }]);
    const b = await plugstack(["bundle", "create", bundle, "-c", confA], { cwd: tmp, env: env(cacheA) });
    expect(b.stderr).toContain("3 repos, 3 locked commits");
    expect(b.code).toBe(0);
  }, 60_000);

  test("upstream then force-pushes alpha, deletes beta's branch and moves lib: a fresh cache can no longer get A's locked commits", async () => {
    rewriteTip(join(srv, "alpha"), "master");
    deleteBranch(join(srv, "beta"), "feature");
    addCommit(join(srv, "lib"));
    for (const name of ["alpha", "beta"]) pruneUnreferenced(join(srv, name));
    const lock = parseLock(readFileSync(`${confA}.lock`, "utf8"));
    const locked = (name: string) => lock.plugins.find((p) => p.name === name)!.commit!;
    const fresh = join(tmp, "cache-fresh");
    const r = await plugstack(["fetch", "-c", confA], { cwd: tmp, env: env(fresh) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`alpha: locked commit ${locked("alpha")} is neither upstream (${urlFor("alpha")}) nor in the cache`);
    expect(r.stderr).toContain(`beta: locked commit ${locked("beta")} is neither upstream (${urlFor("beta")}) nor in the cache`);
  });

  test("machine B: bundle import inside unshare -n writes the lock and fills an empty cache", async () => {
    const r = await plugstackNoNet(["bundle", "import", bundle, "-c", confB], { cwd: tmp, env: env(cacheB) });
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`wrote ${confB}.lock`);
    expect(readFileSync(`${confB}.lock`, "utf8")).toBe(readFileSync(`${confA}.lock`, "utf8"));
  });

  test("machine B: stack --frozen inside unshare -n runs every hook at the locked commits", async () => {
    writeFileSync(calls, "");
    const r = await plugstackNoNet(["stack", "--frozen", "-c", confB, "--dest", destB], { cwd: tmp, env: env(cacheB) });
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr).not.toMatch(/unreachable|Could not resolve|Connection refused/i);
    expect(r.code).toBe(0);
    const lock = parseLock(readFileSync(`${confB}.lock`, "utf8"));
    const at = (name: string) => lock.plugins.find((p) => p.name === name)!.commit!;
    const seen = await readCalls(calls);
    const hooks = ["pre-install", "install", "post-config", "extra", "test-config"];
    expect(seen).toEqual([
      `settings alpha ${at("alpha")}`,
      `settings beta ${at("beta")}`,
      ...hooks.flatMap((h) => [`alpha stack ${h} ${at("alpha")}`, `beta stack ${h} ${at("beta")}`]),
    ]);
    expect(git(join(destB, "lib"), "rev-parse", "HEAD")).toBe(lock.repos[0]!.commit);
    expect(git(join(destB, "lib"), "describe", "--tags")).toBe("2.0.0");
    expect(git(join(destB, "beta"), "describe", "--tags")).toMatch(/^1\.0\.0-3-g/);
    // B's checkouts do not depend on its cache (no alternates)
    expect(existsSync(join(destB, "alpha", ".git", "objects", "info", "alternates"))).toBe(false);
  }, 60_000);

  test("machine B: verify inside unshare -n finds everything matching the lock", async () => {
    const r = await plugstackNoNet(["verify", "--full", "-c", confB, "--dest", destB], { cwd: tmp, env: env(cacheB) });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("DRIFT");
  });

  test("machine A: a locked re-stack still gets the locked commits after the force-push and branch deletion", async () => {
    writeFileSync(calls, "");
    const r = await plugstack(["stack", "--locked", "-c", confA, "--dest", destA], { cwd: tmp, env: env(cacheA) });
    expect(r.code).toBe(0);
    const lock = parseLock(readFileSync(`${confA}.lock`, "utf8"));
    for (const p of lock.plugins) expect(git(join(destA, p.name), "rev-parse", "HEAD")).toBe(p.commit!);
    const fresh = await plugstack(["stack", "--locked", "-c", confA, "--dest", join(tmp, "dest-a2")], { cwd: tmp, env: env(cacheA) });
    expect(fresh.code).toBe(0);
    for (const p of lock.plugins) expect(git(join(tmp, "dest-a2", p.name), "rev-parse", "HEAD")).toBe(p.commit!);
  }, 60_000);
});

describe.skipIf(!!skip)("strict offline inside unshare -n: a cache miss names everything and the fix", () => {
  test("fetch --offline, stack --offline and OFFLINE=True with an empty cache", async () => {
    const empty = join(tmp, "cache-empty");
    const cases: [string[], string][] = [
      [["fetch", "--offline", "-c", confA], confA],
      [["stack", "--offline", "-c", confA, "--dest", join(tmp, "dest-c")], confA],
    ];
    const offlineConf = writeConf(join(tmp, "machine-c"), [
      "OFFLINE=True",
      `enable_plugin alpha ${urlFor("alpha")}`,
      `enable_plugin beta ${urlFor("beta")} feature`,
    ]);
    cases.push([["stack", "-c", offlineConf, "--dest", join(tmp, "dest-c")], offlineConf]);
    for (const [args] of cases) {
      const r = await plugstackNoNet(args, { cwd: tmp, env: env(empty) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("not in the cache (offline)");
      expect(r.stderr).toContain(`- alpha: ${urlFor("alpha")} master`);
      expect(r.stderr).toContain(`- beta: ${urlFor("beta")} feature`);
      expect(r.stderr).toContain("plugstack fetch");
      expect(r.stderr).not.toMatch(/unreachable|Could not resolve|Connection refused|internal error/i);
    }
  }, 60_000);
});

// lock / lock --update against real repos served by git daemon: what moves,
// what stays, force-pushes, vanished refs with their successors, repos.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { FetchError, UsageError } from "../../src/errors.ts";
import { findMirror, pinRef } from "../../src/plugins/cache.ts";
import { renderVanished, resolveLockUpdate } from "../../src/plugins/lock-update.ts";
import { lockFromPlugins, renderLockDiff } from "../../src/plugins/lockfile.ts";
import type { PluginSpec } from "../../src/plugins/spec.ts";
import { addBranch, addCommit, addTag, deleteBranch, git, makeRepo, rewriteTip } from "../helpers/git.ts";
import { gitDaemonSuite, pluginSpec, testCtx } from "../plugins/ctx.ts";

setDefaultTimeout(30_000); // git and the compiled binary on a loaded 2-core machine

const suite = gitDaemonSuite({ prefix: "plugstack-lock-", startTimeoutMs: 30_000 });

function newCase() {
  const c = suite.newCase();
  const conf = join(c.root, "local.conf");
  const spec = (name: string, url: string, ref?: string, order = 0): PluginSpec => pluginSpec(conf, name, url, ref, order);
  return { ...c, spec };
}

describe("resolveLockUpdate", () => {
  test("a first lock adds every plugin; a second run reports nothing moved", async () => {
    const c = newCase();
    const heat = makeRepo(c.served("heat"), { commits: 2 });
    const ironic = makeRepo(c.served("ironic"), { commits: 1 });
    const specs = [c.spec("heat", c.url("heat")), c.spec("ironic", c.url("ironic"), undefined, 1)];
    const first = await resolveLockUpdate(c.ctx, specs, { lock: null, baseDir: c.root });
    expect(first.lock.plugins.map((p) => [p.name, p.commit])).toEqual([
      ["heat", heat.commits[1]!],
      ["ironic", ironic.commits[0]!],
    ]);
    expect(renderLockDiff(first.rows)).toEqual([
      `heat    added ${heat.commits[1]!.slice(0, 7)} (master)`,
      `ironic  added ${ironic.commits[0]!.slice(0, 7)} (master)`,
    ]);
    const again = await resolveLockUpdate(c.ctx, specs, { lock: first.lock, baseDir: c.root });
    expect(again.rows).toEqual([]);
    expect(again.vanished).toEqual([]);
  });

  test("without --update a locked plugin stays put; --update NAME moves only that one", async () => {
    const c = newCase();
    const heat = makeRepo(c.served("heat"), { commits: 1 });
    const nova = makeRepo(c.served("nova"), { commits: 1 });
    const specs = [c.spec("heat", c.url("heat")), c.spec("nova", c.url("nova"), undefined, 1)];
    const { lock } = await resolveLockUpdate(c.ctx, specs, { lock: null, baseDir: c.root });
    const heat2 = addCommit(heat.dir);
    const nova2 = addCommit(nova.dir);
    expect((await resolveLockUpdate(c.ctx, specs, { lock, baseDir: c.root })).rows).toEqual([]);
    const upd = await resolveLockUpdate(c.ctx, specs, { lock, update: ["heat"], baseDir: c.root });
    expect(renderLockDiff(upd.rows)).toEqual([`heat  ${heat.commits[0]!.slice(0, 7)} -> ${heat2.slice(0, 7)} (master)`]);
    expect(upd.notes).toEqual({});
    const all = await resolveLockUpdate(c.ctx, specs, { lock: upd.lock, update: true, baseDir: c.root });
    expect(renderLockDiff(all.rows)).toEqual([`nova  ${nova.commits[0]!.slice(0, 7)} -> ${nova2.slice(0, 7)} (master)`]);
  });

  test("a removed plugin is reported removed, with the repos it cloned", async () => {
    const c = newCase();
    const heat = makeRepo(c.served("heat"), { commits: 1 });
    const old = lockFromPlugins(
      [
        { name: "heat", url: c.url("heat"), ref: "master", commit: heat.commits[0]! },
        { name: "gone", url: c.url("gone"), ref: "master", commit: "a".repeat(40) },
      ],
      [{ url: c.url("lib"), ref: "master", commit: "b".repeat(40), requested_by: "gone" }],
    );
    const r = await resolveLockUpdate(c.ctx, [c.spec("heat", c.url("heat"))], { lock: old, baseDir: c.root });
    expect(r.rows.map((x) => [x.kind, x.name])).toEqual(
      [
        ["removed", `${c.url("lib")} (git_clone by gone)`],
        ["removed", "gone"],
      ].sort((a, b) => (a[1]! < b[1]! ? -1 : 1)),
    );
    expect(r.lock.repos).toEqual([]);
  });

  test("force-push upstream: --update moves the lock and says history was rewritten; the old commit stays pinned", async () => {
    const c = newCase();
    const heat = makeRepo(c.served("heat"), { commits: 2 });
    const spec = c.spec("heat", c.url("heat"));
    const { lock } = await resolveLockUpdate(c.ctx, [spec], { lock: null, baseDir: c.root });
    const rewritten = rewriteTip(heat.dir, "master");
    const r = await resolveLockUpdate(c.ctx, [spec], { lock, update: true, baseDir: c.root });
    expect(r.lock.plugins[0]!.commit).toBe(rewritten);
    expect(r.notes.heat).toBe(`history rewritten upstream: ${heat.commits[1]!.slice(0, 7)} is not an ancestor of ${rewritten.slice(0, 7)}`);
    const mirror = findMirror(c.ctx.cacheDir, c.url("heat"))!;
    expect(git(mirror.path, "rev-parse", pinRef(heat.commits[1]!))).toBe(heat.commits[1]!);
  });

  test("a vanished stable branch keeps its locked entry and names its successors", async () => {
    const c = newCase();
    const heat = makeRepo(c.served("heat"), { commits: 2 });
    addBranch(heat.dir, "stable/2023.1", heat.commits[0]!);
    const other = makeRepo(c.served("other"), { commits: 1 });
    const specs = [c.spec("heat", c.url("heat"), "stable/2023.1"), c.spec("other", c.url("other"), undefined, 1)];
    const { lock } = await resolveLockUpdate(c.ctx, specs, { lock: null, baseDir: c.root });
    expect(lock.plugins[0]!.commit).toBe(heat.commits[0]!);
    // OpenStack end-of-life: the branch becomes a tag and an unmaintained branch
    addTag(heat.dir, "2023.1-eol", { at: heat.commits[0]! });
    addBranch(heat.dir, "unmaintained/2023.1", heat.commits[0]!);
    deleteBranch(heat.dir, "stable/2023.1");
    const other2 = addCommit(other.dir);
    const r = await resolveLockUpdate(c.ctx, specs, { lock, update: true, baseDir: c.root });
    expect(r.vanished).toHaveLength(1);
    expect(r.vanished[0]).toMatchObject({
      name: "heat",
      ref: "stable/2023.1",
      lockedCommit: heat.commits[0]!,
      successors: ["2023.1-eol", "unmaintained/2023.1"],
    });
    expect(r.lock.plugins.find((p) => p.name === "heat")?.commit).toBe(heat.commits[0]!);
    expect(r.lock.plugins.find((p) => p.name === "other")?.commit).toBe(other2);
    expect(renderVanished(r.vanished)[0]).toContain("successors: 2023.1-eol, unmaintained/2023.1");
    expect(renderVanished(r.vanished)[0]).toContain(`enable_plugin heat (${join(c.root, "local.conf")}:1)`);
  });

  test("a new plugin with a ref that does not exist is an error, not a vanished ref", async () => {
    const c = newCase();
    makeRepo(c.served("heat"), { commits: 1 });
    const err = await resolveLockUpdate(c.ctx, [c.spec("heat", c.url("heat"), "stable/zed")], { lock: null, baseDir: c.root }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toContain("ref stable/zed not found");
  });

  test("--update with a name that is not enabled is a usage error", async () => {
    const c = newCase();
    const err = await resolveLockUpdate(c.ctx, [], { lock: null, update: ["nope"], baseDir: c.root }).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain("nope is not enabled");
  });

  test("--update re-resolves the [[repo]] entries of the updated plugin only", async () => {
    const c = newCase();
    const heat = makeRepo(c.served("heat"), { commits: 1 });
    const lib = makeRepo(c.served("lib"), { commits: 1 });
    const tool = makeRepo(c.served("tool"), { commits: 1 });
    const old = lockFromPlugins(
      [{ name: "heat", url: c.url("heat"), ref: "master", commit: heat.commits[0]! }],
      [
        { url: c.url("lib"), ref: "master", commit: lib.commits[0]!, requested_by: "heat" },
        { url: c.url("tool"), ref: "master", commit: tool.commits[0]!, requested_by: "" },
      ],
    );
    const lib2 = addCommit(lib.dir);
    addCommit(tool.dir);
    const r = await resolveLockUpdate(c.ctx, [c.spec("heat", c.url("heat"))], { lock: old, update: ["heat"], baseDir: c.root });
    expect(renderLockDiff(r.rows)).toEqual([`${c.url("lib")} (git_clone by heat)  ${lib.commits[0]!.slice(0, 7)} -> ${lib2.slice(0, 7)} (master)`]);
  });

  test("offline: every plugin the cache lacks is named in one error, and nothing is tried", async () => {
    const c = newCase();
    const ctx = testCtx(c.root, { offline: true });
    const specs = [c.spec("a", "https://example.invalid/a"), c.spec("b", "git://127.0.0.1:9/b", undefined, 1)];
    const err = await resolveLockUpdate(ctx, specs, { lock: null, baseDir: c.root }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toContain("not in the cache (offline), 2 plugins");
    expect(err.message).toContain("  - a: https://example.invalid/a master");
    expect(err.message).toContain("  - b: git://127.0.0.1:9/b master");
    expect(err.message).not.toMatch(/resolve host|refused/i);
    expect(err.hint).toContain("plugstack fetch");
  });
});

// verify: the cache holds and pins every locked commit; checkouts are at
// their locked commit and clean; config and lock agree. Real repos and drift.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findMirror, pinRef } from "../../src/plugins/cache.ts";
import { materialisePlugins } from "../../src/plugins/fetch.ts";
import { fillCache, lockTargets } from "../../src/plugins/fill.ts";
import { lockFromPlugins } from "../../src/plugins/lockfile.ts";
import { renderVerifyReport, verifyLock } from "../../src/plugins/verify.ts";
import { git, makeRepo, tempDir } from "../helpers/git.ts";
import { pluginSpec, testCtx } from "../plugins/ctx.ts";

setDefaultTimeout(30_000); // git and the compiled binary on a loaded 2-core machine

const tmp = tempDir("plugstack-verify-");
afterAll(() => tmp.cleanup());

let k = 0;
async function stacked() {
  const root = join(tmp.path, `case-${++k}`);
  mkdirSync(root);
  const ctx = testCtx(root);
  const heat = makeRepo(join(root, "up", "heat"), { commits: 2, files: { ".gitignore": "*.pyc\n", README: "heat\n" } });
  const lib = makeRepo(join(root, "up", "lib"), { commits: 1 });
  const spec = pluginSpec(join(root, "local.conf"), "heat", heat.url, undefined, 0);
  const dest = join(root, "dest");
  const plugins = await materialisePlugins(ctx, [spec], { dest });
  const lock = lockFromPlugins(plugins, [{ url: lib.url, ref: "master", commit: lib.commits[0]!, requested_by: "heat" }]);
  await fillCache(ctx, lockTargets(lock, root));
  git(root, "clone", "-q", join(ctx.cacheDir, "git", readdirSync(join(ctx.cacheDir, "git")).find((e) => e.startsWith("up-lib"))!), join(dest, "lib"));
  git(join(dest, "lib"), "remote", "set-url", "origin", lib.url);
  return { root, ctx, heat, lib, spec, dest, lock };
}

describe("verifyLock", () => {
  test("everything in place: ok, ignored files do not count", async () => {
    const s = await stacked();
    writeFileSync(join(s.dest, "heat", "x.pyc"), "compiled");
    const r = await verifyLock(s.ctx, { lock: s.lock, specs: [s.spec], dest: s.dest, baseDir: s.root, full: true });
    expect(r.ok).toBe(true);
    expect(r.cache.map((l) => [l.name, l.status])).toEqual([
      ["heat", "ok"],
      ["lib (git_clone by heat)", "ok"],
      [`fsck ${s.heat.url}`, "ok"],
      [`fsck ${s.lib.url}`, "ok"],
    ]);
    expect(r.checkouts.map((l) => [l.name, l.status])).toEqual([
      ["heat", "ok"],
      ["lib (git_clone by heat)", "ok"],
    ]);
  });

  test("a moved checkout, local changes, untracked files and a repo at another commit are drift", async () => {
    const s = await stacked();
    git(join(s.dest, "heat"), "checkout", "-q", "--detach", s.heat.commits[0]!);
    appendFileSync(join(s.dest, "heat", "README"), "edited\n");
    writeFileSync(join(s.dest, "heat", "notes.txt"), "mine");
    git(join(s.dest, "lib"), "commit", "-q", "--allow-empty", "-m", "local");
    const r = await verifyLock(s.ctx, { lock: s.lock, specs: [s.spec], dest: s.dest, baseDir: s.root });
    expect(r.ok).toBe(false);
    const heat = r.checkouts.find((l) => l.name === "heat")!;
    expect(heat.status).toBe("drift");
    expect(heat.detail).toBe(`at ${s.heat.commits[0]!.slice(0, 7)}, the lock says ${s.heat.commits[1]!.slice(0, 7)}; not clean: README, notes.txt`);
    expect(r.checkouts.find((l) => l.kind === "repo")?.status).toBe("drift");
    expect(renderVerifyReport(r).some((l) => l.startsWith("  DRIFT heat"))).toBe(true);
  });

  test("a missing checkout is absent, not drift; a symlink where a commit is locked is drift", async () => {
    const s = await stacked();
    rmSync(join(s.dest, "heat"), { recursive: true });
    let r = await verifyLock(s.ctx, { lock: s.lock, dest: s.dest, baseDir: s.root });
    expect(r.checkouts[0]).toMatchObject({ name: "heat", status: "absent" });
    expect(r.ok).toBe(true);
    symlinkSync(s.heat.dir, join(s.dest, "heat"));
    r = await verifyLock(s.ctx, { lock: s.lock, dest: s.dest, baseDir: s.root });
    expect(r.checkouts[0]!.status).toBe("drift");
    expect(r.checkouts[0]!.detail).toContain("is a symlink to");
  });

  test("an unpinned commit, a missing mirror and a corrupt mirror (--full) are drift in the cache", async () => {
    const s = await stacked();
    const heatMirror = findMirror(s.ctx.cacheDir, s.heat.url)!;
    git(heatMirror.path, "update-ref", "-d", pinRef(s.heat.commits[1]!));
    rmSync(findMirror(s.ctx.cacheDir, s.lib.url)!.path, { recursive: true });
    let r = await verifyLock(s.ctx, { lock: s.lock, dest: s.dest, baseDir: s.root });
    expect(r.cache.map((l) => [l.name, l.status, l.detail.split(" (")[0]])).toEqual([
      ["heat", "drift", `commit ${s.heat.commits[1]!.slice(0, 7)} is in the cache but not pinned`],
      ["lib (git_clone by heat)", "drift", `no mirror of ${s.lib.url} in the cache`],
    ]);
    // break an object the locked commit needs
    const packs = join(heatMirror.path, "objects", "pack");
    for (const f of readdirSync(packs).filter((f) => f.endsWith(".pack"))) {
      const path = join(packs, f);
      const bytes = await Bun.file(path).bytes();
      bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0xff;
      await Bun.write(path, bytes);
    }
    r = await verifyLock(s.ctx, { lock: s.lock, dest: s.dest, baseDir: s.root, full: true });
    expect(r.cache.find((l) => l.name.startsWith("fsck"))?.status).toBe("drift");
  });

  test("a config that differs from the lock is reported", async () => {
    const s = await stacked();
    const r = await verifyLock(s.ctx, {
      lock: s.lock,
      specs: [
        { ...s.spec, ref: "stable/2024.1" },
        { ...s.spec, name: "nova" },
      ],
      dest: s.dest,
      baseDir: s.root,
    });
    expect(r.ok).toBe(false);
    expect(r.lockDrift).toEqual(["heat: ref is stable/2024.1 in the config but master in the lock", "nova: enabled in the config but not in the lock"]);
  });
});

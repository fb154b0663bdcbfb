// bundle create / import between two caches (two "machines"): real repos,
// real git bundles, real tar (GNU tar reads what plugstack writes, and
// writes the altered bundles plugstack must refuse); tampered, incomplete and hostile bundles are
// refused before anything is written.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BundleError, LockError } from "../../src/errors.ts";
import { createBundle } from "../../src/plugins/bundle.ts";
import { importBundle } from "../../src/plugins/bundle-import.ts";
import { findMirror, pinRef } from "../../src/plugins/cache.ts";
import { checkoutCommit } from "../../src/plugins/checkout.ts";
import { fillCache, lockTargets } from "../../src/plugins/fill.ts";
import { type Lock, lockFromPlugins, renderLock } from "../../src/plugins/lockfile.ts";
import { addCommit, git, makeRepo, tempDir } from "../helpers/git.ts";
import { testCtx } from "../plugins/ctx.ts";

setDefaultTimeout(30_000); // git and the compiled binary on a loaded 2-core machine

const tmp = tempDir("plugstack-bundle-");
let lock: Lock;
let bundleFile: string;
const machineA = () => testCtx(tmp.path, { cacheDir: join(tmp.path, "cache-a") });
let heat: ReturnType<typeof makeRepo>;
let lib: ReturnType<typeof makeRepo>;

/** A tar of `dir` with MANIFEST first, as plugstack writes bundles. */
function tarOf(dir: string, out: string): void {
  const names = readdirSync(dir).sort((a, b) => Number(b === "MANIFEST") - Number(a === "MANIFEST"));
  const r = Bun.spawnSync(["tar", "-c", "-f", out, "-C", dir, "--", ...names], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
}

/** Unpack the bundle, let `edit` change the members, pack it again. */
function alteredBundle(name: string, edit: (dir: string) => void | Promise<void>): Promise<string> {
  const dir = join(tmp.path, `${name}-content`);
  mkdirSync(dir);
  Bun.spawnSync(["tar", "-x", "-f", bundleFile, "-C", dir]);
  return Promise.resolve(edit(dir)).then(() => {
    const out = join(tmp.path, `${name}.tar`);
    tarOf(dir, out);
    return out;
  });
}

async function rewriteManifest(dir: string): Promise<void> {
  const lines: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel)).sort()) {
      const name = rel ? `${rel}/${e}` : e;
      if (name === "MANIFEST") continue;
      if (Bun.spawnSync(["test", "-d", join(dir, name)]).exitCode === 0) walk(name);
      else lines.push(name);
    }
  };
  walk("");
  const out: string[] = [];
  // the sum as sha256sum prints it, computed here rather than by plugstack
  for (const name of lines)
    out.push(
      `${createHash("sha256")
        .update(readFileSync(join(dir, name)))
        .digest("hex")}  ${name}`,
    );
  writeFileSync(join(dir, "MANIFEST"), `${out.join("\n")}\n`);
}

beforeAll(async () => {
  heat = makeRepo(join(tmp.path, "up", "heat"), { commits: 4, tags: { "1.0.0": 0, "1.1.0": 2, "9.9.9": 3 } });
  lib = makeRepo(join(tmp.path, "up", "lib"), { commits: 2 });
  lock = lockFromPlugins(
    [
      { name: "heat", url: heat.url, ref: "master", commit: heat.commits[2]! },
      { name: "dir", url: "./plain", ref: "master", commit: null },
    ],
    [{ url: lib.url, ref: "master", commit: lib.commits[1]!, requested_by: "heat" }],
  );
  await fillCache(machineA(), lockTargets(lock, tmp.path));
  const pkg = join(tmp.path, "cache-a", "packages", "bookworm");
  mkdirSync(join(pkg, "debs", "partial"), { recursive: true });
  writeFileSync(join(pkg, "debs", "tiny_1.0_all.deb"), "not really a deb\n");
  writeFileSync(join(pkg, "debs", "partial", "half.deb"), "partial download\n");
  writeFileSync(join(pkg, "Packages"), "Package: tiny\nFilename: debs/tiny_1.0_all.deb\n\n");
  const index = {
    version: 1,
    distro: "bookworm",
    id: "debian",
    versionId: "12",
    manager: "apt-get",
    requested: ["tiny"],
    packages: [{ name: "tiny", version: "1.0", arch: "all", file: "debs/tiny_1.0_all.deb", size: 17, sha256: "", provides: [] }],
  };
  writeFileSync(join(pkg, "index.json"), JSON.stringify(index));
  bundleFile = join(tmp.path, "stack.bundle");
  await createBundle(machineA(), bundleFile, lock, { baseDir: tmp.path });
}, 30_000);
afterAll(() => tmp.cleanup());

let k = 0;
function machine() {
  const root = join(tmp.path, `machine-${++k}`);
  mkdirSync(root);
  return { root, ctx: testCtx(root, { cacheDir: join(root, "cache") }), lockPath: join(root, "local.conf.lock") };
}

describe("bundle create", () => {
  test("holds MANIFEST, bundle.json, the lock, one git bundle per repo and the package cache (without partial files)", () => {
    const list = Bun.spawnSync(["tar", "-t", "-f", bundleFile]).stdout.toString().trim().split("\n").sort();
    const heatKey = findMirror(join(tmp.path, "cache-a"), heat.url)!
      .path.split("/")
      .pop()!
      .replace(/\.git$/, "");
    expect(list).toContain("MANIFEST");
    expect(list).toContain("bundle.json");
    expect(list).toContain("local.conf.lock");
    expect(list).toContain(`git/${heatKey}.bundle`);
    expect(list).toContain("packages/bookworm/debs/tiny_1.0_all.deb");
    expect(list.filter((n) => n.includes("partial"))).toEqual([]);
    expect(list.filter((n) => n.startsWith("git/"))).toHaveLength(2);
  });

  test("each git bundle holds exactly the locked commits and the tags in their history", () => {
    const dir = join(tmp.path, "inspect");
    mkdirSync(dir);
    Bun.spawnSync(["tar", "-x", "-f", bundleFile, "-C", dir]);
    const heatKey = findMirror(join(tmp.path, "cache-a"), heat.url)!
      .path.split("/")
      .pop()!
      .replace(/\.git$/, "");
    const heads = git(dir, "bundle", "list-heads", join(dir, "git", `${heatKey}.bundle`))
      .split("\n")
      .map((l) => l.split(" ")[1])
      .sort();
    expect(heads).toEqual([pinRef(heat.commits[2]!), "refs/tags/1.0.0", "refs/tags/1.1.0"]);
  });

  test("a locked commit missing from the cache: the error names it and says to fetch", async () => {
    const missing = lockFromPlugins([{ name: "heat", url: heat.url, ref: "master", commit: "5".repeat(40) }]);
    const err = await createBundle(machineA(), join(tmp.path, "never.bundle"), missing, { baseDir: tmp.path }).catch((e) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect(err.message).toContain(`heat: ${heat.url} master (commit ${"5".repeat(40)})`);
    expect(err.hint).toContain("plugstack fetch");
    expect(existsSync(join(tmp.path, "never.bundle"))).toBe(false);
    expect(readdirSync(tmp.path).filter((e) => e.includes("plugstack-tmp") || e.includes(".tmp-"))).toEqual([]);
  });
});

describe("bundle import", () => {
  test("fills an empty cache (mirrors with pins and tags), writes the lock; checkouts from it have full history", async () => {
    const m = machine();
    const r = await importBundle(m.ctx, bundleFile, { lockPath: m.lockPath, baseDir: m.root });
    expect(r.lockStatus).toBe("written");
    expect(readFileSync(m.lockPath, "utf8")).toBe(renderLock(lock));
    expect(r.repos.map((x) => x.status)).toEqual(["created", "created"]);
    expect(r.packages).toEqual([{ distro: "bookworm", status: "created", added: 3 }]);
    expect(readFileSync(join(m.ctx.cacheDir, "packages", "bookworm", "debs", "tiny_1.0_all.deb"), "utf8")).toBe("not really a deb\n");
    const mirror = findMirror(m.ctx.cacheDir, heat.url)!;
    expect(git(mirror.path, "rev-parse", pinRef(heat.commits[2]!))).toBe(heat.commits[2]!);
    expect(git(mirror.path, "config", "remote.origin.url")).toBe(heat.url);
    const dir = join(m.root, "dest", "heat");
    await checkoutCommit(m.ctx, { name: "heat", dir, mirror, upstreamUrl: heat.url, commit: heat.commits[2]! });
    expect(git(dir, "describe", "--tags")).toBe("1.1.0");
    expect(git(dir, "rev-list", "--count", "HEAD")).toBe("3");
  });

  test("importing again changes nothing; a different existing lock is kept and reported, or replaced when asked", async () => {
    const m = machine();
    await importBundle(m.ctx, bundleFile, { lockPath: m.lockPath, baseDir: m.root });
    const again = await importBundle(m.ctx, bundleFile, { lockPath: m.lockPath, baseDir: m.root });
    expect(again.lockStatus).toBe("unchanged");
    expect(again.repos.map((x) => x.status)).toEqual(["unchanged", "unchanged"]);
    const mine = lockFromPlugins([{ name: "heat", url: heat.url, ref: "master", commit: heat.commits[0]! }]);
    writeFileSync(m.lockPath, renderLock(mine));
    const kept = await importBundle(m.ctx, bundleFile, { lockPath: m.lockPath, baseDir: m.root });
    expect(kept.lockStatus).toBe("kept-different");
    expect(kept.lockDiff.find((l) => l.startsWith("heat "))).toMatch(
      new RegExp(`^heat +${heat.commits[0]!.slice(0, 7)} -> ${heat.commits[2]!.slice(0, 7)} \\(master\\)$`),
    );
    expect(readFileSync(m.lockPath, "utf8")).toBe(renderLock(mine));
    const replaced = await importBundle(m.ctx, bundleFile, { lockPath: m.lockPath, baseDir: m.root, replaceLock: true });
    expect(replaced.lockStatus).toBe("replaced");
    expect(readFileSync(m.lockPath, "utf8")).toBe(renderLock(lock));
  });

  test("carries its local.conf: written where there is none, never over an existing one", async () => {
    const conf = join(tmp.path, "with-conf", "local.conf");
    mkdirSync(join(tmp.path, "with-conf"));
    writeFileSync(conf, "[[local|localrc]]\nenable_plugin heat https://example.invalid/heat\n");
    const file = join(tmp.path, "with-conf.bundle");
    await createBundle(machineA(), file, lock, { baseDir: tmp.path, configPath: conf });
    expect(Bun.spawnSync(["tar", "-t", "-f", file]).stdout.toString().split("\n")).toContain("local.conf");
    const m = machine();
    const target = join(m.root, "local.conf");
    const first = await importBundle(m.ctx, file, { lockPath: m.lockPath, baseDir: m.root, configPath: target });
    expect(first.config).toEqual({ path: target, status: "written" });
    expect(readFileSync(target, "utf8")).toBe(readFileSync(conf, "utf8"));
    const again = await importBundle(m.ctx, file, { lockPath: m.lockPath, baseDir: m.root, configPath: target });
    expect(again.config.status).toBe("unchanged");
    writeFileSync(target, "# mine\n");
    const kept = await importBundle(m.ctx, file, { lockPath: m.lockPath, baseDir: m.root, configPath: target });
    expect(kept.config.status).toBe("kept-different");
    expect(readFileSync(target, "utf8")).toBe("# mine\n");
    // a bundle made without a config writes none
    const n = machine();
    const none = await importBundle(n.ctx, bundleFile, { lockPath: n.lockPath, baseDir: n.root, configPath: join(n.root, "local.conf") });
    expect(none.config.status).toBe("absent");
    expect(existsSync(join(n.root, "local.conf"))).toBe(false);
  });

  test("new package files are merged into an existing package cache", async () => {
    const m = machine();
    const pkg = join(m.ctx.cacheDir, "packages", "bookworm");
    mkdirSync(join(pkg, "debs"), { recursive: true });
    writeFileSync(join(pkg, "debs", "other_2.0_all.deb"), "other\n");
    writeFileSync(join(pkg, "Packages"), "Package: other\nFilename: debs/other_2.0_all.deb\n\n");
    writeFileSync(
      join(pkg, "index.json"),
      JSON.stringify({
        version: 1,
        distro: "bookworm",
        id: "debian",
        versionId: "12",
        manager: "apt-get",
        requested: ["other"],
        packages: [{ name: "other", version: "2.0", arch: "all", file: "debs/other_2.0_all.deb", size: 6, sha256: "", provides: [] }],
      }),
    );
    const r = await importBundle(m.ctx, bundleFile, { lockPath: m.lockPath, baseDir: m.root });
    expect(r.packages).toEqual([{ distro: "bookworm", status: "merged", added: 1 }]);
    const index = JSON.parse(readFileSync(join(pkg, "index.json"), "utf8"));
    expect(index.requested).toEqual(["other", "tiny"]);
    expect(index.packages.map((p: { name: string }) => p.name)).toEqual(["other", "tiny"]);
    expect(readFileSync(join(pkg, "Packages"), "utf8")).toBe(
      "Package: other\nFilename: debs/other_2.0_all.deb\n\nPackage: tiny\nFilename: debs/tiny_1.0_all.deb\n\n",
    );
  });
});

describe("bundle import refuses, writing nothing", () => {
  async function refused(file: string): Promise<{ err: BundleError | LockError; m: ReturnType<typeof machine> }> {
    const m = machine();
    const err = await importBundle(m.ctx, file, { lockPath: m.lockPath, baseDir: m.root }).catch((e) => e);
    expect(existsSync(m.ctx.cacheDir)).toBe(false);
    expect(existsSync(m.lockPath)).toBe(false);
    return { err, m };
  }

  test("a tampered git bundle: names the member that failed its checksum", async () => {
    let member = "";
    const file = await alteredBundle("tampered", (dir) => {
      member = `git/${readdirSync(join(dir, "git")).sort()[0]}`;
      const path = join(dir, member);
      const bytes = readFileSync(path);
      bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0xff;
      writeFileSync(path, bytes);
    });
    const { err } = await refused(file);
    expect(err).toBeInstanceOf(BundleError);
    expect(err.message).toContain(`member ${member} failed its checksum`);
  });

  test("a tampered lock", async () => {
    const file = await alteredBundle("tampered-lock", (dir) => {
      writeFileSync(join(dir, "local.conf.lock"), readFileSync(join(dir, "local.conf.lock"), "utf8").replace(heat.commits[2]!, heat.commits[3]!));
    });
    const { err } = await refused(file);
    expect(err.message).toContain("member local.conf.lock failed its checksum");
  });

  test("a member the MANIFEST does not list, and one it lists that is missing", async () => {
    const extra = await alteredBundle("extra", (dir) => writeFileSync(join(dir, "packages", "bookworm", "debs", "evil.deb"), "x"));
    expect((await refused(extra)).err.message).toContain("member packages/bookworm/debs/evil.deb is not listed in MANIFEST");
    const missing = await alteredBundle("missing", (dir) => rmSync(join(dir, "packages", "bookworm", "Packages")));
    expect((await refused(missing)).err.message).toContain("member packages/bookworm/Packages is listed in MANIFEST but missing");
  });

  test("a consistent MANIFEST but a git bundle that does not hold the locked commit", async () => {
    const file = await alteredBundle("wrong-commit", async (dir) => {
      const meta = JSON.parse(readFileSync(join(dir, "bundle.json"), "utf8"));
      const heatEntry = meta.repos.find((r: { urls: string[] }) => r.urls.includes(heat.url));
      const older = makeRepo(join(tmp.path, "older-heat"), { commits: 1 });
      rmSync(join(dir, heatEntry.bundle));
      git(older.dir, "update-ref", pinRef(older.commits[0]!), older.commits[0]!);
      git(older.dir, "bundle", "create", join(dir, heatEntry.bundle), pinRef(older.commits[0]!));
      await rewriteManifest(dir);
    });
    const { err } = await refused(file);
    expect(err.message).toMatch(/member git\/.*\.bundle does not hold commit/);
  });

  test("a git bundle without the history of its commit (prerequisites)", async () => {
    const file = await alteredBundle("thin", async (dir) => {
      const meta = JSON.parse(readFileSync(join(dir, "bundle.json"), "utf8"));
      const heatEntry = meta.repos.find((r: { urls: string[] }) => r.urls.includes(heat.url));
      const work = join(tmp.path, "thin-heat");
      git(tmp.path, "clone", "-q", heat.dir, work);
      git(work, "update-ref", pinRef(heat.commits[2]!), heat.commits[2]!);
      rmSync(join(dir, heatEntry.bundle));
      git(work, "bundle", "create", join(dir, heatEntry.bundle), `${heat.commits[1]!}..${pinRef(heat.commits[2]!)}`);
      await rewriteManifest(dir);
    });
    const { err } = await refused(file);
    expect(err.message).toMatch(/member git\/.*\.bundle cannot be unbundled/);
  });

  test("a symlink member, a path outside the bundle, a truncated file, a future format", async () => {
    const link = await alteredBundle("symlink", (dir) => symlinkSync("/etc/passwd", join(dir, "packages", "bookworm", "debs", "link.deb")));
    expect((await refused(link)).err.message).toContain("member packages/bookworm/debs/link.deb is not a regular file or directory");
    const dir = join(tmp.path, "escape");
    mkdirSync(join(dir, "a"), { recursive: true });
    writeFileSync(join(dir, "a", "x"), "x");
    const escapeTar = join(tmp.path, "escape.tar");
    Bun.spawnSync(["tar", "-c", "-f", escapeTar, "-C", join(dir, "a"), "--", "../a/x"]);
    expect((await refused(escapeTar)).err.message).toContain("unexpected member name");
    const truncated = join(tmp.path, "truncated.bundle");
    writeFileSync(truncated, readFileSync(bundleFile));
    truncateSync(truncated, 3000);
    expect((await refused(truncated)).err).toBeInstanceOf(BundleError);
    const future = await alteredBundle("future", async (d) => {
      const meta = JSON.parse(readFileSync(join(d, "bundle.json"), "utf8"));
      writeFileSync(join(d, "bundle.json"), JSON.stringify({ ...meta, version: 2 }));
      await rewriteManifest(d);
    });
    const { err } = await refused(future);
    expect(err.message).toContain("bundle format version 2 is not supported (this plugstack reads version 1)");
  });

  test("a lock of an unknown version inside the bundle", async () => {
    const file = await alteredBundle("lock-v9", async (dir) => {
      writeFileSync(join(dir, "local.conf.lock"), readFileSync(join(dir, "local.conf.lock"), "utf8").replace("version = 1", "version = 9"));
      await rewriteManifest(dir);
    });
    const { err } = await refused(file);
    expect(err).toBeInstanceOf(LockError);
    expect(err.message).toContain("lock format version 9 is not supported");
  });
});

test("upstream moved on after the bundle was made: the import still has the locked commit", async () => {
  addCommit(heat.dir);
  const m = machine();
  await importBundle(m.ctx, bundleFile, { lockPath: m.lockPath, baseDir: m.root });
  expect(git(findMirror(m.ctx.cacheDir, heat.url)!.path, "cat-file", "-t", heat.commits[2]!)).toBe("commit");
});

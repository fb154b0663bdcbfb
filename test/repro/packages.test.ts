// fetch --packages: the packages a locked plugin lists for this distro (read
// from the cache mirror at the locked commit, nothing checked out) land in
// the package cache with their dependencies, go into the bundle, and come
// out on the other machine. Uses the real apt-get; skipped when it cannot
// download (no root, no apt, no network to the mirror).
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { detectDistro } from "../../src/packages/distro.ts";
import { packageCacheDir } from "../../src/packages/offline.ts";
import { makeRepo, tempDir } from "../helpers/git.ts";
import { pickAptPackage } from "../packages/helpers/apt.ts";
import { netnsSkipReason, plugstack, plugstackNoNet, writeConf } from "./helpers.ts";

const pick = await pickAptPackage();
const skip = "skip" in pick ? pick.skip : "";
if (skip) console.log(`[skip] fetch --packages tests: ${skip}`);
const pkg = "name" in pick ? pick.name : "";
const tmp = tempDir("plugstack-pkgs-");
afterAll(() => tmp.cleanup());

describe.skipIf(!!skip)("fetch --packages", () => {
  test(`downloads ${pkg || "the listed package"} with its dependencies; the bundle carries them to another cache`, async () => {
    const distro = await detectDistro();
    const plugin = makeRepo(join(tmp.path, "up", "pkgplugin"), {
      files: {
        "devstack/files/debs/pkgplugin": `${pkg}\nplugstack-not-a-real-package # NOPRIME\n`,
        "devstack/plugin.sh": "true\n",
      },
    });
    const conf = writeConf(join(tmp.path, "cfg"), [`enable_plugin pkgplugin ${plugin.url}`]);
    const cacheA = join(tmp.path, "cache-a");
    const r = await plugstack(["fetch", "--packages", "-c", conf, "--cache-dir", cacheA], { cwd: tmp.path });
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`packages: 1 wanted for ${distro.distro}`);
    const dir = packageCacheDir(cacheA, distro);
    const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
    expect(index.requested).toEqual([pkg]);
    expect(index.packages.map((p: { name: string }) => p.name)).toContain(pkg);

    const bundle = join(tmp.path, "pkgs.bundle");
    expect((await plugstack(["bundle", "create", bundle, "-c", conf, "--cache-dir", cacheA], { cwd: tmp.path })).code).toBe(0);
    const list = Bun.spawnSync(["tar", "-t", "-f", bundle]).stdout.toString();
    const deb = index.packages.find((p: { name: string }) => p.name === pkg).file;
    expect(list).toContain(`packages/${distro.distro}/${deb}`);

    const cacheB = join(tmp.path, "cache-b");
    const importer = netnsSkipReason() ? plugstack : plugstackNoNet;
    const imp = await importer(["bundle", "import", bundle, "-c", conf, "--cache-dir", cacheB], { cwd: tmp.path });
    expect(imp.code).toBe(0);
    expect(imp.stderr).toContain(`packages for ${distro.distro}: created`);
    expect(JSON.parse(readFileSync(join(packageCacheDir(cacheB, distro), "index.json"), "utf8")).packages).toEqual(index.packages);
  }, 300_000);
});

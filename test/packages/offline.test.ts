// Offline packages: fetch a tiny package with its dependencies into a cache,
// remove it, then install it with no network at all (inside unshare -n).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PackageError } from "../../src/errors.ts";
import { detectDistro } from "../../src/packages/distro.ts";
import { installPackages } from "../../src/packages/install.ts";
import { fetchPackages, loadPackageIndex, missingFromIndex, packageCacheDir, parseControl } from "../../src/packages/offline.ts";
import { recordingLog } from "../helpers/log.ts";
import { collectOutput } from "../helpers/process.ts";
import { isInstalled, pickAptPackage, purge } from "./helpers/apt.ts";

describe("offline helpers (pure)", () => {
  test("parseControl keeps continuation lines", () => {
    expect(parseControl("Package: a\nDescription: x\n more\nProvides: b, c (= 1)\n")).toEqual({
      Package: "a",
      Description: "x\n more",
      Provides: "b, c (= 1)",
    });
  });
  test("missingFromIndex matches names, Provides, name=version and name:arch", () => {
    const index = {
      version: 1 as const,
      distro: "bookworm",
      id: "debian",
      versionId: "12",
      manager: "apt-get",
      requested: [],
      packages: [{ name: "a", version: "1", arch: "amd64", file: "debs/a.deb", size: 1, sha256: "", provides: ["virt-a"] }],
    };
    expect(missingFromIndex(index, ["a", "virt-a", "a=1", "a:amd64", "b", "c"])).toEqual(["b", "c"]);
  });
});

const pick = await pickAptPackage();
const unshare = Bun.spawnSync(["unshare", "-n", "true"], { stderr: "pipe" });
const skip = "skip" in pick ? pick.skip : unshare.exitCode !== 0 ? `unshare -n is not permitted here: ${unshare.stderr.toString().trim()}` : "";
if (skip) console.log(`[skip] offline package tests: ${skip}`);
const pkg = "name" in pick ? pick.name : "";

const cacheDir = await mkdtemp(join(tmpdir(), "ps-offline-"));
afterAll(async () => {
  if (pkg && isInstalled(pkg)) purge(pkg);
  await rm(cacheDir, { recursive: true, force: true });
});
const ctx = (offline: boolean) => ({ cwd: cacheDir, env: { ...process.env }, log: recordingLog().log, cacheDir, offline });

describe("offline errors", () => {
  test("no cache for this distro: names the directory and the fetch command", async () => {
    const empty = await mkdtemp(join(tmpdir(), "ps-offline-empty-"));
    try {
      const err = await installPackages({ ...ctx(true), cacheDir: empty }, ["plugstack-no-such-package"]).catch((e) => e);
      expect(err).toBeInstanceOf(PackageError);
      expect(err.message).toContain(join(empty, "packages"));
      expect(err.hint).toContain("plugstack fetch --packages");
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
  test("fetching while offline is refused", async () => {
    await expect(fetchPackages(ctx(true), ["sl"])).rejects.toThrow(/offline/);
  });
});

describe.skipIf(!!skip)("fetch, then install with no network", () => {
  test(`fetchPackages downloads ${pkg || "a package"} with its dependencies and indexes them`, async () => {
    const distro = await detectDistro();
    const index = await fetchPackages(ctx(false), [pkg]);
    const dir = packageCacheDir(cacheDir, distro);
    expect(index.requested).toEqual([pkg]);
    expect(index.packages.map((p) => p.name)).toContain(pkg);
    expect(index.packages.map((p) => p.name)).toContain("libc6"); // the closure, as for an empty machine
    expect(await loadPackageIndex(dir)).toEqual(index);
    const packages = await readFile(join(dir, "Packages"), "utf8");
    expect(packages).toContain(`Package: ${pkg}\n`);
    for (const p of index.packages) {
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(packages).toContain(`Filename: ${p.file}\n`);
    }
  });

  test("every package missing from the cache is named, with the fetch command", async () => {
    const err = await installPackages(ctx(true), [pkg, "plugstack-no-such-a", "plugstack-no-such-b"]).catch((e) => e);
    expect(err).toBeInstanceOf(PackageError);
    expect(err.message).toContain("plugstack-no-such-a, plugstack-no-such-b");
    expect(err.message).not.toContain(`${pkg},`);
    expect(err.hint).toContain("plugstack fetch --packages");
  });

  test("dry run shows the two apt-get commands against the cache only", async () => {
    const r = await installPackages(ctx(true), [pkg], { dryRun: true });
    expect(r.commands.map((c) => c.argv[1])).toEqual(["update", "-y"]);
    expect(r.commands[1]!.text).toContain(`Dir::Etc::SourceList=`);
    expect(isInstalled(pkg)).toBe(false);
  });

  test(`installs ${pkg || "the package"} from the cache inside unshare -n`, async () => {
    if (isInstalled(pkg)) purge(pkg);
    const helper = join(import.meta.dir, "helpers", "offline-install.ts");
    const proc = Bun.spawn(["unshare", "-n", process.execPath, helper, cacheDir, pkg], { stdout: "pipe", stderr: "pipe" });
    const { stdout: out, stderr: errText, code } = await collectOutput(proc);
    if (code !== 0) console.log(errText);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([pkg]);
    expect(isInstalled(pkg)).toBe(true);
  });
});

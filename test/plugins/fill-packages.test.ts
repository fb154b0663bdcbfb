// What `fetch --packages` puts in the cache: the packages a stack of the lock
// installs, so that an air-gapped `stack --frozen` finds them all, including
// what the host set-up installs (sudo and DevStack's general prerequisites).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { detectDistro } from "../../src/packages/distro.ts";
import { planLockPackages } from "../../src/plugins/fill-packages.ts";
import type { Lock } from "../../src/plugins/lockfile.ts";
import { isFalse } from "../../src/util/bash-truth.ts";
import { tempDir } from "../helpers/git.ts";
import { testCtx } from "./ctx.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const FIXTURES = join(import.meta.dir, "..", "fixtures", "os-release");

// a plain-directory plugin (no commit in the lock) that lists one package
const pluginDir = join(tmp.path, "fx-pkgs");
mkdirSync(join(pluginDir, "devstack", "files", "debs"), { recursive: true });
writeFileSync(join(pluginDir, "devstack", "files", "debs", "fx-pkgs"), "sl\n");
const lock: Lock = { version: 1, plugins: [{ name: "fx-pkgs", url: pluginDir, ref: "master" }], repos: [] };

describe("planLockPackages", () => {
  test("with the host set-up: sudo and DevStack's general prerequisites come with the plugins' packages", async () => {
    const distro = await detectDistro({ root: join(FIXTURES, "debian-12") });
    const { wanted } = await planLockPackages(testCtx(tmp.path), lock, { baseDir: tmp.path, distro, hostSetup: true });
    expect(wanted).toContain("sudo");
    expect(wanted).toContain("uuid-runtime");
    expect(wanted).toContain("sl");
  });

  test("PLUGSTACK_HOST_SETUP=False: only the plugins' packages", async () => {
    const distro = await detectDistro({ root: join(FIXTURES, "debian-12") });
    const { wanted } = await planLockPackages(testCtx(tmp.path), lock, { baseDir: tmp.path, distro, hostSetup: false });
    expect(wanted).toEqual(["sl"]);
  });

  test.each([
    ["False", true],
    ["false", true],
    ["0", true],
    ["no", true],
    ["off", true],
    ["True", false],
    ["", false],
    [undefined, false],
    ["maybe", false],
  ] as const)("PLUGSTACK_HOST_SETUP=%p turns the host set-up off: %p (trueorfalse with a True default)", (value, off) => {
    expect(isFalse(value)).toBe(off);
  });
});

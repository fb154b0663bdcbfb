import { describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PackageError } from "../../src/errors.ts";
import { detectDistro } from "../../src/packages/distro.ts";
import {
  installBindepFile,
  installPackages,
  renderInstallCommand,
  renderUninstallCommand,
  renderUpdateRepoCommand,
  uninstallPackages,
  updatePackageRepo,
} from "../../src/packages/install.ts";
import { recordingLog } from "../helpers/log.ts";
import { networkSkipReason } from "../helpers/network.ts";
import { isInstalled, pickAptPackage, purge } from "./helpers/apt.ts";

describe("renderInstallCommand", () => {
  const cases: [string, Parameters<typeof renderInstallCommand>, string][] = [
    [
      "apt-get as root",
      ["apt-get", ["sl", "curl"], { asRoot: true }],
      "DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=300 install sl curl",
    ],
    [
      "apt-get via sudo -E",
      ["apt-get", ["sl"], { asRoot: false }],
      "DEBIAN_FRONTEND=noninteractive sudo -E apt-get -y -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=300 install sl",
    ],
    ["dnf as root", ["dnf", ["gcc"], { asRoot: true }], "dnf install -y gcc"],
    ["dnf via sudo", ["dnf", ["gcc"], { asRoot: false }], "sudo dnf install -y gcc"],
    ["zypper as root", ["zypper", ["gcc"], { asRoot: true }], "zypper --non-interactive install gcc"],
    ["zypper via sudo", ["zypper", ["gcc"], { asRoot: false }], "sudo zypper --non-interactive install gcc"],
    [
      "versions and arch qualifiers pass",
      ["apt-get", ["foo=1.2-1", "bar:i386"], { asRoot: true }],
      "DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=300 install foo=1.2-1 bar:i386",
    ],
  ];
  for (const [name, args, text] of cases) test(name, () => expect(renderInstallCommand(...args).text).toBe(text));

  test("the argv and env are what runs", () => {
    const c = renderInstallCommand("apt-get", ["sl"], { asRoot: false });
    expect(c.argv).toEqual(["sudo", "-E", "apt-get", "-y", "-o", "Dpkg::Options::=--force-confold", "-o", "DPkg::Lock::Timeout=300", "install", "sl"]);
    expect(c.env).toEqual({ DEBIAN_FRONTEND: "noninteractive" });
  });
  for (const bad of ["-y", "--purge", "a b", "", "x;rm"]) {
    test(`rejects package name ${JSON.stringify(bad)}`, () => expect(() => renderInstallCommand("apt-get", [bad], { asRoot: true })).toThrow(PackageError));
  }
  test("apk, pacman and emerge are not installers plugstack drives", () =>
    expect(() => renderInstallCommand("pacman", ["x"], { asRoot: true })).toThrow(/apt-get, dnf or zypper/));
  test("uninstall and update-repo", () => {
    expect(renderUninstallCommand("apt-get", ["sl"], { asRoot: true }).text).toBe(
      "DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=300 purge sl",
    );
    expect(renderUninstallCommand("dnf", ["sl"], { asRoot: false }).text).toBe("sudo dnf remove -y sl");
    expect(renderUpdateRepoCommand("apt-get", { asRoot: true }).text).toBe("DEBIAN_FRONTEND=noninteractive apt-get update");
    expect(renderUpdateRepoCommand("zypper", { asRoot: false }).text).toBe("sudo zypper --non-interactive refresh");
  });
});

const pick = await pickAptPackage({ download: false });
if ("skip" in pick) console.log(`[skip] apt-get install tests: ${pick.skip}`);
const pkg = "name" in pick ? pick.name : "";
const offNet = "skip" in pick ? "" : networkSkipReason("installing a package for real");
if (offNet) console.log(`[skip] apt-get install of ${pkg}: ${offNet}`);

const ctxFor = (cacheDir: string, log = recordingLog()) => ({
  ctx: { cwd: cacheDir, env: { ...process.env }, log: log.log, cacheDir, offline: false },
  lines: log.lines,
});

describe.skipIf("skip" in pick)("installPackages with the real apt-get", () => {
  test("dry run logs the exact command and installs nothing", async () => {
    const { ctx, lines } = ctxFor(tmpdir());
    const r = await installPackages(ctx, [pkg, "bash", pkg], { dryRun: true });
    expect(r.names).toEqual([pkg]);
    expect(r.alreadyInstalled).toEqual(["bash"]);
    expect(r.commands.map((c) => c.text)).toEqual([
      `DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=300 install ${pkg}`,
    ]);
    expect(lines).toContain(`info: would run: ${r.commands[0]!.text}`);
    expect(isInstalled(pkg)).toBe(false);
  });

  test.skipIf(!!offNet)(`installs ${pkg || "a small package"} in one transaction, then removes it`, async () => {
    const { ctx } = ctxFor(tmpdir());
    try {
      const r = await installPackages(ctx, [pkg]);
      expect(r.names).toEqual([pkg]);
      expect(isInstalled(pkg)).toBe(true);
      const again = await installPackages(ctx, [pkg]);
      expect(again.commands).toEqual([]); // already installed: nothing to run
      const removed = await uninstallPackages(ctx, [pkg]);
      expect(removed.names).toEqual([pkg]);
      expect(isInstalled(pkg)).toBe(false);
    } finally {
      if (isInstalled(pkg)) purge(pkg);
    }
  });

  test("install_bindep: a bindep file's packages for this platform (dry run)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ps-install-bindep-"));
    const { ctx } = ctxFor(dir);
    try {
      await writeFile(join(dir, "bindep.txt"), `${pkg} [platform:dpkg]\nbash\nnot-here [platform:rpm]\nonly-test [test]\n`);
      const r = await installBindepFile(ctx, "bindep.txt", { dryRun: true });
      expect(r.names).toEqual([pkg]);
      const withTest = await installBindepFile(ctx, "bindep.txt", { dryRun: true, profiles: ["test"] });
      expect(withTest.names).toEqual([pkg, "only-test"]);
      const missing = recordingLog();
      const none = await installBindepFile({ ...ctx, log: missing.log }, "nope.txt", { dryRun: true });
      expect(none.names).toEqual([]);
      expect(missing.lines.some((l) => l.startsWith("warn: Can not find bindep file"))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("uninstall skips packages that are not installed; update-repo is skipped offline", async () => {
    const { ctx } = ctxFor(tmpdir());
    expect((await uninstallPackages(ctx, [pkg])).commands).toEqual([]);
    expect(await updatePackageRepo({ ...ctx, offline: true })).toBeNull();
    const dry = await updatePackageRepo(ctx, { dryRun: true });
    expect(dry?.text).toBe("DEBIAN_FRONTEND=noninteractive apt-get update");
  });

  test("a failing install is a PackageError with the command and apt's words", async () => {
    const { ctx } = ctxFor(tmpdir());
    const distro = await detectDistro();
    const err = await installPackages(ctx, ["plugstack-no-such-package"], { distro }).catch((e) => e);
    expect(err).toBeInstanceOf(PackageError);
    expect(err.message).toContain("apt-get -y -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=300 install plugstack-no-such-package failed");
    expect(err.message).toContain("Unable to locate package plugstack-no-such-package");
  });
});

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BindepParseError } from "../../src/errors.ts";
import { detectDistro } from "../../src/packages/distro.ts";
import { loadPluginPackages, parsePackageList } from "../../src/packages/lists.ts";
import { packagePlanJson, planPackages, renderPackagePlan } from "../../src/packages/plan.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures", "os-release");
const distroOf = (name: string) => detectDistro({ root: join(FIXTURES, name) });

describe("parsePackageList on bookworm", () => {
  const parse = (text: string, distro = "bookworm") =>
    parsePackageList(text, { distro, plugin: "p", source: "/x/debs/p" }).map((e) => [e.name, e.selected, e.rule, e.line]);
  const cases: [string, string, (string | number | boolean)[][]][] = [
    ["a plain package", "curl\n", [["curl", true, "listed", 1]]],
    ["comment after the name", "curl # for downloads\n", [["curl", true, "listed", 1]]],
    ["comment-only and blank lines", "# header\n\n   \ncurl", [["curl", true, "listed", 4]]],
    ["NOPRIME anywhere drops the line", "mysql-server # NOPRIME\n", [["mysql-server", false, "NOPRIME (the plugin installs it itself)", 1]]],
    ["dist: keeps it on a listed distro", "pkg # dist:jammy,bookworm\n", [["pkg", true, "dist:jammy,bookworm includes bookworm", 1]]],
    ["dist: drops it elsewhere", "pkg # dist:jammy,noble\n", [["pkg", false, "dist:jammy,noble does not include bookworm", 1]]],
    ["dist: is case-insensitive", "pkg # dist:BookWorm\n", [["pkg", true, "dist:BookWorm includes bookworm", 1]]],
    ["not: drops it on a listed distro", "pkg # not:bookworm\n", [["pkg", false, "not:bookworm includes bookworm", 1]]],
    ["not: keeps it elsewhere", "pkg # not:jammy\n", [["pkg", true, "not:jammy does not include bookworm", 1]]],
    ["whole names: dist:bookworm2 is not bookworm", "pkg # dist:bookworm2\n", [["pkg", false, "dist:bookworm2 does not include bookworm", 1]]],
    ["whole names: not:book is not bookworm", "pkg # not:book,worm\n", [["pkg", true, "not:book,worm does not include bookworm", 1]]],
    ["dist: and not: together", "pkg # dist:bookworm not:bookworm\n", [["pkg", false, "dist:bookworm includes bookworm; not:bookworm includes bookworm", 1]]],
    ["dist: after other comment text", "pkg # needed by x, dist:bookworm\n", [["pkg", true, "dist:bookworm includes bookworm", 1]]],
    ["dist: inside a word is not a tag", "pkg # redist:jammy\n", [["pkg", true, "listed", 1]]],
    [
      "several names on one line",
      "a b\n",
      [
        ["a", true, "listed", 1],
        ["b", true, "listed", 1],
      ],
    ],
  ];
  for (const [name, text, want] of cases) test(name, () => expect(parse(text)).toEqual(want));
  test("f40 on Fedora: not:f4 does not drop it (DevStack's substring match would)", () =>
    expect(parse("pkg # not:f4\n", "f40")).toEqual([["pkg", true, "not:f4 does not include f40", 1]]));
});

// Two independent fixture plugins with lists for every family and a bindep.txt.
let root: string;
const plugins = () => [
  { name: "alpha", dir: join(root, "alpha") },
  { name: "beta", dir: join(root, "beta") },
  { name: "gamma", dir: join(root, "gamma") }, // has no devstack/files at all
];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ps-lists-"));
  const write = async (rel: string, text: string) => {
    await mkdir(join(root, rel, ".."), { recursive: true });
    await writeFile(join(root, rel), text);
  };
  await write("alpha/devstack/files/debs/alpha", "curl\nlibvirt-daemon # dist:jammy,noble\nqemu-kvm # not:bookworm\nbig-db # NOPRIME\n");
  await write("alpha/devstack/files/rpms/alpha", "curl\nlibvirt # dist:rhel9\nqemu-kvm # not:f40\n");
  await write("alpha/devstack/files/rpms-suse/alpha", "curl\nlibvirt\n");
  await write("alpha/devstack/files/debs/other-plugin", "never-read\n");
  await write(
    "beta/devstack/files/bindep.txt",
    "curl\nlibffi-dev [platform:dpkg]\nlibffi-devel [platform:rpm]\npytest-only [test]\nrhel-py3 [(platform:redhat platform:base-py3)]\n",
  );
  await mkdir(join(root, "gamma"), { recursive: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("planPackages across distro fixtures", () => {
  const expected: Record<string, string[]> = {
    "debian-12": ["curl", "libffi-dev"],
    "ubuntu-22.04": ["curl", "libvirt-daemon", "qemu-kvm", "libffi-dev"],
    "ubuntu-24.04": ["curl", "libvirt-daemon", "qemu-kvm", "libffi-dev"],
    "centos-stream-9": ["curl", "libvirt", "qemu-kvm", "libffi-devel", "rhel-py3"],
    "rhel-9": ["curl", "libvirt", "qemu-kvm", "libffi-devel", "rhel-py3"],
    "rocky-9": ["curl", "libvirt", "qemu-kvm", "libffi-devel", "rhel-py3"],
    "fedora-40": ["curl", "libffi-devel", "rhel-py3"],
    "opensuse-leap-15.6": ["curl", "libvirt", "libffi-devel"],
    "sles-15": ["curl", "libvirt", "libffi-devel"],
    "alpine-3.20": ["curl"],
    arch: ["curl"],
    gentoo: ["curl"],
  };
  for (const [fixture, want] of Object.entries(expected)) {
    test(fixture, async () => {
      const plan = await planPackages({ plugins: plugins(), distro: await distroOf(fixture) });
      expect(plan.wanted).toEqual(want);
      expect(plan.toInstall).toEqual(want);
    });
  }

  test("installed packages are left out of the transaction", async () => {
    const plan = await planPackages({
      plugins: plugins(),
      distro: await distroOf("debian-12"),
      installed: new Map([
        ["curl", "7.88.1-10"],
        ["libffi-dev", null],
      ]),
    });
    expect(plan.toInstall).toEqual(["libffi-dev"]);
    expect(plan.installed).toEqual({ curl: "7.88.1-10" });
  });

  test("every entry records its plugin, source, line and rule", async () => {
    const plan = await planPackages({ plugins: plugins(), distro: await distroOf("debian-12") });
    const qemu = plan.entries.find((e) => e.name === "qemu-kvm")!;
    expect(qemu).toEqual({
      name: "qemu-kvm",
      plugin: "alpha",
      source: join(root, "alpha/devstack/files/debs/alpha"),
      line: 3,
      rule: "not:bookworm includes bookworm",
      selected: false,
    });
    const rpmOnly = plan.entries.find((e) => e.name === "libffi-devel")!;
    expect(rpmOnly.selected).toBe(false);
    expect(rpmOnly.rule).toBe("bindep [platform:rpm] does not match the default profile on this platform");
    expect(plan.entries.some((e) => e.name === "never-read")).toBe(false);
  });

  test("JSON shape and text rendering", async () => {
    const plan = await planPackages({ plugins: plugins(), distro: await distroOf("debian-12"), installed: new Map([["curl", "1"]]) });
    const json = packagePlanJson(plan);
    expect(json.plugins.map((p) => p.name)).toEqual(["alpha", "beta"]);
    expect(json.install).toEqual(["libffi-dev"]);
    expect(json.alreadyInstalled).toEqual({ curl: "1" });
    const text = renderPackagePlan(plan);
    expect(text).toContain("Packages for bookworm (apt-get):");
    expect(text).toMatch(/- big-db +NOPRIME \(the plugin installs it itself\)/);
    expect(text).toContain("to install (1): libffi-dev");
    expect(text).toContain("already installed (1): curl");
  });

  test("a broken bindep.txt in a plugin is a parse error naming the file", async () => {
    await mkdir(join(root, "delta", "devstack", "files"), { recursive: true });
    await writeFile(join(root, "delta", "devstack", "files", "bindep.txt"), "ok\nbad [X]\n");
    const err = await loadPluginPackages({ name: "delta", dir: join(root, "delta") }, await distroOf("debian-12")).catch((e) => e);
    expect(err).toBeInstanceOf(BindepParseError);
    expect(err.message).toStartWith(`${join(root, "delta/devstack/files/bindep.txt")}:2:6:`);
  });
});

import { describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PackageError } from "../../src/errors.ts";
import { detectDistro, parseOsRelease, parseReleaseFileLine, resolveDistro } from "../../src/packages/distro.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures", "os-release");

interface Row {
  atoms: string[];
  distro: string;
  manager: string | null;
  family: string;
}

const p = (...a: string[]) => a.map((x) => `platform:${x}`);
const ROWS: Record<string, Row> = {
  "debian-12": { atoms: p("base-py3", "debian", "debian-12", "debian-bookworm", "dpkg"), distro: "bookworm", manager: "apt-get", family: "debian" },
  "ubuntu-22.04": {
    atoms: p("base-py3", "dpkg", "ubuntu", "ubuntu-22", "ubuntu-22.04", "ubuntu-jammy"),
    distro: "jammy",
    manager: "apt-get",
    family: "debian",
  },
  "ubuntu-24.04": {
    atoms: p("base-py3", "dpkg", "ubuntu", "ubuntu-24", "ubuntu-24.04", "ubuntu-noble"),
    distro: "noble",
    manager: "apt-get",
    family: "debian",
  },
  "centos-stream-9": { atoms: p("base-py3", "centos", "centos-9", "redhat", "rpm"), distro: "rhel9", manager: "dnf", family: "redhat" },
  "rhel-9": { atoms: p("base-py3", "redhat", "rhel", "rhel-9", "rhel-9.4", "rhel-plow", "rpm"), distro: "rhel9", manager: "dnf", family: "redhat" },
  "rocky-9": {
    atoms: p("base-py3", "redhat", "rocky", "rocky-9", "rocky-9.4", "rocky-blue", "rocky-blue-onyx", "rpm"),
    distro: "rhel9",
    manager: "dnf",
    family: "redhat",
  },
  "almalinux-9": {
    atoms: p("almalinux", "almalinux-9", "almalinux-9.4", "almalinux-seafoam", "almalinux-seafoam-ocelot", "base-py3", "redhat", "rpm"),
    distro: "rhel9",
    manager: "dnf",
    family: "redhat",
  },
  "fedora-40": { atoms: p("base-py3", "fedora", "fedora-40", "redhat", "rpm"), distro: "f40", manager: "dnf", family: "redhat" },
  "opensuse-leap-15.6": {
    atoms: p("opensuse", "opensuse-15", "opensuse-15.6", "opensuseproject", "opensuseproject-15", "opensuseproject-15.6", "rpm", "suse"),
    distro: "opensuse-15.6",
    manager: "zypper",
    family: "suse",
  },
  "sles-15": {
    atoms: p("rpm", "sles", "sles-15", "sles-15.5", "suse", "suselinux", "suselinux-15", "suselinux-15.5"),
    distro: "sle15",
    manager: "zypper",
    family: "suse",
  },
  "alpine-3.20": { atoms: p("alpine", "alpine-3", "alpine-3.20", "alpine-3.20.3", "apk"), distro: "alpine-3.20.3", manager: "apk", family: "alpine" },
  arch: { atoms: p("arch", "arch-", "pacman"), distro: "arch", manager: "pacman", family: "arch" },
  gentoo: { atoms: p("emerge", "gentoo", "gentoo-2", "gentoo-2.15"), distro: "gentoo-2.15", manager: "emerge", family: "gentoo" },
};

describe("detectDistro on os-release fixtures", () => {
  for (const [name, row] of Object.entries(ROWS)) {
    test(name, async () => {
      const d = await detectDistro({ root: join(FIXTURES, name) });
      expect(d.platformAtoms).toEqual(row.atoms);
      expect(d.distro).toBe(row.distro);
      expect(d.manager).toBe(row.manager as never);
      expect(d.family).toBe(row.family as never);
    });
  }

  test("usr/lib/os-release is the fallback", async () => {
    const d = await detectDistro({ root: join(FIXTURES, "usr-lib-only") });
    expect(d.distro).toBe("bookworm");
  });

  test("no os-release at all is a PackageError naming both paths", async () => {
    const root = await mkdtemp(join(tmpdir(), "ps-distro-"));
    try {
      const err = await detectDistro({ root }).catch((e) => e);
      expect(err).toBeInstanceOf(PackageError);
      expect(err.message).toContain(join(root, "etc/os-release"));
      expect(err.message).toContain(join(root, "usr/lib/os-release"));
    } finally {
      await rm(root, { recursive: true });
    }
  });

  test("the host's own kernel release is the last version fallback (as the distro library on a real host)", () => {
    const d = resolveDistro({ osRelease: { ID: "arch", NAME: "Arch Linux" }, kernelRelease: "6.10.3-arch1-1" });
    expect(d.platformAtoms).toEqual(p("arch", "arch-6", "arch-6.10", "arch-6.10.3-arch1-1", "pacman"));
  });
});

describe("parseOsRelease", () => {
  const cases: [string, string, Record<string, string>][] = [
    ["plain value", "ID=debian", { ID: "debian" }],
    ["double quotes", 'NAME="Debian GNU/Linux"', { NAME: "Debian GNU/Linux" }],
    ["single quotes", "NAME='A B'", { NAME: "A B" }],
    ["escaped quote and dollar", 'X="a \\"b\\" \\$c"', { X: 'a "b" $c' }],
    ["comment and blank lines", "# c\n\nID=x\n", { ID: "x" }],
    ["empty value kept", 'VERSION_CODENAME=""', { VERSION_CODENAME: "" }],
    ["unquoted space ends the value", "NAME=Foo Bar", { NAME: "Foo" }],
    ["lines that are not assignments are ignored", "garbage\nID=y", { ID: "y" }],
  ];
  for (const [name, text, want] of cases) test(name, () => expect(parseOsRelease(text)).toEqual(want));
});

describe("parseReleaseFileLine", () => {
  const cases: [string, ReturnType<typeof parseReleaseFileLine>][] = [
    ["Fedora release 40 (Forty)", { name: "Fedora", versionId: "40", codename: "Forty" }],
    ["CentOS Stream release 9", { name: "CentOS Stream", versionId: "9", codename: undefined }],
    ["Rocky Linux release 9.4 (Blue Onyx)", { name: "Rocky Linux", versionId: "9.4", codename: "Blue Onyx" }],
    ["Some Distro", { name: "Some Distro" }],
  ];
  for (const [line, want] of cases) test(line, () => expect(parseReleaseFileLine(line)).toEqual(want));
});

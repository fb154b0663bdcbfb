// distro.sh: GetOSVersion/GetDistro from fixture os-release files
// (PLUGSTACK_OS_RELEASE), and the is_* helpers.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, runLib } from "./helpers.ts";

const sb = makeSandbox();
afterAll(() => sb.cleanup());

interface Row {
  name: string;
  osRelease: string;
  /** os_VENDOR|os_RELEASE|os_CODENAME|os_PACKAGE|DISTRO */
  want: string;
  /** is_ubuntu is_fedora is_suse */
  is: string;
}

const rows: Row[] = [
  {
    name: "Debian 12",
    osRelease: `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n`,
    want: "Debian|12|bookworm|deb|bookworm",
    is: "ubuntu",
  },
  {
    name: "Ubuntu 22.04",
    osRelease: `PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n`,
    want: "Ubuntu|22.04|jammy|deb|jammy",
    is: "ubuntu",
  },
  {
    name: "Ubuntu 24.04",
    osRelease: `PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04.1 LTS (Noble Numbat)"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\n`,
    want: "Ubuntu|24.04|noble|deb|noble",
    is: "ubuntu",
  },
  {
    name: "CentOS Stream 9",
    osRelease: `NAME="CentOS Stream"\nVERSION="9"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="9"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="CentOS Stream 9"\n`,
    want: "CentOSStream|9|n/a|rpm|rhel9",
    is: "fedora",
  },
  {
    name: "RHEL 9",
    osRelease: `NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n`,
    want: "RedHatEnterpriseLinux|9.4|Plow|rpm|rhel9",
    is: "fedora",
  },
  {
    name: "Rocky 9",
    osRelease: `NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n`,
    want: "RockyLinux|9.3|Blue Onyx|rpm|rhel9",
    is: "fedora",
  },
  {
    name: "Fedora 40",
    osRelease: `NAME="Fedora Linux"\nVERSION="40 (Server Edition)"\nID=fedora\nVERSION_ID=40\nVERSION_CODENAME=""\nPRETTY_NAME="Fedora Linux 40 (Server Edition)"\n`,
    want: "Fedora|40|Server Edition|rpm|f40",
    is: "fedora",
  },
  {
    name: "openSUSE Leap 15.6",
    osRelease: `NAME="openSUSE Leap"\nVERSION="15.6"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.6"\n`,
    want: "openSUSE|15.6|n/a|rpm|opensuse-15.6",
    is: "",
  },
];

const script = [
  "GetDistro",
  'echo "$os_VENDOR|$os_RELEASE|$os_CODENAME|$os_PACKAGE|$DISTRO"',
  "is=''; is_ubuntu && is+=ubuntu; is_fedora && is+=fedora; is_suse && is+=suse; echo \"$is\"",
  "bash -c 'echo \"child sees $os_VENDOR $DISTRO\"'",
].join("\n");

describe("GetOSVersion / GetDistro", () => {
  test.each(rows.map((r) => [r.name, r]))("%s", (_name, row) => {
    const file = join(sb.root, `${row.name.replaceAll(" ", "_")}.os-release`);
    writeFileSync(file, row.osRelease);
    const r = runLib(sb, script, { env: { PLUGSTACK_OS_RELEASE: file } });
    expect(r.stderr).toBe("");
    const [vars, is, child] = r.stdout.trimEnd().split("\n");
    expect(vars).toBe(row.want);
    expect(is).toBe(row.is);
    expect(child).toBe(`child sees ${row.want.split("|")[0]} ${row.want.split("|")[4]}`);
  });

  test("does not leak os-release variables (ID, NAME, VERSION_ID) into the shell", () => {
    const r = runLib(sb, 'GetOSVersion\necho "[${ID-unset}][${NAME-unset}][${VERSION_ID-unset}]"');
    expect(r.stdout).toBe("[unset][unset][unset]\n");
  });

  test("an unknown distribution: GetOSVersion works, GetDistro dies naming it", () => {
    const file = join(sb.root, "weird.os-release");
    writeFileSync(file, 'NAME="Weird OS"\nID=weird\nVERSION_ID=3\n');
    const r = runLib(sb, 'GetOSVersion; echo "$os_VENDOR $os_PACKAGE"\nGetDistro', { env: { PLUGSTACK_OS_RELEASE: file } });
    expect(r.stdout).toStartWith("WeirdOS rpm\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Unable to determine DISTRO for WeirdOS 3");
  });

  test("is_arch compares with uname -m; is_oraclelinux", () => {
    const r = runLib(
      sb,
      'is_arch "$(uname -m)" && echo same; is_arch nonsense || echo other; os_VENDOR=OracleServer; is_oraclelinux && is_fedora && echo oracle',
    );
    expect(r.stdout).toBe("same\nother\noracle\n");
  });
});

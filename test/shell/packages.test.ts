// packages.sh: under plugstack every package operation is a callback into
// plugstack; without it, apt-get/dnf are called directly (here: recording
// stand-ins first on PATH, so nothing is installed on the test machine).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, q, runLib } from "./helpers.ts";

const sb = makeSandbox();
afterAll(() => sb.cleanup());

const bin = join(sb.root, "bin");
const calls = join(sb.root, "calls");
const self = join(bin, "plugstack");
const osRelease = (id: string) => join(sb.root, `${id}.os-release`);

beforeAll(() => {
  mkdirSync(bin, { recursive: true });
  // records its name, arguments and a few variables; fails when FAIL_<tool> is set
  const recorder = `#!/bin/bash\nprintf '%s %s | DEBIAN_FRONTEND=%s http_proxy=%s\\n' "\${0##*/}" "$*" "\${DEBIAN_FRONTEND:-}" "\${http_proxy:-}" >>${q(calls)}\nv="FAIL_\${0##*/}"; v=\${v//-/_}; [[ -z \${!v:-} ]]\n`;
  for (const tool of ["apt-get", "dnf", "zypper", "plugstack", "bindep"]) {
    writeFileSync(join(bin, tool), recorder);
    chmodSync(join(bin, tool), 0o755);
  }
  writeFileSync(osRelease("debian"), "ID=debian\nNAME=Debian\nVERSION_ID=12\nVERSION_CODENAME=bookworm\n");
  writeFileSync(osRelease("rocky"), 'ID=rocky\nNAME="Rocky Linux"\nVERSION_ID=9.3\nVERSION="9.3 (Blue Onyx)"\n');
});

function run(body: string, osId: string, extra: Record<string, string> = {}) {
  rmSync(calls, { force: true });
  const r = runLib(sb, body, { env: { PATH: `${bin}:${process.env.PATH}`, PLUGSTACK_OS_RELEASE: osRelease(osId), ...extra } });
  let recorded = "";
  try {
    recorded = readFileSync(calls, "utf8");
  } catch {}
  return { ...r, calls: recorded.trimEnd().split("\n").filter(Boolean) };
}

describe("under plugstack (PLUGSTACK_SELF)", () => {
  const selfArr = `PLUGSTACK_SELF=(${q(self)} --self-arg)`;

  test("install_package, uninstall_package, update_package_repo, install_bindep", () => {
    writeFileSync(join(sb.root, "bindep.txt"), "foo [platform:dpkg]\n");
    const r = run(
      [
        selfArr,
        "install_package libfoo-dev 'python3-bar'",
        "install_package baz",
        "uninstall_package old",
        `install_bindep ${q(join(sb.root, "bindep.txt"))} test,doc`,
        `install_bindep ${q(join(sb.root, "missing.txt"))}`,
        "apt_get install direct-pkg",
        "yum_install rpm-pkg",
        "RETRY_UPDATE=True apt_get_update",
      ].join("\n"),
      "debian",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Can not find bindep file: ${join(sb.root, "missing.txt")}`);
    expect(r.calls.map((c) => c.split(" | ")[0])).toEqual([
      "plugstack --self-arg internal update-package-repo",
      "plugstack --self-arg internal install-packages -- libfoo-dev python3-bar",
      "plugstack --self-arg internal install-packages -- baz",
      "plugstack --self-arg internal uninstall-packages -- old",
      `plugstack --self-arg internal install-bindep ${join(sb.root, "bindep.txt")} test doc`,
      "plugstack --self-arg internal install-packages -- direct-pkg",
      "plugstack --self-arg internal install-packages -- rpm-pkg",
      "plugstack --self-arg internal update-package-repo",
    ]);
  });

  test("a failed install refreshes the package index and tries once more", () => {
    // a stand-in whose first install fails, as with a stale package index
    const flaky = join(bin, "flaky");
    const marker = join(sb.root, "flaky.failed-once");
    rmSync(marker, { force: true });
    writeFileSync(
      flaky,
      `#!/bin/bash\necho "flaky $*" >>${q(calls)}\nif [[ $2 == install-packages && ! -e ${q(marker)} ]]; then touch ${q(marker)}; exit 1; fi\n`,
    );
    chmodSync(flaky, 0o755);
    const r = run(`PLUGSTACK_SELF=(${q(flaky)})\ninstall_package pkg && echo installed`, "debian");
    expect(r.stdout).toBe("installed\n");
    expect(r.calls).toEqual([
      "flaky internal update-package-repo",
      "flaky internal install-packages -- pkg",
      "flaky internal update-package-repo",
      "flaky internal install-packages -- pkg",
    ]);
  });

  test("NO_UPDATE_REPOS=True skips the index refresh", () => {
    const r = run([selfArr, "NO_UPDATE_REPOS=True", "install_package pkg"].join("\n"), "debian");
    expect(r.calls.map((c) => c.split(" | ")[0])).toEqual(["plugstack --self-arg internal install-packages -- pkg"]);
  });
});

describe("callbacks into plugstack (_ps_self)", () => {
  // plugstack is a Bun program, and Bun puts the stdout it is given into
  // non-blocking mode. Given the stack shell's own stdout, that mode stayed
  // after the callback, and a plugin's next burst of output failed with
  // "write error: Resource temporarily unavailable".
  test("a Bun callback leaves the shell's stdout blocking; output, stderr and status pass through", () => {
    const script = join(sb.root, "bun-self.ts");
    writeFileSync(script, 'process.stdout.write(`out ${process.argv.slice(2).join(" ")}\\n`);\nprocess.stderr.write("err\\n");\nprocess.exitCode = 3;\n');
    const r = runLib(
      sb,
      [
        `PLUGSTACK_SELF=(${q(process.execPath)} ${q(script)})`,
        "_ps_self install-packages -- pkg && echo ok || echo status=$?",
        // O_NONBLOCK is 04000 in the octal flags of /proc/PID/fdinfo/FD
        "flags=$(awk '/^flags:/ {print $2}' /proc/$$/fdinfo/1)",
        'if (( (8#$flags & 8#4000) != 0 )); then echo "stdout non-blocking"; else echo "stdout blocking"; fi',
      ].join("\n"),
    );
    expect(r.stdout).toBe("out internal install-packages -- pkg\nstatus=3\nstdout blocking\n");
    expect(r.stderr).toBe("err\n");
  });
});

describe("without plugstack", () => {
  test("Debian: apt-get update once, then non-interactive installs keeping config files", () => {
    const r = run(["http_proxy=http://proxy:3128", "install_package a b", "install_package c", "uninstall_package d"].join("\n"), "debian");
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([
      "apt-get update | DEBIAN_FRONTEND= http_proxy=http://proxy:3128",
      "apt-get --option Dpkg::Options::=--force-confold --assume-yes install a b | DEBIAN_FRONTEND=noninteractive http_proxy=http://proxy:3128",
      "apt-get --option Dpkg::Options::=--force-confold --assume-yes install c | DEBIAN_FRONTEND=noninteractive http_proxy=http://proxy:3128",
      "apt-get --option Dpkg::Options::=--force-confold --assume-yes purge d | DEBIAN_FRONTEND=noninteractive http_proxy=http://proxy:3128",
    ]);
  });

  test("RHEL family: dnf, no index refresh", () => {
    const r = run(["install_package a b", "uninstall_package c"].join("\n"), "rocky");
    expect(r.code).toBe(0);
    expect(r.calls.map((c) => c.split(" | ")[0])).toEqual(["dnf install -y a b", "dnf remove -y c"]);
  });

  test("OFFLINE=True: apt-get and dnf are not called", () => {
    const deb = run("OFFLINE=True\ninstall_package a\napt_get install b\necho ok", "debian");
    expect(deb.stdout).toBe("ok\n");
    expect(deb.calls).toEqual([]);
    const rpm = run("OFFLINE=True\nyum_install a\necho ok", "rocky");
    expect(rpm.calls).toEqual([]);
  });

  test("install_bindep asks the bindep command, installs what it lists", () => {
    writeFileSync(join(bin, "bindep"), `#!/bin/bash\necho "bindep $*" >>${q(calls)}\necho "pkg-one pkg-two"\nexit 1\n`);
    chmodSync(join(bin, "bindep"), 0o755);
    writeFileSync(join(sb.root, "b.txt"), "pkg-one\n");
    const r = run(`NO_UPDATE_REPOS=True\ninstall_bindep ${q(join(sb.root, "b.txt"))}`, "debian");
    expect(r.code).toBe(0);
    expect(r.calls.map((c) => c.split(" | ")[0])).toEqual([
      `bindep -b --file ${join(sb.root, "b.txt")}`,
      "apt-get --option Dpkg::Options::=--force-confold --assume-yes install pkg-one pkg-two",
    ]);
  });
});

describe("is_package_installed", () => {
  test("real dpkg database: installed, several, missing", () => {
    const r = runLib(
      sb,
      "is_package_installed dpkg && echo one\nis_package_installed dpkg bash && echo two\nis_package_installed zzzZZZzzz || echo missing\nis_package_installed || echo none",
    );
    expect(r.stdout).toBe("one\ntwo\nmissing\nnone\n");
  });
});

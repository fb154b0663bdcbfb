// stackrc.sh and the `stackrc` / `openrc` entry files: DevStack's defaults,
// overridable from localrc and the environment, harmless to apply twice.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeLibraryTree } from "../../src/shell/export.ts";
import { makeSandbox, q, runScript } from "./helpers.ts";

const sb = makeSandbox();
afterAll(() => sb.cleanup());

const SHOW = [
  "DEST",
  "DATA_DIR",
  "SERVICE_DIR",
  "LOGDIR",
  "GIT_BASE",
  "TARGET_BRANCH",
  "REGION_NAME",
  "SERVICE_PROTOCOL",
  "OFFLINE",
  "RECLONE",
  "ERROR_ON_CLONE",
  "GIT_DEPTH",
  "SERVICE_TIMEOUT",
  "SYSTEMD_DIR",
  "USE_SYSTEMD",
  "ENABLE_DEBUG_LOG_LEVEL",
  "SYSLOG",
  "LOG_COLOR",
  "USE_VENV",
  "GLOBAL_VENV",
  "DEVSTACK_VENV",
  "ETCD_PORT",
  "FLOATING_RANGE",
  "FIXED_RANGE",
  "IPV4_ADDRS_SAFE_TO_USE",
  "PRIVATE_NETWORK_NAME",
  "SERVICE_IP_VERSION",
  "SERVICE_LISTEN_ADDRESS",
  "WSGI_MODE",
  "VIRT_DRIVER",
  "FILES",
  "VERBOSE",
  "Q_BUILD_OVS_FROM_GIT",
  "GLANCE_ENABLE_MULTIPLE_STORES",
];

/** A tree with an optional localrc beside stackrc; returns the variables after `source stackrc`. */
function stackrc(opts: { localrc?: string; env?: Record<string, string>; pre?: string; post?: string } = {}) {
  const dir = join(sb.root, `tree-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  writeLibraryTree(dir);
  if (opts.localrc !== undefined) writeFileSync(join(dir, ".localrc.auto"), opts.localrc);
  const r = runScript(
    sb.root,
    `set -eu\n${opts.pre ?? ""}\nsource ${q(join(dir, "stackrc"))}\n${opts.post ?? ""}\nfor v in ${SHOW.join(" ")} STACK_USER HOST_IP SERVICE_HOST SYSTEMCTL ENABLED_SERVICES DISTRO API_WORKERS IMAGE_URLS; do printf '%s=%s\\n' "$v" "\${!v}"; done`,
    {
      env: opts.env,
    },
  );
  if (r.code !== 0) throw new Error(`stackrc failed (${r.code}): ${r.stderr}`);
  const vars: Record<string, string> = {};
  for (const line of r.stdout.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) vars[line.slice(0, i)] = line.slice(i + 1);
  }
  return { vars, dir, stdout: r.stdout, stderr: r.stderr };
}

describe("defaults", () => {
  test("DevStack's values (CONTRACT 6 and compat/variables.md)", () => {
    const { vars, dir, stderr } = stackrc();
    expect(stderr).toBe("");
    expect(vars).toMatchObject({
      DEST: "/opt/stack",
      DATA_DIR: "/opt/stack/data",
      SERVICE_DIR: "/opt/stack/status",
      LOGDIR: "/opt/stack/logs",
      GIT_BASE: "https://opendev.org",
      TARGET_BRANCH: "master",
      REGION_NAME: "RegionOne",
      SERVICE_PROTOCOL: "http",
      OFFLINE: "False",
      RECLONE: "False",
      ERROR_ON_CLONE: "False",
      GIT_DEPTH: "0",
      SERVICE_TIMEOUT: "60",
      SYSTEMD_DIR: "/etc/systemd/system",
      USE_SYSTEMD: "True",
      ENABLE_DEBUG_LOG_LEVEL: "True",
      SYSLOG: "False",
      LOG_COLOR: "False", // not a terminal
      USE_VENV: "False",
      GLOBAL_VENV: "True",
      DEVSTACK_VENV: "/opt/stack/data/venv",
      ETCD_PORT: "2379",
      FLOATING_RANGE: "172.24.4.0/24",
      FIXED_RANGE: "10.0.0.0/22",
      IPV4_ADDRS_SAFE_TO_USE: "10.0.0.0/22",
      PRIVATE_NETWORK_NAME: "private",
      SERVICE_IP_VERSION: "4",
      SERVICE_LISTEN_ADDRESS: "0.0.0.0",
      WSGI_MODE: "uwsgi",
      VIRT_DRIVER: "libvirt",
      FILES: `${dir}/files`,
      STACK_USER: Bun.spawnSync(["id", "-un"]).stdout.toString().trim(),
    });
    expect(vars.HOST_IP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(vars.SERVICE_HOST).toBe(vars.HOST_IP!);
    expect(vars.ENABLED_SERVICES!.split(",")).toEqual(expect.arrayContaining(["key", "n-api", "g-api", "c-vol", "q-svc", "mysql", "rabbit"]));
    expect(Number(vars.API_WORKERS)).toBeGreaterThanOrEqual(2);
    expect(vars.IMAGE_URLS).toMatch(/^https:\/\/github\.com\/cirros-dev\/cirros\/releases\/download\/.*-disk\.img$/);
    expect(vars.DISTRO).toBe(Bun.spawnSync(["sh", "-c", ". /etc/os-release; echo $VERSION_CODENAME"]).stdout.toString().trim() || vars.DISTRO!);
    expect(vars.SYSTEMCTL).toBe(process.getuid?.() === 0 ? "systemctl" : "sudo systemctl");
  });

  test("derived paths follow a DEST given by localrc; switches are normalized", () => {
    const switches = "OFFLINE=yes\nRECLONE=1\nVERBOSE=off\nGLOBAL_VENV=weird\nSYSLOG=True\nUSE_VENV=False\nQ_BUILD_OVS_FROM_GIT=On\n";
    const { vars } = stackrc({ localrc: `DEST=/srv/st\n${switches}LOGDIR=/var/log/st\n` });
    expect(vars).toMatchObject({
      DEST: "/srv/st",
      DATA_DIR: "/srv/st/data",
      SERVICE_DIR: "/srv/st/status",
      LOGDIR: "/var/log/st",
      OFFLINE: "True",
      RECLONE: "True",
      VERBOSE: "False",
      // an unknown value, or none, gives the default
      GLOBAL_VENV: "True",
      ERROR_ON_CLONE: "False",
      SYSLOG: "True",
      USE_VENV: "False",
      Q_BUILD_OVS_FROM_GIT: "True",
      GLANCE_ENABLE_MULTIPLE_STORES: "False",
      DEVSTACK_VENV: "/srv/st/data/venv",
    });
  });

  test("the environment wins too", () => {
    const { vars } = stackrc({ env: { DEST: "/env/dest", HOST_IP: "192.0.2.77", GIT_BASE: "https://git.example.org" } });
    expect(vars).toMatchObject({
      DEST: "/env/dest",
      DATA_DIR: "/env/dest/data",
      HOST_IP: "192.0.2.77",
      SERVICE_HOST: "192.0.2.77",
      GIT_BASE: "https://git.example.org",
    });
  });

  test("localrc extends the default service list, or replaces it", () => {
    const added = stackrc({ localrc: "enable_service my-svc\ndisable_service horizon\nENABLED_SERVICES+=,other\n" }).vars.ENABLED_SERVICES!.split(",");
    expect(added).toEqual(expect.arrayContaining(["key", "my-svc", "other"]));
    expect(added).not.toContain("horizon");
    expect(stackrc({ localrc: "ENABLED_SERVICES=\n" }).vars.ENABLED_SERVICES).toBe("");
    expect(stackrc({ localrc: "disable_all_services\nenable_service a\n" }).vars.ENABLED_SERVICES).toBe("a");
  });

  test("under plugstack (PLUGSTACK_SELF set) localrc is not sourced again", () => {
    const { vars } = stackrc({ localrc: "DEST=/from/localrc\n", pre: "PLUGSTACK_SELF=(/bin/true)" });
    expect(vars.DEST).toBe("/opt/stack");
  });

  test("sourcing it twice changes nothing (and enable_plugin in localrc does not die)", () => {
    const once = stackrc({ localrc: "DEST=/srv/x\nenable_plugin foo https://example.org/foo\n" });
    const twice = stackrc({ localrc: "DEST=/srv/x\nenable_plugin foo https://example.org/foo\n", post: "source $RC_DIR/stackrc" });
    expect({ ...twice.vars, FILES: "" }).toEqual({ ...once.vars, FILES: "" });
    expect(twice.vars.FILES).toBe(`${twice.dir}/files`);
  });

  test("SERVICE_IP_VERSION=6 uses HOST_IPV6", () => {
    const { vars } = stackrc({ localrc: "SERVICE_IP_VERSION=6\nHOST_IPV6=2001:db8::5\n" });
    expect(vars.SERVICE_HOST).toBe("[2001:db8::5]");
    expect(vars.SERVICE_LISTEN_ADDRESS).toBe("[::]");
  });

  test("the early defaults alone (for the stack shell, before localrc)", () => {
    const r = runScript(
      sb.root,
      `source ${q(join(sb.top, "functions"))}\nunset ENABLED_SERVICES\n_ps_stackrc_early\nENABLED_SERVICES+=,extra\necho "$DEST $REGION_NAME \${ENABLED_SERVICES%%,*} \${ENABLED_SERVICES##*,}"\necho "[\${DATA_DIR-unset}]"`,
    );
    expect(r.stdout).toBe("/opt/stack RegionOne key extra\n[unset]\n");
  });
});

/** An `ip` on PATH that prints this canned output for the four questions stackrc asks. */
function fakeIp(): string {
  const bin = join(sb.root, `ip-bin-${Math.random().toString(36).slice(2)}`);
  mkdirSync(bin, { recursive: true });
  const out: Record<string, string[]> = {
    "-f inet route": [
      "10.9.0.0/16 dev lan0 proto kernel scope link src 10.9.0.5",
      "default via 203.0.113.9 proto static", // no dev: the next default route counts
      "default via 203.0.113.1 dev uplink1 proto dhcp metric 100",
      "default via 198.51.100.1 dev backup0 metric 200",
    ],
    "-f inet addr show dev uplink1": [
      "3: uplink1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq state UP group default qlen 1000",
      "    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff",
      "    inet 169.254.3.3/16 scope link uplink1",
      "    inet 10.0.0.7/22 scope global uplink1",
      "    inet 172.24.4.9/24 scope global uplink1",
      "    inet 203.0.113.20/24 brd 203.0.113.255 scope global dynamic uplink1",
      "       valid_lft 86000sec preferred_lft 86000sec",
      "    inet 203.0.113.21/24 scope global secondary uplink1",
    ],
    "-f inet addr show dev lan0": ["2: lan0: <UP> mtu 1500", "    inet 10.9.0.5/16 brd 10.9.255.255 scope global lan0"],
    "-f inet6 route": ["2001:db8::/64 dev uplink1 proto ra metric 1024", "default via fe80::1 dev uplink1 proto ra metric 1024 pref medium"],
    "-f inet6 addr show dev uplink1": [
      "3: uplink1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500",
      "    inet6 2001:db8::aaaa/64 scope global temporary dynamic",
      "    inet6 2001:db8::5/64 scope global dynamic mngtmpaddr",
      "    inet6 fe80::5054:ff:fe12:3456/64 scope link",
    ],
  };
  const cases = Object.entries(out).map(([args, lines]) => `    ${q(args)}) printf '%s\\n' ${lines.map(q).join(" ")} ;;`);
  writeFileSync(join(bin, "ip"), `#!/bin/bash\ncase "$*" in\n${cases.join("\n")}\n    *) exit 1 ;;\nesac\n`, { mode: 0o755 });
  return bin;
}

describe("HOST_IP detection", () => {
  test("the default route's interface, skipping link-local, temporary and FIXED_RANGE/FLOATING_RANGE addresses", () => {
    const { vars } = stackrc({ pre: `PATH=${q(fakeIp())}:$PATH`, post: 'printf "HOST_IPV6=%s\\n" "$HOST_IPV6"' });
    expect(vars.HOST_IP).toBe("203.0.113.20");
    expect(vars.HOST_IPV6).toBe("2001:db8::5");
  });

  test("HOST_IP_IFACE names the interface", () => {
    const { vars } = stackrc({ pre: `PATH=${q(fakeIp())}:$PATH`, env: { HOST_IP_IFACE: "lan0" } });
    expect(vars.HOST_IP).toBe("10.9.0.5");
  });
});

describe("the host probe (what plugstack asks the host while it prepares a run)", () => {
  /**
   * A directory of the programs stackrc asks the host with, each logging
   * "NAME ARGS" to `calls`: the fake `ip` above, and uname, nproc, hostname
   * and id answering with `tag` in their answers (`id -un` is the real one).
   */
  function fakeHost(tag: string, calls: string): string {
    const bin = fakeIp();
    const log = `printf '%s %s\\n' "\${0##*/}" "$*" >> ${q(calls)}`;
    const programs: Record<string, string> = {
      uname: `case $1 in -m) echo arch-${tag} ;; *) echo node-${tag} ;; esac`,
      nproc: "echo 12",
      hostname: `echo host-${tag}`,
      id: `case $1 in -gn) echo group-${tag} ;; *) exec ${q(Bun.which("id") ?? "/usr/bin/id")} "$@" ;; esac`,
    };
    const ip = readFileSync(join(bin, "ip"), "utf8").replace("#!/bin/bash\n", `#!/bin/bash\n${log}\n`);
    writeFileSync(join(bin, "ip"), ip, { mode: 0o755 });
    for (const [name, body] of Object.entries(programs)) writeFileSync(join(bin, name), `#!/bin/bash\n${log}\n${body}\n`, { mode: 0o755 });
    return bin;
  }

  /**
   * Bash lines that set up what a run script holds before the library
   * loads: the probe's answers, from a bash of its own with only stackrc.sh,
   * run in another directory (as plugstack runs it), and the library's
   * defaults deferred to stackrc; then `calls` emptied.
   */
  function probe(calls: string, cwd = "/"): string {
    return `eval "$(cd ${q(cwd)} && bash --noprofile --norc -c ${q(`source ${join(sb.top, "plugstack", "stackrc.sh")} && _ps_host_probe`)})"\n_PS_DEFER_DEFAULTS=1\n: > ${q(calls)}`;
  }

  const SHOWN = 'printf "%s=%s\\n" HOST_IPV6 "$HOST_IPV6" CIRROS_ARCH "$CIRROS_ARCH" LOCAL_HOSTNAME "$LOCAL_HOSTNAME" APACHE_GROUP "$APACHE_GROUP"';
  const ANSWERS = { HOST_IP: "203.0.113.20", HOST_IPV6: "2001:db8::5", API_WORKERS: "3" };

  test("stackrc takes the answers and asks the host nothing", () => {
    const calls = join(sb.root, "calls-taken");
    const bin = fakeHost("a", calls);
    const { vars } = stackrc({ pre: `PATH=${q(bin)}:$PATH\n${probe(calls)}`, post: SHOWN });
    expect(vars).toMatchObject({ ...ANSWERS, CIRROS_ARCH: "arch-a", LOCAL_HOSTNAME: "host-a", APACHE_GROUP: "group-a" });
    expect(readFileSync(calls, "utf8")).toBe("");
  });

  test("a localrc that puts other programs first on PATH gets their answers: stackrc asks the host again", () => {
    const calls = join(sb.root, "calls-path");
    const first = fakeHost("a", calls);
    const second = fakeHost("b", calls);
    const { vars } = stackrc({ pre: `PATH=${q(first)}:$PATH\n${probe(calls)}`, localrc: `PATH=${second}:$PATH\n`, post: SHOWN });
    expect(vars).toMatchObject({ ...ANSWERS, CIRROS_ARCH: "arch-b", LOCAL_HOSTNAME: "host-b", APACHE_GROUP: "group-b" });
    // each question once, from stackrc (the probe's calls were emptied before)
    const asked = readFileSync(calls, "utf8").split("\n").filter(Boolean);
    expect(asked.map((c) => c.trimEnd()).sort()).toEqual([
      "hostname -s",
      `id -gn ${Bun.spawnSync(["id", "-un"]).stdout.toString().trim()}`,
      "ip -f inet addr show dev uplink1",
      "ip -f inet route",
      "ip -f inet6 addr show dev uplink1",
      "ip -f inet6 route",
      "nproc",
      "uname -m",
    ]);
  });

  test("a localrc that names HOST_IP_IFACE gets that interface's address", () => {
    const calls = join(sb.root, "calls-iface");
    const bin = fakeHost("a", calls);
    const { vars } = stackrc({ pre: `PATH=${q(bin)}:$PATH\n${probe(calls)}`, localrc: "HOST_IP_IFACE=lan0\n", post: SHOWN });
    expect(vars.HOST_IP).toBe("10.9.0.5");
    expect(vars.CIRROS_ARCH).toBe("arch-a");
  });

  test("a localrc that sets OMP_NUM_THREADS (which nproc follows) gets nproc asked again", () => {
    const calls = join(sb.root, "calls-omp");
    const bin = fakeHost("a", calls);
    stackrc({ pre: `PATH=${q(bin)}:$PATH\n${probe(calls)}`, localrc: "OMP_NUM_THREADS=1\n", post: SHOWN });
    expect(readFileSync(calls, "utf8")).toContain("nproc \n");
  });

  test("with a relative directory on PATH, answers found from another directory are not taken", () => {
    const calls = join(sb.root, "calls-relative");
    const bin = fakeHost("a", calls);
    const { vars } = stackrc({ pre: `PATH=${q(bin)}:$PATH:bin\n${probe(calls, "/tmp")}`, post: SHOWN });
    expect(vars).toMatchObject({ ...ANSWERS, CIRROS_ARCH: "arch-a" });
    expect(readFileSync(calls, "utf8")).toContain("uname -m\n");
  });
});

describe("openrc", () => {
  test("exports the OS_* credentials (user/project arguments, password from localrc)", () => {
    const dir = join(sb.root, "openrc-tree");
    mkdirSync(dir, { recursive: true });
    writeLibraryTree(dir);
    writeFileSync(join(dir, ".localrc.auto"), "ADMIN_PASSWORD=s3cret\nSERVICE_HOST=192.0.2.9\n");
    const r = runScript(sb.root, `source ${q(join(dir, "openrc"))} admin admin\nenv | grep ^OS_ | sort`);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      [
        "OS_AUTH_TYPE=password",
        "OS_AUTH_URL=http://192.0.2.9/identity",
        "OS_PASSWORD=s3cret",
        "OS_PROJECT_DOMAIN_ID=default",
        "OS_PROJECT_NAME=admin",
        "OS_REGION_NAME=RegionOne",
        "OS_USERNAME=admin",
        "OS_USER_DOMAIN_ID=default",
        "",
      ].join("\n"),
    );
  });

  test("defaults to the demo user and project", () => {
    const r = runScript(sb.root, `source ${q(join(sb.top, "openrc"))}\necho "$OS_USERNAME $OS_PROJECT_NAME"`);
    expect(r.stdout).toBe("demo demo\n");
  });
});

// Plugin-only stacks behave like stack.sh, unstack.sh and clean.sh: each
// case is a small fixture plugin of our own, written in the pattern of the
// public plugin that showed the difference.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/git.ts";
import { plugstack, readCalls, writePlugin } from "./harness.ts";

let work: ReturnType<typeof tempDir>;

const plugin = (name: string, files: Record<string, string>): string => writePlugin(work.path, name, files);

function conf(name: string, localrc: string[]): string {
  const dir = join(work.path, `cfg-${name}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "local.conf");
  writeFileSync(path, ["[[local|localrc]]", `DEST=${join(work.path, `dest-${name}`)}`, ...localrc, ""].join("\n"));
  return path;
}

const env = () => ({ PS_CALLS: join(work.path, "calls"), PLUGSTACK_CACHE: join(work.path, "cache") });
const run = (args: string[], extra: Record<string, string> = {}) => plugstack(args, { cwd: work.path, env: { ...env(), ...extra } });
const count = (text: string, needle: string) => text.split(needle).length - 1;

beforeAll(() => {
  work = tempDir("plugstack-parity-");
});
afterAll(() => work?.cleanup());

describe("unstack and clean run like unstack.sh and clean.sh", () => {
  test("a command failing while settings are sourced (ceilometer's settings call a tool that is gone): a warning, hooks still run", async () => {
    plugin("gone-tool", {
      settings: ["GONE_VERSION=$(plugstack-test-no-such-tool --version)", "enable_service gone-tool", ""].join("\n"),
      "plugin.sh": ['if [[ $1 == unstack || $1 == clean ]]; then echo "gone-tool $1" >> "$PS_CALLS"; fi', ""].join("\n"),
    });
    const path = conf("gone-tool", [`enable_plugin gone-tool ${join(work.path, "plugins", "gone-tool")}`]);
    // stack stops there, as stack.sh does under errexit
    const stacked = await run(["stack", "-c", path]);
    expect(stacked.code).toBe(1);
    expect(stacked.stderr).toContain("plugin gone-tool failed during source");
    for (const mode of ["unstack", "clean"]) {
      const r = await run([mode, "-c", path]);
      expect({ mode, code: r.code, stderr: r.stderr }).toMatchObject({ mode, code: 0 });
      expect(r.stderr).toContain(`settings:1 (plugin gone-tool); source goes on, as DevStack's does`);
    }
    expect(await readCalls(join(work.path, "calls"))).toEqual(["gone-tool unstack", "gone-tool unstack", "gone-tool clean"]);
  });

  test("a failure inside a plugin's function: one warning, printed once, at the failing line", async () => {
    plugin("nested", {
      "plugin.sh": [
        "function stop_nested {",
        "    sudo-less-kill nested-daemon 2>/dev/null",
        "}",
        "if [[ $1 == unstack ]]; then",
        "    stop_nested",
        '    echo "nested went on" >> "$PS_CALLS.nested"',
        "fi",
        "",
      ].join("\n"),
    });
    const path = conf("nested", [`enable_plugin nested ${join(work.path, "plugins", "nested")}`]);
    expect((await run(["stack", "-c", path])).code).toBe(0);
    for (const flags of [[], ["-v"]]) {
      const r = await run(["unstack", ...flags, "-c", path]);
      expect(r.code).toBe(0);
      const file = join(work.path, "dest-nested", "nested", "devstack", "plugin.sh");
      expect({ flags, n: count(r.stderr, "failed with status 127") }).toEqual({ flags, n: 1 });
      expect(r.stderr).toContain(`'sudo-less-kill nested-daemon 2> /dev/null' failed with status 127 at ${file}:2 (plugin nested)`);
    }
    expect(await readCalls(join(work.path, "calls.nested"))).toEqual(["nested went on", "nested went on"]);
  });
});

describe("reports", () => {
  test("`exit N` in a hook names the line of the exit", async () => {
    plugin("quits", {
      "plugin.sh": ["if [[ $1 == stack && $2 == install ]]; then", '    echo "unsupported distro"', "    exit 4", "fi", ""].join("\n"),
    });
    const path = conf("quits", [`enable_plugin quits ${join(work.path, "plugins", "quits")}`]);
    const r = await run(["stack", "-c", path]);
    expect(r.code).toBe(1);
    const file = join(work.path, "dest-quits", "quits", "devstack", "plugin.sh");
    expect(r.stderr).toContain(`plugin quits failed during stack install at ${file}:3 (exit status 4)`);
    expect(r.stderr).toContain("command: exit 4");
  });

  test("the failing command is shown exactly as written, backticks and all", async () => {
    plugin("ticks", {
      "plugin.sh": ["if [[ $1 == stack && $2 == install ]]; then", '    test "`uname -s`" = "`echo Plan9`"', "fi", ""].join("\n"),
    });
    const path = conf("ticks", [`enable_plugin ticks ${join(work.path, "plugins", "ticks")}`]);
    const r = await run(["stack", "-c", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('command: test "`uname -s`" = "`echo Plan9`"');
  });
});

describe("globals before any hook", () => {
  test("PYTHON is set while settings are sourced (kuryr-libnetwork runs $PYTHON there)", async () => {
    plugin("pyuser", {
      settings: ['PYUSER_SITE=$($PYTHON -c "import sys; print(sys.version_info[0])")', ""].join("\n"),
      "plugin.sh": ['if [[ $1 == stack && $2 == pre-install ]]; then echo "site=$PYUSER_SITE cache=$CACHE_BACKEND" >> "$PS_CALLS.py"; fi', ""].join("\n"),
    });
    const path = conf("pyuser", [`enable_plugin pyuser ${join(work.path, "plugins", "pyuser")}`]);
    const r = await run(["stack", "-c", path]);
    expect(r.stderr).not.toContain("failed");
    expect(r.code).toBe(0);
    expect(await readCalls(join(work.path, "calls.py"))).toEqual(["site=3 cache=dogpile.cache.memcached"]);
  });
});

describe("$FILES is a download cache that outlives clean (devstack-plugin-kafka's pattern)", () => {
  const noTools = !Bun.which("curl") || !Bun.which("tar") ? "curl or tar is not installed" : "";
  if (noTools) console.log(`[skip] $FILES download cache: ${noTools}`);
  test.skipIf(!!noTools)("stack, unstack, clean, stack: the tarball is downloaded once", async () => {
    // a release tarball served on 127.0.0.1; the server counts downloads
    const src = join(work.path, "tarball", "fxkafka-1.0");
    mkdirSync(join(src, "bin"), { recursive: true });
    writeFileSync(join(src, "bin", "fxkafka-server"), "#!/bin/sh\necho fxkafka\n");
    const tgz = join(work.path, "tarball", "fxkafka-1.0.tgz");
    expect(Bun.spawnSync(["tar", "-czf", tgz, "-C", join(work.path, "tarball"), "fxkafka-1.0"]).exitCode).toBe(0);
    let downloads = 0;
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => {
        downloads++;
        return new Response(Bun.file(tgz));
      },
    });
    try {
      plugin("fxkafka", {
        settings: ["FXKAFKA_VERSION=${FXKAFKA_VERSION:-1.0}", "FXKAFKA_DEST=${FXKAFKA_DEST:-$DEST/fxkafka}", ""].join("\n"),
        "plugin.sh": [
          "function download_fxkafka {",
          "    if [ ! -f ${FILES}/fxkafka-${FXKAFKA_VERSION}.tgz ]; then",
          "        curl -fsS -o ${FILES}/fxkafka-${FXKAFKA_VERSION}.tgz ${FXKAFKA_BASEURL}/fxkafka-${FXKAFKA_VERSION}.tgz",
          "    fi",
          "    if [ ! -d ${FILES}/fxkafka-${FXKAFKA_VERSION} ]; then",
          "        tar -xzf ${FILES}/fxkafka-${FXKAFKA_VERSION}.tgz -C ${FILES}",
          "    fi",
          "    mkdir -p ${FXKAFKA_DEST}",
          "    cp -r ${FILES}/fxkafka-${FXKAFKA_VERSION}/. ${FXKAFKA_DEST}/",
          "}",
          'if [[ "$1" == "stack" && "$2" == "install" ]]; then',
          "    download_fxkafka",
          'elif [[ "$1" == "clean" ]]; then',
          "    rm -rf ${FXKAFKA_DEST}",
          "fi",
          "",
        ].join("\n"),
      });
      const path = conf("fxkafka", [`enable_plugin fxkafka ${join(work.path, "plugins", "fxkafka")}`, `FXKAFKA_BASEURL=http://127.0.0.1:${server.port}`]);
      const dest = join(work.path, "dest-fxkafka");
      for (const mode of ["stack", "unstack", "clean", "stack"]) {
        const r = await run([mode, "-c", path]);
        expect({ mode, code: r.code, err: r.code ? r.stderr : "" }).toEqual({ mode, code: 0, err: "" });
        if (mode === "clean") {
          expect(existsSync(join(dest, ".plugstack", "state.json"))).toBe(false);
          expect(existsSync(join(dest, "fxkafka"))).toBe(false);
          expect(existsSync(join(dest, ".plugstack", "files", "fxkafka-1.0.tgz"))).toBe(true);
        }
      }
      expect(downloads).toBe(1);
      expect(readFileSync(join(dest, "fxkafka", "bin", "fxkafka-server"), "utf8")).toContain("echo fxkafka");
    } finally {
      server.stop(true);
    }
  });
});

describe("around the hooks, as stack.sh", () => {
  test("tools/ (plugstack's and the user's), clouds.yaml after install, the CA before install when tls-proxy is enabled", async () => {
    const sysroot = join(work.path, "sysroot-tools");
    const shims = join(work.path, "shims-tools");
    mkdirSync(shims, { recursive: true });
    // the system trust store is the host's: record the call instead
    writeFileSync(join(shims, "update-ca-certificates"), `#!/bin/sh\necho update-ca-certificates >> "$PS_CALLS.ca"\n`, { mode: 0o755 });
    plugin("fxtrove", {
      "plugin.sh": [
        'if [[ "$1" == "stack" && "$2" == "pre-install" ]]; then',
        '    echo "pre-install ca=$([ -f "$INT_CA_DIR/ca-chain.pem" ] && echo yes || echo no) clouds=$([ -f "$OPENSTACKCLIENT_CONF_DIR/clouds.yaml" ] && echo yes || echo no)" >> "$PS_CALLS.tools"',
        'elif [[ "$1" == "stack" && "$2" == "install" ]]; then',
        '    echo "install ca=$([ -f "$INT_CA_DIR/ca-chain.pem" ] && echo yes || echo no) cert=$([ -f "$DEVSTACK_CERT" ] && echo yes || echo no) clouds=$([ -f "$OPENSTACKCLIENT_CONF_DIR/clouds.yaml" ] && echo yes || echo no)" >> "$PS_CALLS.tools"',
        'elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then',
        "    CLOUDS_YAML=${CLOUDS_YAML:-$OPENSTACKCLIENT_CONF_DIR/clouds.yaml}",
        "    $PYTHON $TOP_DIR/tools/update_clouds_yaml.py \\",
        "        --file $CLOUDS_YAML \\",
        "        --os-cloud fxtrove \\",
        "        --os-region-name $REGION_NAME \\",
        "        --os-auth-url $KEYSTONE_SERVICE_URI \\",
        "        --os-username fxtrove \\",
        "        --os-password $SERVICE_PASSWORD \\",
        "        --os-project-name $SERVICE_PROJECT_NAME",
        "    $TOP_DIR/tools/discover_hosts.sh",
        '    echo "post-config OS_CLOUD=$OS_CLOUD $($TOP_DIR/tools/site-check.sh)" >> "$PS_CALLS.tools"',
        "fi",
        "",
      ].join("\n"),
    });
    const path = conf("fxtrove", [
      `enable_plugin fxtrove ${join(work.path, "plugins", "fxtrove")}`,
      "enable_service tls-proxy",
      "SERVICE_HOST=192.0.2.10",
      "ADMIN_PASSWORD=adm1n",
      "SERVICE_PASSWORD=svc1",
    ]);
    mkdirSync(join(path, "..", "tools"), { recursive: true });
    writeFileSync(join(path, "..", "tools", "site-check.sh"), "#!/bin/sh\necho site-tools\n", { mode: 0o755 });
    // the host set-up writes clouds.yaml: under PLUGSTACK_SYSROOT, package installs only shown
    mkdirSync(join(sysroot, "etc"), { recursive: true });
    const r = await run(["stack", "-c", path], {
      PLUGSTACK_HOST_SETUP: "True",
      PLUGSTACK_DRY_RUN: "True",
      PLUGSTACK_SYSROOT: sysroot,
      PATH: `${shims}:${process.env.PATH}`,
    });
    expect(r.stderr).not.toContain("failed");
    expect(r.code).toBe(0);
    expect(await readCalls(join(work.path, "calls.tools"))).toEqual([
      "pre-install ca=no clouds=no",
      "install ca=yes cert=yes clouds=no",
      "post-config OS_CLOUD=devstack-admin site-tools",
    ]);
    expect(await readCalls(join(work.path, "calls.ca"))).toEqual(["update-ca-certificates"]);
    const clouds = readFileSync(join(sysroot, "etc", "openstack", "clouds.yaml"), "utf8");
    for (const cloud of ["devstack", "devstack-admin", "devstack-alt", "devstack-system-admin", "fxtrove"]) expect(clouds).toContain(`${cloud}:`);
    expect(clouds).toContain("auth_url: https://192.0.2.10/identity");
    expect(clouds).toContain("password: adm1n");
    expect(clouds).toContain("password: svc1");
    expect(clouds).toContain("cacert: ");
  });

  const notDebian =
    /^ID(_LIKE)?=.*\b(debian|ubuntu)\b/m.test(readFileSync("/etc/os-release", "utf8")) && Bun.which("dpkg-query")
      ? ""
      : "the check is written for a Debian-family host";
  if (notDebian) console.log(`[skip] general prerequisites: ${notDebian}`);
  test.skipIf(!!notDebian)("sudo set-up and DevStack's general prerequisites, before the hooks, installing only what is missing", async () => {
    const sysroot = join(work.path, "sysroot-sudo");
    mkdirSync(join(sysroot, "etc"), { recursive: true });
    writeFileSync(join(sysroot, "etc", "sudoers"), "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n");
    plugin("fxsudo", { "plugin.sh": 'if [[ $1 == stack && $2 == pre-install ]]; then echo "pre-install" >> "$PS_CALLS.sudo"; fi\n' });
    const path = conf("fxsudo", [`enable_plugin fxsudo ${join(work.path, "plugins", "fxsudo")}`, "STACK_USER=nobody"]);
    // PLUGSTACK_DRY_RUN: the package manager commands are shown, not run
    const r = await run(["stack", "-v", "-c", path], { PLUGSTACK_HOST_SETUP: "True", PLUGSTACK_SYSROOT: sysroot, PLUGSTACK_DRY_RUN: "True" });
    expect(r.code).toBe(0);
    expect(readFileSync(join(sysroot, "etc", "sudoers"), "utf8")).toBe("Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n#includedir /etc/sudoers.d\n");
    const entry = join(sysroot, "etc", "sudoers.d", "50_stack_sh");
    expect(readFileSync(entry, "utf8")).toStartWith(
      "nobody ALL=(root) NOPASSWD:ALL\nDefaults:nobody secure_path=/sbin:/usr/sbin:/usr/bin:/bin:/usr/local/sbin:/usr/local/bin\n",
    );
    expect(statSync(entry).mode & 0o777).toBe(0o440);
    // the general list went into the plan; git (installed: tests use it) is not installed again
    expect(r.stderr).toContain("(plugstack:files/debs/general:");
    const installed = (p: string) => Bun.spawnSync(["dpkg-query", "-W", "-f=${Status}", p]).stdout.toString().endsWith(" installed");
    const install = r.stderr.split("\n").find((l) => /would run: .*apt-get .* install /.test(l) && !/ install sudo$/.test(l)) ?? "";
    expect(install.split(" ")).not.toContain("git");
    expect(install.split(" ").includes("uuid-runtime")).toBe(!installed("uuid-runtime"));
    // order: sudo first, the packages before the first hook
    const state = JSON.parse(readFileSync(join(work.path, "dest-fxsudo", ".plugstack", "state.json"), "utf8"));
    expect(state.runs.stack.stepsDone.slice(0, 5)).toEqual(["sudo", "override_defaults", "source", "packages", "stack pre-install"]);
    expect(await readCalls(join(work.path, "calls.sudo"))).toEqual(["pre-install"]);
  });
});

describe("the nova hypervisor file of VIRT_DRIVER, as stack.sh, unstack.sh and clean.sh call it", () => {
  test("from a plugin: its functions run after the plugins' hooks at install, post-config, extra, unstack and clean", async () => {
    const rec = (what: string) => `echo "${what}" >> "$PS_CALLS.hv"`;
    const functions = ["install", "configure", "start", "stop", "cleanup"];
    plugin("hv", {
      "lib/nova_plugins/hypervisor-fake": functions.map((f) => `function ${f}_nova_hypervisor { ${rec(`hypervisor ${f}`)}; }`).join("\n"),
      "plugin.sh": `if [[ $1 == stack && $2 == @(install|post-config|extra) || $1 == unstack || $1 == clean ]]; then ${rec("hv $1 ${2:-}")}; fi\n`,
    });
    const path = conf("hv", ["VIRT_DRIVER=fake", `enable_plugin hv ${join(work.path, "plugins", "hv")}`]);
    for (const mode of ["stack", "unstack", "clean"]) {
      const r = await run([mode, "-c", path]);
      expect({ mode, code: r.code, stderr: r.stderr }).toMatchObject({ mode, code: 0 });
    }
    expect(await readCalls(join(work.path, "calls.hv"))).toEqual([
      "hv stack install",
      "hypervisor install",
      "hv stack post-config",
      "hypervisor configure",
      "hv stack extra",
      "hypervisor start",
      "hv unstack ",
      "hypervisor stop",
      // clean runs an unstack shell first, as clean.sh runs unstack.sh
      "hv unstack ",
      "hypervisor stop",
      "hv clean ",
      "hypervisor cleanup",
    ]);
  });
});

describe("plan shows what the host set-up installs", () => {
  test("DevStack's general prerequisites are in plan's packages unless PLUGSTACK_HOST_SETUP=False", async () => {
    plugin("plan-pkgs", { settings: "enable_service plan-pkgs\n", "files/debs/plan-pkgs": "sl\n" });
    const enable = `enable_plugin plan-pkgs ${join(work.path, "plugins", "plan-pkgs")}`;
    const generalOf = async (path: string) => {
      const r = await run(["plan", "--json", "-c", path]);
      expect(r.code).toBe(0);
      const lists: { name: string; packages: { name: string }[] }[] = JSON.parse(r.stdout).result.packages.plugins;
      expect(lists.find((l) => l.name === "plan-pkgs")?.packages.map((p) => p.name)).toEqual(["sl"]);
      return lists.find((l) => l.name === "general")?.packages.map((p) => p.name) ?? [];
    };
    // the environment of these tests turns the set-up off; localrc turns it back on, as for a user
    const on = await generalOf(conf("plan-on", ["PLUGSTACK_HOST_SETUP=True", enable]));
    expect(on).toContain("uuid-runtime");
    expect(await generalOf(conf("plan-off", [enable]))).toEqual([]);
  });
});

// Patterns met when public DevStack plugins were stacked, unstacked and
// cleaned with shimmed tools, each as a small fixture of our own: what
// failed there (in the library, the shims or the stack glue) and must not
// again.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LibHarness, type LibRun } from "./harness.ts";

let h: LibHarness;
beforeEach(async () => {
  h = await LibHarness.create({ env: { STACK_USER: "stack" } });
});
afterEach(() => h.dispose());

describe("the shims", () => {
  test("sudo VAR=value COMMAND runs COMMAND with VAR set, as real sudo does", () => {
    // e.g. `sudo -H SETUPTOOLS_USE_DISTUTILS=stdlib python3 -m pip install ...`
    const out = h.ok(`sudo -H FX_ONE=1 FX_TWO="two words" bash -c 'echo "$FX_ONE/$FX_TWO"'`);
    expect(out).toBe("1/two words\n");
    expect(h.lines("sudo")).toEqual(['sudo -H FX_ONE=1 FX_TWO=two words bash -c echo "$FX_ONE/$FX_TWO"']);
  });
});

describe("the shims: pip and wget", () => {
  test("pip list shows what pip installed, editable ones with their location", () => {
    // setup_dev_lib checks a LIBS_FROM_GIT library with `pip list`
    mkdirSync(h.path("dest/python-fxclient"), { recursive: true });
    writeFileSync(h.path("dest/python-fxclient/setup.cfg"), "[metadata]\nname = python-fxclient\n");
    const out = h.ok(
      `pip install -c upper.txt -e $DEST/python-fxclient[test] 'oslo.fx>=1.0'
pip list --format=columns
LIBS_FROM_GIT=python-fxclient
lib_installed_from_git python-fxclient && echo "from git"
lib_installed_from_git oslo.fx || echo "oslo.fx not from git"`,
      { GLOBAL_VENV: "False", PIP: "pip" },
    );
    expect(out).toMatch(new RegExp(`python-fxclient +0\\.0\\.1 +${h.path("dest/python-fxclient")}\n`));
    expect(out).toMatch(/oslo\.fx +0\.0\.1 *\n/);
    expect(out).not.toContain("upper.txt");
    expect(out).toContain("from git\noslo.fx not from git\n");
  });

  test("python3 -m venv makes a venv of shims; -m pip is the pip shim; other python3 calls are real", () => {
    // DevStack's default GLOBAL_VENV=True: pip_install creates $DEST/data/venv with
    // `python3 -m venv` and installs with its pip, which must not reach the network
    mkdirSync(h.path("dest/fx-lib"), { recursive: true });
    writeFileSync(h.path("dest/fx-lib/setup.cfg"), "[metadata]\nname = fx-lib\n");
    const out = h.ok(`GLOBAL_VENV=True
pip_install -e $DEST/fx-lib
sudo -H SETUPTOOLS_USE_DISTUTILS=stdlib python3 -m pip install -e $DEST/fx-lib
python3 -c 'print(6 * 7)'
$DEST/data/venv/bin/pip list --format=columns`);
    expect(out).toContain("42\n");
    expect(out).toMatch(new RegExp(`fx-lib +0\\.0\\.1 +${h.path("dest/fx-lib")}`));
    expect(h.lines("pip")).toContain(`pip install -e ${h.path("dest/fx-lib")}`);
    expect(h.lines("python3")).toContain(`python3 -m pip install -e ${h.path("dest/fx-lib")}`);
  });

  test("wget -O- and -qO- print to stdout, -O FILE writes FILE", () => {
    const out = h.ok(`wget --no-proxy -q -O- http://10.0.0.5:8888/ping; wget -qO- http://x/y; wget -O ${h.path("home/img")} http://x/img`);
    expect(out).toBe("downloaded by the wget shim\ndownloaded by the wget shim\n");
    expect(h.read("home/img")).toBe("downloaded by the wget shim\n");
  });
});

describe("iniset into a directory nobody made", () => {
  test("a test-config hook writes $TEMPEST_CONFIG although tempest is not installed", () => {
    // tempest is in DevStack's default services; plugstack does not install it
    const out = h.ok(`is_service_enabled tempest && echo enabled
iniset $TEMPEST_CONFIG service_available fxsvc True
iniget $TEMPEST_CONFIG service_available fxsvc`);
    expect(out).toBe("enabled\nTrue\n");
    expect(h.read("dest/tempest/etc/tempest.conf")).toContain("[service_available]\nfxsvc = True\n");
  });

  test("-sudo creates the directory too", () => {
    h.ok(`iniset -sudo ${h.path("sysroot/etc/fxsvc/sub/fx.conf")} DEFAULT debug True`);
    expect(h.read("sysroot/etc/fxsvc/sub/fx.conf")).toBe("\n[DEFAULT]\ndebug = True\n");
  });
});

describe("git_clone of a plugin's own directory", () => {
  test("an existing plain directory is kept, without asking plugstack (DevStack keeps it)", () => {
    // A plugin laid out from a plain directory, whose plugin.sh clones its
    // own repo into $DEST/<name>, as `git_clone $FX_REPO $FX_DIR $FX_BRANCH`.
    const self = h.path("bin-self/plugstack");
    mkdirSync(h.path("bin-self"));
    writeFileSync(self, `#!/bin/bash\necho "callback $*" >>${h.path("self.calls")}\n`);
    chmodSync(self, 0o755);
    mkdirSync(h.path("dest/fxsvc/devstack"), { recursive: true });
    writeFileSync(h.path("dest/fxsvc/devstack/plugin.sh"), "# fixture\n");
    const out = h.ok(`PLUGSTACK_SELF=(${self})
PLUGSTACK_PLUGIN=fxsvc
git_clone https://example.org/fxsvc.git $DEST/fxsvc master
echo "kept: $(ls $DEST/fxsvc)"`);
    expect(out).toContain("kept: devstack");
    expect(existsSync(h.path("self.calls"))).toBe(false);
    // a missing directory is still plugstack's to clone (and pin)
    h.ok(`PLUGSTACK_SELF=(${self}); git_clone https://example.org/other.git $DEST/other master`);
    expect(h.read("self.calls")).toBe(
      `callback internal repo-clone --url https://example.org/other.git --dir ${h.path("dest/other")} --ref master --plugin \n`,
    );
  });
});

describe("globals a login would set", () => {
  test("USER is set (and exported) when the environment has none, as in a container", () => {
    // e.g. `sudo chown $USER $ZAQAR_CONF_DIR`; the harness's environment has no USER
    const me = Bun.spawnSync(["id", "-un"]).stdout.toString().trim();
    expect(h.ok(`echo "shell=$USER"; bash -c 'echo "child=$USER"'`)).toBe(`shell=${me}\nchild=${me}\n`);
    expect(h.ok(`echo "$USER"`, { USER: "someone" })).toBe("someone\n");
  });
});

describe("names older plugins still call", () => {
  test("screen_it runs a 'cd DIR; CMD' line in the background (as USE_SCREEN=False did), screen_stop stops it; tail_log is a no-op", () => {
    // cloudkitty: screen_it ck-api "cd $CLOUDKITTY_DIR; $CLOUDKITTY_BIN_DIR/cloudkitty-api ..."
    const out = h.ok(`ENABLED_SERVICES=fx-api
screen_it fx-api "cd $HOME; exec sleep 30"
screen_it fx-off "cd $HOME; exec sleep 30"
pid=$(cat $SERVICE_DIR/$SCREEN_NAME/fx-api.pid 2>/dev/null || cat $DEST/status/stack/fx-api.pid)
kill -0 "$pid" && echo "fx-api running"
ls $DEST/status/stack/ 2>/dev/null | grep -q fx-off || echo "disabled service not started"
tail_log fx-api /var/log/fx/api.log && echo "tail_log ok"
screen_stop fx-api
# a stopped child of this shell may linger as a zombie until bash reaps it
_ps_pid_alive "$pid" || echo "fx-api stopped"`);
    expect(out).toBe("fx-api running\ndisabled service not started\ntail_log ok\nfx-api stopped\n");
    // no systemd unit was started for it
    expect(h.lines("systemctl").filter((l) => /^systemctl (start|enable) .*fx-/.test(l))).toEqual([]);
  });

  test("_neutron_service_plugin_class_add and _neutron_deploy_rootwrap_filters (lib/neutron-legacy names)", () => {
    mkdirSync(h.path("fx-src/etc/neutron/rootwrap.d"), { recursive: true });
    writeFileSync(h.path("fx-src/etc/neutron/rootwrap.d/fx.filters"), "[Filters]\n");
    const out = h.ok(`_neutron_service_plugin_class_add fx_vpn
_neutron_service_plugin_class_add router
_neutron_service_plugin_class_add fx_vpn
echo "$Q_SERVICE_PLUGIN_CLASSES"
Q_CONF_ROOTWRAP_D=$HOME/rootwrap.d _neutron_deploy_rootwrap_filters ${h.path("fx-src")}`);
    expect(out).toBe("fx_vpn,router\n");
    expect(h.read("home/rootwrap.d/fx.filters")).toBe("[Filters]\n");
  });

  test("get_apache_version reads apache2ctl -v; a missing apache2ctl is named", async () => {
    expect(h.ok("get_apache_version")).toBe("2.4\n");
    const bare = await LibHarness.create({ without: ["apache2ctl"], isolatePath: true });
    try {
      const r = bare.run("get_apache_version");
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("'apache2ctl' is not installed: get_apache_version needs it");
    } finally {
      bare.dispose();
    }
  });
});

describe("the driver: unstack and clean go on past a failing command, as DevStack's scripts do", () => {
  // barbican's unstack runs `killall -9 uwsgi`, which fails when no uwsgi runs
  const DRIVER = join(import.meta.dir, "../../src/shell/driver.sh");
  function runPhase(phase: string, hook: string): LibRun {
    mkdirSync(h.path("fx-plugin/devstack"), { recursive: true });
    writeFileSync(h.path("fx-plugin/devstack/plugin.sh"), hook);
    return h.run(`source ${DRIVER}
PLUGSTACK_RUN_ORDER=(fx-plugin)
declare -A PLUGSTACK_PLUGIN_DIRS=([fx-plugin]=${h.path("fx-plugin")})
_ps_start_tracing ""
_ps_run_phase ${phase}
echo "run goes on"`);
  }
  const hook = `if [[ $1 == unstack || $1 == clean || $1 == stack ]]; then\n    false\n    echo "after the failure: $1"\nfi\n`;

  test.each(["unstack", "clean"])("%s: the failure is reported, the hook and the run go on", (mode) => {
    const r = runPhase(mode, hook);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`after the failure: ${mode}\nrun goes on\n`);
    expect(r.stderr).toMatch(
      new RegExp(`WARNING: 'false' failed with status 1 at /\\S+/fx-plugin/devstack/plugin\\.sh:2 \\(plugin fx-plugin\\); ${mode} goes on`),
    );
  });

  test("stack still stops at the failure; die still stops unstack", () => {
    const r = runPhase("stack install", hook);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const d = runPhase("unstack", 'die $LINENO "cannot unstack"\necho "not reached"\n');
    expect(d.code).not.toBe(0);
    expect(d.stdout).not.toContain("not reached");
  });
});

describe("is_service_enabled for names DevStack's service libraries answer", () => {
  // designate: `if is_service_enabled keystone; then create_designate_accounts`;
  // cyborg: dies unless `is_service_enabled placement` (lib/keystone's
  // is_keystone_enabled and lib/placement's is_placement_enabled)
  const rows: [services: string, asked: string, want: boolean][] = [
    ["key,placement-api", "keystone", true],
    ["key,placement-api", "placement", true],
    ["keystone-fx,placement-client", "keystone", false],
    ["key,placement-client", "placement", false],
  ];
  test.each(rows)("ENABLED_SERVICES=%p: %p -> %p", (services, asked, want) => {
    const out = h.ok(`ENABLED_SERVICES=${services}; is_service_enabled ${asked} && echo yes || echo no`);
    expect(out).toBe(want ? "yes\n" : "no\n");
  });

  test("disable_service keystone wins over key; DevStack's default services enable both", () => {
    expect(h.ok(`ENABLED_SERVICES=key,placement-api; disable_service keystone; is_service_enabled keystone && echo yes || echo no`)).toBe("no\n");
    expect(h.ok(`is_service_enabled keystone placement && echo yes`)).toBe("yes\n");
  });
});

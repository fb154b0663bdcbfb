// Patterns met when public DevStack plugins were stacked, unstacked and
// cleaned with shimmed tools, each as a small fixture of our own: what
// failed there (in the library, the shims or the stack glue) and must not
// again.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { LibHarness } from "./harness.ts";

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
    expect(h.lines("sudo")).toEqual(["sudo -H FX_ONE=1 FX_TWO=two words bash -c echo \"$FX_ONE/$FX_TWO\""]);
  });
});

describe("the shims: pip and wget", () => {
  test("pip list shows what pip installed, editable ones with their location", () => {
    // setup_dev_lib checks a LIBS_FROM_GIT library with `pip list`
    mkdirSync(h.path("dest/python-fxclient"), { recursive: true });
    writeFileSync(h.path("dest/python-fxclient/setup.cfg"), "[metadata]\nname = python-fxclient\n");
    const out = h.ok(`pip install -c upper.txt -e $DEST/python-fxclient[test] 'oslo.fx>=1.0'
pip list --format=columns
LIBS_FROM_GIT=python-fxclient
lib_installed_from_git python-fxclient && echo "from git"
lib_installed_from_git oslo.fx || echo "oslo.fx not from git"`, { GLOBAL_VENV: "False", PIP: "pip" });
    expect(out).toMatch(new RegExp(`python-fxclient +0\\.0\\.1 +${h.path("dest/python-fxclient")}\n`));
    expect(out).toMatch(/oslo\.fx +0\.0\.1 *\n/);
    expect(out).not.toContain("upper.txt");
    expect(out).toContain("from git\noslo.fx not from git\n");
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
    expect(h.read("self.calls")).toBe(`callback internal repo-clone --url https://example.org/other.git --dir ${h.path("dest/other")} --ref master --plugin \n`);
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

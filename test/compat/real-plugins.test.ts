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

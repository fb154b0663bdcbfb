// The fixture plugins (test/compat/fixtures) run through override-defaults,
// settings and every stack phase, unstack and clean, in one bash process
// with the library and shimmed system tools, as DevStack's stack.sh runs
// them. Checks: every function of compat/functions.md exists and is called,
// and each pattern of compat/patterns.md behaves as plugins expect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";
import { makeRepo } from "../helpers/git.ts";
import { DRIVER, FIXTURES, FUNCTIONS_MD, LibHarness, type LibRun, loadCompatFunctions } from "./harness.ts";

const haveSpec = existsSync(FUNCTIONS_MD);
if (!haveSpec) console.log(`skipping the functions.md checks: ${FUNCTIONS_MD} is not there`);

const RUN_ORDER = ["fx-plain", "fx-core", "fx-case", "fx-services", "fx-network"];

let h: LibHarness;
let run: LibRun;
let traced: Set<string>;

function installFixtures(harness: LibHarness, names: string[]): void {
  for (const name of names) cpSync(join(FIXTURES, name), harness.path("dest", name), { recursive: true });
}

beforeAll(async () => {
  h = await LibHarness.create();
  const repo = makeRepo(h.path("repos/fx-extra"), { files: { "README.md": "extra\n" } });
  installFixtures(h, RUN_ORDER);
  const sys = h.path("sysroot");
  run = h.run(`source ${JSON.stringify(DRIVER)}
ps_drive_stack
ps_drive_unstack
ps_drive_clean
echo "ALL PHASES DONE"`, {
    PS_PLUGINS: RUN_ORDER.join(" "),
    PS_TRACE_FUNCS: h.path("traced"),
    FX_REPO_URL: repo.url,
    LIBS_FROM_GIT: "fx-lib",
    GLOBAL_VENV: "False",
    PIP: "pip",
    KEYSTONE_CONF_DIR: `${sys}/etc/keystone`,
    NEUTRON_CONF_DIR: `${sys}/etc/neutron`,
    NOVA_CONF_DIR: `${sys}/etc/nova`,
    SWIFT_CONF_DIR: `${sys}/etc/swift`,
    OVS_SOURCE_CTL: `${sys}/usr/local/share/openvswitch/scripts/ovs-ctl`,
  });
  traced = new Set(existsSync(h.path("traced")) ? h.read("traced").split("\n").filter(Boolean) : []);
}, 120_000);
afterAll(() => h.dispose());

test("the fixture plugins run through every phase without an error", () => {
  if (!run.stdout.includes("ALL PHASES DONE")) {
    throw new Error(`the run stopped (status ${run.code}):\n--- stderr\n${run.stderr}\n--- stdout (tail)\n${run.stdout.slice(-4000)}`);
  }
  expect(run.code).toBe(0);
});

describe("compat/functions.md", () => {
  test.skipIf(!haveSpec)("every function is defined by the library", () => {
    const names = loadCompatFunctions();
    expect(names.length).toBeGreaterThan(100);
    const r = h.run(`for f in ${names.join(" ")}; do declare -F "$f" >/dev/null || echo "missing $f"; done`);
    expect(r.stdout.trim()).toBe("");
  });

  test.skipIf(!haveSpec)("the fixture plugins call every function at least once", () => {
    const uncalled = loadCompatFunctions().filter((n) => !traced.has(n));
    expect(uncalled).toEqual([]);
  });

  test.skipIf(!haveSpec)("is_suse is false", () => {
    expect(h.ok(`is_suse && echo yes || echo no`).trim()).toBe("no");
  });
});

describe("compat/patterns.md", () => {
  const record = () => h.read("dest/data/fx/record");

  test("1, 2: if-dispatch, case-dispatch, argument-blind plugins; the dead source branch never runs", () => {
    expect(run.stdout).toContain("=== fx-core stack pre-install");
    expect(run.stdout).toContain("fx-case: unstack");
    // fx-plain runs at each of the 5 stack phases, unstack and clean
    expect(record()).toContain("fx-plain call 7 sees fx-core's helper");
    expect(record()).not.toContain("nobody defines");
  });

  test("3, 5: settings in a function with local, own lib and location; override-defaults", () => {
    expect(record()).toContain(`settings flavor=small extras=True here=${h.path("dest/fx-core/devstack")}`);
  });

  test("6, 7: a copied and wrapped function; a redefinition wins for later plugins and phases", () => {
    expect(run.stdout).toContain("fx-case wrapper installs: fx-case-pkg");
    expect(run.stdout).toContain("fx-case wrapper installs: fx-core-dep");
    expect(run.stdout).toContain("[fx-case summary] Configuring fxsvc");
    expect(run.stdout).toContain("[fx-case summary] fx-core: extra");
  });

  test("8: another plugin's lib and plugin.sh sourced by path, hooks probed", () => {
    expect(record()).toContain("test-config sees fx-core helper");
  });

  test("9: the xtrace idiom leaves tracing as it was", () => {
    expect(run.stderr).not.toMatch(/^\+ /m);
  });

  test("10: die with and without a line number", () => {
    expect(run.stderr).toMatch(/\[ERROR\] \S*fx-core\/devstack\/plugin\.sh:\d+ a death with a line number/);
    expect(run.stderr).toMatch(/\[ERROR\] \S*fx-core\/devstack\/plugin\.sh:\d+ a death without one/);
    expect(record()).toContain("die with LINENO exited 1");
    expect(record()).toContain("err returned 1");
  });

  test("11, 13: library globals written by plugins are seen later", () => {
    expect(existsSync(h.path("dest/fx-extra/README.md"))).toBe(true);
    expect(run.stdout).toContain("backends ,lvm:fx-case");
    // REPOS_UPDATED=True set by fx-case: no later apt-get update
    const updates = h.lines("apt-get").filter((l) => l.includes(" update"));
    expect(updates).toHaveLength(1);
  });

  test("12, 14: own files by path, /etc/os-release read by the plugin", () => {
    expect(record()).toContain("debs: fx-core-dep fx-core-optional # NOPRIME");
    expect(record()).toMatch(/os-release VERSION_ID=\S+/);
  });

  test("service helpers did their work", () => {
    const conf = h.read("dest/data/fxsvc/etc/fxsvc.conf");
    expect(conf).toContain("[keystone_authtoken]");
    expect(conf).toContain("connection = mysql+pymysql://root:secretdb@127.0.0.1/fxsvc?charset=utf8");
    expect(conf).toContain("transport_url = rabbit://stackrabbit:secretrabbit@10.0.0.5:5672/");
    expect(h.lines("mysql")).toContain("mysql -uroot -psecretdb -h127.0.0.1 -e CREATE DATABASE fxsvc CHARACTER SET utf8;");
    expect(h.lines("openstack").some((l) => l.includes("service create fx-service --name fxsvc"))).toBe(true);
    expect(h.read("sysroot/etc/neutron/neutron.conf")).toContain("service_plugins = fx_network.services.FxPlugin");
  });
});

test("4: a plugin whose settings die stops the run, naming the plugin", async () => {
  for (const [plugin, message] of [
    ["fx-dies", "fx-dies needs FX_DIES_NEEDS to be set"],
    ["fx-exits", "fx-exits gives up"],
  ] as const) {
    const d = await LibHarness.create();
    try {
      installFixtures(d, ["fx-plain", plugin]);
      const r = d.run(`source ${JSON.stringify(DRIVER)}\nps_drive_stack\necho SHOULD-NOT-GET-HERE`, { PS_PLUGINS: `fx-plain ${plugin}` });
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toContain(message);
      expect(r.stderr).toContain(`plugin ${plugin} failed in settings`);
      expect(r.stdout).not.toContain("SHOULD-NOT-GET-HERE");
    } finally {
      d.dispose();
    }
  }
});

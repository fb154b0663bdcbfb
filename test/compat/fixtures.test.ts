// The fixture plugins (test/compat/fixtures), each a real git repo, enabled
// in a local.conf and run by the compiled binary: `plugstack stack`, then
// `unstack` and `clean`, with shimmed system tools (test/compat/shims) on
// PATH. Checks what a user sees (output, the run log, files the plugins
// wrote, the calls they made) for every pattern of compat/patterns.md, and
// that the fixtures call every function of compat/functions.md in the real
// stack shell (test/compat/data holds those lists, vendored).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { plugstack } from "../e2e/harness.ts";
import { makeRepo, tempDir } from "../helpers/git.ts";
import type { ProcessResult } from "../helpers/process.ts";
import { FIXTURES, loadCompatFunctions, loadCompatVariables, parseCalls, SHIM, SHIMMED_TOOLS } from "./harness.ts";

const RUN_ORDER = ["fx-plain", "fx-core", "fx-case", "fx-services", "fx-network"];

/**
 * An extras.d script (sourced by the stack shell before the plugins at each
 * phase, as DevStack does) that records, from the first phase on, every
 * function that runs (a DEBUG trap, inherited by functions and subshells),
 * and, before any plugin is sourced, which functions of compat/functions.md
 * are not defined, which globals of compat/variables.md are not set, and
 * whether is_suse is true.
 */
const PROBE = `# fixture probe: see test/compat/fixtures.test.ts
if [[ -z \${_FX_PROBE_ON:-} ]]; then
    _FX_PROBE_ON=1
    while read -r _fx_f; do
        declare -F "$_fx_f" >/dev/null || echo "$_fx_f" >>"$FX_PROBE/undefined-functions"
    done <"$FX_PROBE/functions"
    while read -r _fx_v; do
        declare -p "$_fx_v" >/dev/null 2>&1 || echo "$_fx_v" >>"$FX_PROBE/unset-variables"
    done <"$FX_PROBE/variables"
    if is_suse; then echo yes; else echo no; fi >"$FX_PROBE/is_suse"
    declare -gA _fx_traced
    set -o functrace
    trap '[[ -n \${FUNCNAME[0]:-} && -z \${_fx_traced[\${FUNCNAME[0]}]:-} ]] && { _fx_traced[\${FUNCNAME[0]}]=1; echo "\${FUNCNAME[0]}" >>"$FX_PROBE/traced"; }; :' DEBUG
fi
`;

let work: ReturnType<typeof tempDir>;
let cfg: string;
let conf: string;
let dest: string;
let probe: string;
let env: Record<string, string>;
const runs: Record<string, ProcessResult> = {};
/** what the stack run left, read before unstack and clean change it */
const afterStack = { record: "", log: "", lock: "", heads: {} as Record<string, string>, aptGet: [] as string[] };

/** A fixture plugin as a git repo of its own under srv/, at one commit. */
function fixtureRepo(name: string): string {
  const dir = join(work.path, "srv", name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return makeRepo(dir, { files: {} }).url;
}

function writeConf(dir: string, plugins: string[], extra: string[] = []): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "local.conf");
  const sys = join(work.path, "sysroot");
  writeFileSync(
    path,
    [
      "[[local|localrc]]",
      `DEST=${join(dir, "dest")}`,
      `FX_REPO_URL=${join(work.path, "srv", "fx-extra")}`,
      "LIBS_FROM_GIT=fx-lib",
      "GLOBAL_VENV=False",
      "PIP=pip",
      "SERVICE_HOST=10.0.0.5",
      "HOST_IP=10.0.0.5",
      "SERVICE_PASSWORD=secretservice",
      "ADMIN_PASSWORD=secretadmin",
      "DATABASE_PASSWORD=secretdb",
      "RABBIT_PASSWORD=secretrabbit",
      `KEYSTONE_CONF_DIR=${sys}/etc/keystone`,
      `NEUTRON_CONF_DIR=${sys}/etc/neutron`,
      `NOVA_CONF_DIR=${sys}/etc/nova`,
      `SWIFT_CONF_DIR=${sys}/etc/swift`,
      `OVS_SOURCE_CTL=${sys}/usr/local/share/openvswitch/scripts/ovs-ctl`,
      ...extra,
      ...plugins.map((n) => `enable_plugin ${n} ${fixtureUrl(n)}`),
      "",
    ].join("\n"),
  );
  return path;
}

const urls = new Map<string, string>();
function fixtureUrl(name: string): string {
  if (!urls.has(name)) urls.set(name, fixtureRepo(name));
  return urls.get(name)!;
}

/** The shimmed calls of `tool` so far, as command lines. */
function calls(tool: string): string[] {
  return parseCalls(read(work.path, "calls.log"))
    .filter((c) => c.tool === tool)
    .map((c) => [c.tool, ...c.args].join(" "));
}

async function run(mode: string, path = conf): Promise<ProcessResult> {
  return plugstack([mode, "-v", "-c", path], { cwd: work.path, env });
}

beforeAll(async () => {
  work = tempDir("plugstack-compat-");
  const bin = join(work.path, "bin");
  mkdirSync(bin);
  for (const tool of SHIMMED_TOOLS) symlinkSync(SHIM, join(bin, tool));
  for (const d of ["state", "sysroot/etc", "probe"]) mkdirSync(join(work.path, d), { recursive: true });
  writeFileSync(join(work.path, "calls.log"), "");
  makeRepo(join(work.path, "srv", "fx-extra"), { files: { "README.md": "extra\n" } });
  probe = join(work.path, "probe");
  writeFileSync(join(probe, "functions"), `${loadCompatFunctions().join("\n")}\n`);
  writeFileSync(join(probe, "variables"), `${loadCompatVariables().join("\n")}\n`);
  cfg = join(work.path, "cfg");
  conf = writeConf(cfg, RUN_ORDER);
  mkdirSync(join(cfg, "extras.d"));
  writeFileSync(join(cfg, "extras.d", "50-fx-probe.sh"), PROBE);
  dest = join(cfg, "dest");
  const sys = join(work.path, "sysroot");
  env = {
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    SHIM_LOG: join(work.path, "calls.log"),
    SHIM_STATE: join(work.path, "state"),
    PLUGSTACK_SYSROOT: sys,
    PLUGSTACK_SYSTEMD: "True",
    PLUGSTACK_NONINTERACTIVE: "True",
    SYSTEMD_DIR: join(sys, "etc/systemd/system"),
    APACHE_RESTART_PAUSE: "0",
    PLUGSTACK_CACHE: join(work.path, "cache"),
    FX_PROBE: probe,
  };
  runs.stack = await run("stack");
  afterStack.record = read(dest, "data/fx/record");
  afterStack.log = read(dest, "logs", "plugstack-stack.log"); // a link to the newest stack log
  afterStack.lock = read(`${conf}.lock`);
  for (const p of RUN_ORDER)
    afterStack.heads[p] = Bun.spawnSync(["git", "-C", join(dest, p), "rev-parse", "HEAD"])
      .stdout.toString()
      .trim();
  afterStack.aptGet = calls("apt-get");
  runs.unstack = await run("unstack");
  runs.clean = await run("clean");
}, 240_000);
afterAll(() => work?.cleanup());

function read(...parts: string[]): string {
  const p = join(...parts);
  return existsSync(p) ? readFileSync(p, "utf8") : "";
}

const output = (r: ProcessResult | undefined) => `${r?.stdout ?? ""}${r?.stderr ?? ""}`;
const record = () => afterStack.record;

describe("stack", () => {
  test("runs every phase of every fixture plugin and finishes", () => {
    const r = runs.stack!;
    if (r.code !== 0) throw new Error(`stack failed (${r.code}):\n${output(r).slice(-6000)}`);
    for (const phase of ["pre-install", "install", "post-config", "extra", "test-config"]) {
      expect(r.stderr).toMatch(new RegExp(`^stack ${phase} +\\d`, "m"));
      for (const p of RUN_ORDER) expect(r.stderr).toContain(`  ${p}: plugin.sh (${join(dest, p, "devstack", "plugin.sh")})`);
    }
    expect(r.stderr).toMatch(/^stack done in /m);
    // fx-plain runs at each of the 5 stack phases, in one shell
    expect(record()).toContain("fx-plain call 5 sees fx-core's helper");
  });

  test("the plugins are checked out from their repos at the commits the lock pins; the repo fx-case clones is pinned too", () => {
    const lock = afterStack.lock;
    for (const p of RUN_ORDER) {
      expect(afterStack.heads[p]).toMatch(/^[0-9a-f]{40}$/);
      expect(lock).toContain(`name = "${p}"\nurl = "${fixtureUrl(p)}"\nref = "master"\ncommit = "${afterStack.heads[p]}"`);
    }
    expect(lock).toMatch(/\[\[repo\]\]\nurl = "[^"]*fx-extra"\nref = "master"\ncommit = "[0-9a-f]{40}"\nrequested_by = "fx-case"/);
    expect(runs.stack!.stderr).toMatch(/lock: \S*fx-extra \(git_clone by fx-case\) +added [0-9a-f]{7} \(master\)/);
  });
});

describe("compat/functions.md and compat/variables.md, in the stack shell", () => {
  test("every function is defined before the plugins are sourced", () => {
    expect(read(probe, "functions").split("\n").length).toBeGreaterThan(100);
    expect(read(probe, "is_suse")).toBe("no\n");
    expect(read(probe, "undefined-functions")).toBe("");
  });

  test("every global DevStack sets outside lib/* is set before the plugins are sourced", () => {
    expect(read(probe, "is_suse")).toBe("no\n"); // the probe ran
    expect(read(probe, "variables").split("\n").length).toBeGreaterThan(40);
    expect(read(probe, "unset-variables")).toBe("");
  });

  test("the fixture plugins call every function at least once (stack, unstack and clean)", () => {
    const traced = new Set(read(probe, "traced").split("\n"));
    expect(loadCompatFunctions().filter((n) => !traced.has(n))).toEqual([]);
  });
});

describe("compat/patterns.md", () => {
  test("1, 2: if-dispatch, case-dispatch, argument-blind plugins; the dead source branch never runs", () => {
    expect(output(runs.stack)).toContain("fx-core: pre-install");
    expect(record()).toContain("fx-plain call 5 sees fx-core's helper");
    expect(record()).not.toContain("nobody defines");
    expect(output(runs.stack)).not.toContain("fx-core-does-not-exist");
  });

  test("3, 5: settings in a function with local, own lib and location; override-defaults (echoed)", () => {
    expect(record()).toContain(`settings flavor=small extras=True here=${join(dest, "fx-core", "devstack")}`);
    expect(runs.stack!.stderr).toContain(
      "fx-core has overridden the following defaults\n# Only assignments and trueorfalse, as override-defaults files do.\nFX_CORE_EXTRAS=$(trueorfalse True FX_CORE_EXTRAS)",
    );
  });

  test("6, 7: a copied and wrapped function; a redefinition wins for later plugins and phases", () => {
    const out = output(runs.stack);
    expect(out).toContain("fx-case wrapper installs: fx-case-pkg");
    expect(out).toContain("fx-case wrapper installs: fx-core-dep");
    expect(out).toContain("[fx-case summary] Configuring fxsvc");
    expect(out).toContain("[fx-case summary] fx-core: extra");
  });

  test("8: another plugin's lib and plugin.sh sourced by path, hooks probed", () => {
    expect(record()).toContain("test-config sees fx-core helper");
  });

  test("9: the xtrace idiom leaves tracing as it was: fx-core's body is not traced, the plugins after it are", () => {
    const log = afterStack.log;
    expect(log).toMatch(/^\++ plugin\.sh:\d+:source: REPOS_UPDATED=True$/m); // fx-case, after fx-core
    expect(log).not.toContain("FX_CORE_MARK=set"); // inside fx-core's untraced body
    expect(output(runs.stack)).not.toMatch(/^\+ /m);
  });

  test("10: die with and without a line number, err, exit_distro_not_supported: reported at plugin.sh's line, the run goes on", () => {
    const out = output(runs.stack);
    const at = join(dest, "fx-core", "devstack", "plugin.sh");
    expect(out).toContain(`[ERROR] ${at}:34 a death with a line number`);
    expect(out).toContain(`[ERROR] ${at}:35 a death without one`);
    expect(out).toContain(`[ERROR] ${at}:37 an error that is only reported`);
    expect(record()).toContain("die with LINENO exited 1");
    expect(record()).toContain("err returned 1");
  });

  test("11, 13: library globals written by plugins are seen later", () => {
    expect(existsSync(join(dest, "fx-extra", "README.md"))).toBe(true);
    expect(output(runs.stack)).toContain("backends ,lvm:fx-case");
    // REPOS_UPDATED=True set by fx-case: no later apt-get update
    expect(afterStack.aptGet.filter((l) => l.includes(" update"))).toHaveLength(1);
  });

  test("12, 14: own files by path, /etc/os-release read by the plugin", () => {
    expect(record()).toContain("debs: fx-core-dep fx-core-optional # NOPRIME");
    expect(record()).toMatch(/os-release VERSION_ID=\S+/);
  });

  test("packages: the plugins' lists and bindep.txt in one transaction, before the hooks", () => {
    expect(afterStack.aptGet[0]).toBe("apt-get -y -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=300 install fx-core-dep fx-bindep-pkg");
  });

  test("service helpers did their work", () => {
    const conf = read(dest, "data/fxsvc/etc/fxsvc.conf");
    expect(conf).toContain("[keystone_authtoken]");
    expect(conf).toContain("connection = mysql+pymysql://root:secretdb@127.0.0.1/fxsvc?charset=utf8");
    expect(conf).toContain("transport_url = rabbit://stackrabbit:secretrabbit@10.0.0.5:5672/");
    expect(calls("mysql")).toContain("mysql -uroot -psecretdb -h127.0.0.1 -e CREATE DATABASE fxsvc CHARACTER SET utf8;");
    expect(calls("openstack").some((l) => l.includes("service create fx-service --name fxsvc"))).toBe(true);
    expect(read(work.path, "sysroot/etc/neutron/neutron.conf")).toContain("service_plugins = fx_network.services.FxPlugin");
  });
});

describe("unstack and clean", () => {
  test("unstack runs every plugin's unstack hook", () => {
    const r = runs.unstack!;
    if (r.code !== 0) throw new Error(`unstack failed (${r.code}):\n${output(r).slice(-4000)}`);
    expect(output(r)).toContain("fx-case: unstack");
    expect(output(r)).toContain(`site file was ${join(work.path, "sysroot/etc/apache2/sites-available/fxsvc.conf")}`);
    expect(r.stderr).toMatch(/^unstack done in /m);
  });

  test("clean runs the clean hooks and removes the checkouts plugstack made", () => {
    const r = runs.clean!;
    if (r.code !== 0) throw new Error(`clean failed (${r.code}):\n${output(r).slice(-4000)}`);
    expect(output(r)).toContain("fx-case: clean");
    expect(read(dest, "data/fx/record").trimEnd().split("\n").at(-1)).toBe("clean");
    for (const p of RUN_ORDER) {
      expect(r.stderr).toContain(`removed ${join(dest, p)}\n`);
      expect(existsSync(join(dest, p))).toBe(false);
    }
  });
});

test("4: a plugin whose settings die or exit stops the run, naming the plugin; no hook runs after it", async () => {
  for (const [plugin, message] of [
    ["fx-dies", "fx-dies needs FX_DIES_NEEDS to be set"],
    ["fx-exits", "fx-exits gives up"],
  ] as const) {
    const dir = join(work.path, plugin);
    const path = writeConf(dir, ["fx-plain", plugin]);
    const r = await run("stack", path);
    expect(r.code).toBe(1);
    expect(output(r)).toContain(message);
    expect(r.stderr).toContain(`error: plugin ${plugin} failed during source at ${join(dir, "dest", plugin, "devstack", "settings")}:3 (exit status 1)`);
    expect(r.stderr).toMatch(/^source \(failed\) +\d/m);
    expect(r.stderr).not.toMatch(/^stack pre-install/m);
    expect(read(dir, "dest", "data/fx/record")).not.toContain("fx-plain call");
  }
}, 120_000);

// Failures are reported once, naming plugin, phase and file:line; bad
// config exits 2 naming local.conf:line.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/git.ts";
import { plugstack, readCalls, writePlugin } from "./harness.ts";

let work: ReturnType<typeof tempDir>;

const plugin = (name: string, files: Record<string, string>): string => writePlugin(work.path, name, files);

function conf(name: string, localrc: string[], extra: string[] = []): string {
  const path = join(work.path, `${name}.conf`);
  writeFileSync(path, ["[[local|localrc]]", `DEST=${join(work.path, `dest-${name}`)}`, ...localrc, ...extra, ""].join("\n"));
  return path;
}

/** What stderr says when the "broken" plugin's install hook fails in the run of conf(name). */
const brokenAtInstall = (name: string) =>
  `plugin broken failed during stack install at ${join(work.path, `dest-${name}`, "broken", "devstack", "plugin.sh")}:3 (exit status 1)`;

/** The stack log of the run of conf(name). */
const stackLog = (name: string) => readFileSync(join(work.path, `dest-${name}`, "logs", "plugstack-stack.log"), "utf8");

const run = (args: string[]) => plugstack(args, { cwd: work.path, env: { PS_CALLS: join(work.path, "calls"), PLUGSTACK_CACHE: join(work.path, "cache") } });

beforeAll(() => {
  work = tempDir("plugstack-fail-");
  plugin("ok", { "plugin.sh": 'echo "ok $*" >> "$PS_CALLS"\n' });
  plugin("broken", { "plugin.sh": ['if [[ "$1" == stack && "$2" == install ]]; then', '    echo "about to fail"', "    false", "fi", ""].join("\n") });
  plugin("dies", { settings: ["MY=1", 'die $LINENO "settings cannot go on"', ""].join("\n") });
  plugin("exits", { settings: ["echo leaving", "exit 3", ""].join("\n") });
  plugin("libfail", {
    "lib/helpers": ["function helper_fails {", "    local x=1", "    ls /definitely/not/here", "}", ""].join("\n"),
    "plugin.sh": ["source $DEST/libfail/devstack/lib/helpers", 'if [[ "$1" == stack && "$2" == extra ]]; then helper_fails; fi', ""].join("\n"),
  });
  plugin("sloppy", { "plugin.sh": ['if [[ "$1" == unstack ]]; then', "    false", '    echo "sloppy went on" >> "$PS_CALLS"', "fi", ""].join("\n") });
  plugin("needy", { settings: "define_plugin needy\nplugin_requires needy ok\n" });
  plugin("fd3", {
    "plugin.sh": ['if [[ "$1" == stack && "$2" == pre-install ]]; then', '    echo "written to fd 3" >&3', "    exec 3>/dev/null", "fi", ""].join("\n"),
  });
  plugin("blink", {
    "plugin.sh": [
      'quiet_step() { echo_summary "with the event fd closed"; }',
      'if [[ "$1" == stack && "$2" == pre-install ]]; then quiet_step {PLUGSTACK_EVENT_FD}>&-; fi',
      "",
    ].join("\n"),
  });
  plugin("closer", {
    "plugin.sh": [
      'if [[ "$1" == stack && "$2" == install ]]; then',
      "    exec {PLUGSTACK_EVENT_FD}>&-",
      "    echo_summary first after the close",
      "    echo_summary second after the close",
      "fi",
      'if [[ "$1" == stack && "$2" == extra ]]; then echo_summary at extra; echo "closer extra" >> "$PS_CALLS"; fi',
      "",
    ].join("\n"),
  });
});
afterAll(() => work?.cleanup());

describe("a failing hook", () => {
  test("names plugin, phase, file:line, status, output and log; later hooks do not run", async () => {
    const path = conf("broken", ["enable_plugin broken plugins/broken", "enable_plugin ok plugins/ok"]);
    const r = await run(["stack", "-c", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(brokenAtInstall("broken"));
    expect(r.stderr).toContain("about to fail");
    expect(r.stderr).toMatch(/full log: .*plugstack-stack-.*\.log/);
    const calls = await readCalls(join(work.path, "calls"));
    expect(calls).toContain("ok stack pre-install");
    expect(calls).not.toContain("ok stack install");
  });

  test("die in settings: the file:line die was given and its message", async () => {
    const path = conf("dies", ["enable_plugin dies plugins/dies"]);
    const r = await run(["stack", "-c", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plugin dies failed during source at ${join(work.path, "dest-dies", "dies", "devstack", "settings")}:2`);
    expect(r.stderr).toContain("settings cannot go on");
  });

  test("exit in settings names the plugin and its settings file", async () => {
    const path = conf("exits", ["enable_plugin exits plugins/exits"]);
    const r = await run(["stack", "-c", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("plugin exits failed during source");
    expect(r.stderr).toContain("(exit status 3)");
  });

  test("a failure inside a plugin's own library function points into that file", async () => {
    const path = conf("libfail", ["enable_plugin libfail plugins/libfail"]);
    const r = await run(["stack", "-c", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plugin libfail failed during stack extra at ${join(work.path, "dest-libfail", "libfail", "devstack", "lib", "helpers")}:3`);
  });

  test("status shows the failed run", async () => {
    const r = await run(["status", "-c", join(work.path, "broken.conf")]);
    expect(r.stdout).toContain("last stack: failed");
    expect(r.stdout).toContain("broken in stack install");
    const state = JSON.parse(readFileSync(join(work.path, "dest-broken", ".plugstack", "state.json"), "utf8"));
    expect(state.runs.stack.status).toBe("failed");
    expect(state.runs.stack.stepsDone).toEqual(["override_defaults", "source", "packages", "stack pre-install"]);
    expect(state.runs.stack.failure).toMatchObject({ plugin: "broken", step: "stack install", line: 3 });
  });
});

test("unstack goes on past a failing command, as unstack.sh does, and warns where it was", async () => {
  const path = conf("sloppy", ["enable_plugin sloppy plugins/sloppy"]);
  expect((await run(["stack", "-c", path])).code).toBe(0);
  const r = await run(["unstack", "-c", path]);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`'false' failed with status 1 at ${join(work.path, "dest-sloppy", "sloppy", "devstack", "plugin.sh")}:2 (plugin sloppy)`);
  expect(await readCalls(join(work.path, "calls"))).toContain("sloppy went on");
});

test("a DEST that cannot be made is a clear error, not a crash", async () => {
  const path = join(work.path, "nodest.conf");
  writeFileSync(path, "[[local|localrc]]\nDEST=/proc/plugstack-cannot/stack\nenable_plugin ok plugins/ok\n");
  const r = await run(["stack", "-c", path]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("cannot use DEST /proc/plugstack-cannot/stack");
  expect(r.stderr).toContain("--dest");
  expect(r.stderr).not.toContain("internal error");
});

describe("bad config exits 2 with file:line", () => {
  const rows: [string, string[], RegExp][] = [
    ["a plugin enabled twice", ["enable_plugin ok plugins/ok", "enable_plugin ok plugins/ok"], /twice\.conf:4/],
    ["an invalid plugin name", ["enable_plugin ../up plugins/ok"], /name\.conf:3/],
    ["a URL starting with -", ["enable_plugin ok -oProxyCommand=x"], /dash\.conf:3/],
    ["a transport that is not allowed", ["enable_plugin ok ext::sh"], /transport\.conf:3/],
  ];
  for (const [title, lines, where] of rows) {
    test(title, async () => {
      const key = String(where).match(/\/(\w+)\\/)![1]!;
      const r = await run(["stack", "-c", conf(key, lines)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(where);
      expect(r.stderr).not.toContain("internal error");
    });
  }

  test("an unterminated header", async () => {
    const path = join(work.path, "header.conf");
    writeFileSync(path, "[[local|localrc]]\nDEST=/tmp/x\n[[post-config|$NOVA_CONF]\n[DEFAULT]\n");
    const r = await run(["plan", "-c", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:3`);
  });

  test("a required plugin that is not enabled shows the line to add", async () => {
    const r = await run(["stack", "-c", conf("needy", ["enable_plugin needy plugins/needy"])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ok");
    expect(r.stderr).toContain("enable_plugin ok");
  });
});

describe("run order", () => {
  test("a dependency enabled after its dependant warns; --order requires fixes it", async () => {
    const path = conf("order", ["enable_plugin needy plugins/needy", "enable_plugin ok plugins/ok"]);
    const declared = await run(["plan", "-c", path]);
    expect(declared.code).toBe(0);
    expect(declared.stdout).toContain("Fixed order: ok, needy");
    expect(declared.stdout.indexOf("needy")).toBeLessThan(declared.stdout.indexOf("  ok "));
    const fixed = await run(["plan", "-c", path, "--order", "requires", "--json"]);
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout).result.order).toEqual(["ok", "needy"]);
  });
});

describe("a hook that closes plugstack's event pipe", () => {
  test("the run goes on to the end, every hook runs, and bash says so once, not at every event", async () => {
    const path = conf("closer", ["enable_plugin closer plugins/closer", "enable_plugin ok plugins/ok"]);
    const r = await run(["stack", "-c", path]);
    expect(r.code).toBe(0);
    const calls = await readCalls(join(work.path, "calls"));
    expect(calls).toContain("closer extra");
    expect(calls).toContain("ok stack test-config");
    const log = stackLog("closer");
    expect(log).toContain("second after the close");
    expect(log).toContain("at extra");
    expect(log.match(/Bad file descriptor/g) ?? []).toHaveLength(1);
  });

  test("a command run with the event fd closed loses only its own events: a later failure is still named", async () => {
    const path = conf("blink", ["enable_plugin blink plugins/blink", "enable_plugin broken plugins/broken"]);
    const r = await run(["stack", "-c", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(brokenAtInstall("blink"));
    expect(stackLog("blink").match(/Bad file descriptor/g) ?? []).toHaveLength(1);
  });
});

describe("fd 3 in the stack shell", () => {
  test("is a copy of stdout, as in stack.sh; a hook that reuses it leaves the failure report alone", async () => {
    const path = conf("fd3", ["enable_plugin fd3 plugins/fd3", "enable_plugin broken plugins/broken"]);
    const r = await run(["stack", "-c", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(brokenAtInstall("fd3"));
    expect(stackLog("fd3")).toMatch(/^written to fd 3$/m);
  });
});

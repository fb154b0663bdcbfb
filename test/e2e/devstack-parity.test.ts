// Plugin-only stacks behave like stack.sh, unstack.sh and clean.sh: each
// case is a small fixture plugin of our own, written in the pattern of the
// public plugin that showed the difference.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/git.ts";
import { plugstack, readCalls } from "./harness.ts";

let work: ReturnType<typeof tempDir>;

function plugin(name: string, files: Record<string, string>): string {
  const dir = join(work.path, "plugins", name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, "devstack", path, ".."), { recursive: true });
    writeFileSync(join(dir, "devstack", path), text);
  }
  return dir;
}

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
      settings: ['GONE_VERSION=$(plugstack-test-no-such-tool --version)', "enable_service gone-tool", ""].join("\n"),
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
        'if [[ $1 == unstack ]]; then',
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
      "plugin.sh": ['if [[ $1 == stack && $2 == install ]]; then', '    echo "unsupported distro"', "    exit 4", "fi", ""].join("\n"),
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
      "plugin.sh": ['if [[ $1 == stack && $2 == install ]]; then', '    test "`uname -s`" = "`echo Plan9`"', "fi", ""].join("\n"),
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

// The base hooks (src/base/hooks.sh) wrapped around DevStack's own plugin
// dispatch: DevStack's real `functions` from the fixture, the driver's event
// helpers and the hooks sourced as DevStack's localrc is, then the phases
// stack.sh runs, with stack.sh's own kind of ERR and EXIT traps. This runs
// DevStack's functions, not stack.sh (which would change this machine); the
// whole stack.sh runs in the systemd root of test/base/stack.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import hooks from "../../src/base/hooks.sh" with { type: "text" };
import driver from "../../src/shell/driver.sh" with { type: "text" };
import { collectTimings, findFailure } from "../../src/stack/report.ts";
import { runShell } from "../../src/stack/shell.ts";
import { git, tempDir } from "../helpers/git.ts";
import { DEVSTACK_BUNDLE, devstackSkipReason } from "./fixture.ts";

const skip = devstackSkipReason();
if (skip) console.log(`skipping base hook tests: ${skip}`);

describe.skipIf(!!skip)("base hooks around DevStack's run_phase", () => {
  const tmp = tempDir("plugstack-base-hooks-");
  let top: string;
  afterAll(() => tmp.cleanup());
  beforeAll(() => {
    top = join(tmp.path, "devstack");
    git(tmp.path, "clone", "--quiet", "-b", "master", DEVSTACK_BUNDLE, top);
    writeFileSync(join(tmp.path, "driver.sh"), driver);
    writeFileSync(join(tmp.path, "hooks.sh"), hooks);
    for (const name of ["fx-a", "fx-b"]) {
      mkdirSync(join(tmp.path, name, "devstack"), { recursive: true });
      writeFileSync(join(tmp.path, name, "devstack", "settings"), `echo "settings ${name}" >> "$FX_TRACE"\n`);
      writeFileSync(
        join(tmp.path, name, "devstack", "plugin.sh"),
        `echo "$1 \${2:-} ${name}" >> "$FX_TRACE"\nif [[ \${FX_FAIL:-} == ${name}-$2 ]]; then\n    false\nfi\nif [[ \${FX_FAIL:-} == ${name}-gone-$2 ]]; then\n    source $TOP_DIR/lib/fx_gone\nfi\n`,
      );
    }
    writeFileSync(join(tmp.path, "fx-a", "devstack", "override-defaults"), `echo "override ${"fx-a"}" >> "$FX_TRACE"\n`);
  }, 120_000);

  /** A script shaped like stack.sh: functions, localrc (with the hooks), its traps, then the phases. */
  function stackLike(trace: string, fail = "", inTree = "echo in-tree install work"): string {
    return [
      // stack.sh traces itself: the driver's helpers must work with xtrace on and without plugstack's library
      "set -o errexit -o xtrace",
      `TOP_DIR=${top}`,
      "source $TOP_DIR/functions",
      `DEST=${tmp.path}`,
      `FX_TRACE=${trace}`,
      `FX_FAIL=${fail}`,
      `enable_plugin fx-a file://${tmp.path}/fx-a`,
      `enable_plugin fx-b file://${tmp.path}/fx-b`,
      `source ${tmp.path}/driver.sh`,
      `source ${tmp.path}/hooks.sh`,
      "trap 'echo devstack-exit-trap $?' EXIT",
      "err_trap() { echo devstack-err-trap; exit 7; }",
      "trap err_trap ERR",
      "run_phase override_defaults",
      "run_phase source",
      inTree,
      "run_phase stack install",
      "run_phase stack extra",
      "",
    ].join("\n");
  }

  async function run(name: string, fail = "", inTree?: string) {
    const script = join(tmp.path, `${name}.sh`);
    const trace = join(tmp.path, `${name}.trace`);
    writeFileSync(script, stackLike(trace, fail, inTree));
    const r = await runShell({ script, cwd: tmp.path, env: { PATH: process.env.PATH, HOME: tmp.path }, logFile: join(tmp.path, `${name}.log`), eventFd: 9 });
    return { ...r, trace: readFileSync(trace, "utf8"), log: readFileSync(join(tmp.path, `${name}.log`), "utf8") };
  }

  test("DevStack's order and messages stay; every phase, in-tree stretch and hook is reported", async () => {
    const r = await run("ok");
    expect(r.status).toBe(0);
    expect(r.trace).toBe(
      ["override fx-a", "settings fx-a", "settings fx-b", "stack install fx-a", "stack install fx-b", "stack extra fx-a", "stack extra fx-b", ""].join("\n"),
    );
    expect(r.log).toContain("Overriding Configuration Defaults");
    expect(r.log).toContain("Loading plugin settings");
    expect(r.log).toContain("devstack-exit-trap 0");
    const t = collectTimings(r.events);
    expect(t.steps.map((s) => s.name)).toEqual([
      "devstack setup",
      "override_defaults",
      "devstack after override_defaults",
      "source",
      "devstack after source",
      "stack install",
      "devstack after stack install",
      "stack extra",
      "devstack after stack extra",
    ]);
    expect(t.hooks.map((h) => `${h.step}: ${h.plugin} ${h.kind}`)).toEqual([
      "override_defaults: fx-a override-defaults",
      "source: fx-a settings",
      "source: fx-b settings",
      "stack install: fx-a plugin.sh",
      "stack install: fx-b plugin.sh",
      "stack extra: fx-a plugin.sh",
      "stack extra: fx-b plugin.sh",
    ]);
  });

  test("a failing plugin is reported with its file:line, and DevStack's own exit trap still runs", async () => {
    const r = await run("fail", "fx-b-install");
    expect(r.status).not.toBe(0);
    const f = findFailure(r.events, r.status);
    expect(f).toMatchObject({ plugin: "fx-b", step: "stack install", file: join(tmp.path, "fx-b", "devstack", "plugin.sh"), line: 3, command: "false" });
    expect(r.log).toContain("devstack-exit-trap");
    expect(r.trace).not.toContain("stack extra");
  });

  test("sourcing a file that does not exist (bash stops without an ERR trap) is reported at its line", async () => {
    const r = await run("gone", "fx-a-gone-extra");
    expect(r.status).not.toBe(0);
    const f = findFailure(r.events, r.status);
    expect(f).toMatchObject({
      plugin: "fx-a",
      step: "stack extra",
      file: join(tmp.path, "fx-a", "devstack", "plugin.sh"),
      line: 6,
      command: "source $TOP_DIR/lib/fx_gone",
    });
  });

  test("an in-tree failure between phases is reported there and goes through DevStack's own ERR trap", async () => {
    const r = await run("intree", "", "ls /nonexistent-plugstack-path");
    expect(r.status).toBe(7);
    expect(r.log).toContain("devstack-err-trap");
    expect(r.log).toContain("devstack-exit-trap 7");
    const f = findFailure(r.events, r.status);
    expect(f).toMatchObject({ step: "devstack after source", line: 16, command: "ls /nonexistent-plugstack-path" });
    expect(f.plugin).toBeUndefined();
  });
});

describe("hooks.sh", () => {
  const file = join(import.meta.dir, "../../src/base/hooks.sh");
  test("parses (bash -n)", () => {
    const r = Bun.spawnSync(["bash", "-n", file], { stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
  });
});

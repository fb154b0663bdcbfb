// A whole stack, unstack and clean with the compiled binary: real git repos
// (git daemon on 127.0.0.1 and file://), real bash running fixture plugins.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type GitServer, makeRepo, startGitDaemon, tempDir } from "../helpers/git.ts";
import { plugstack, readCalls } from "./harness.ts";

const rec = 'echo "$*" >> "$PS_CALLS"';

// alpha: served by git daemon. Records every hook, exports a variable and a
// function in its settings.
const alpha = {
  "devstack/override-defaults": `ALPHA_OVERRIDE=$(trueorfalse True ALPHA_OVERRIDE)\n${rec.replace("$*", "override alpha $ALPHA_OVERRIDE")}\n`,
  "devstack/settings": [
    "local here",
    "here=$(cd $(dirname ${BASH_SOURCE[0]}) && pwd)",
    rec.replace("$*", "settings alpha $here"),
    "enable_service alpha",
    "ALPHA_VAR=alpha-value",
    "function alpha_fn { echo alpha-fn-called; }",
    "",
  ].join("\n"),
  "devstack/plugin.sh": ['echo "alpha $*" >> "$PS_CALLS"', 'if [[ "$1" == "stack" && "$2" == "install" ]]; then ALPHA_INSTALLED=yes; fi', ""].join("\n"),
};

// beta: served over file://, on branch main. Sees alpha's variables and
// function, checks the merges happen at DevStack's points.
const beta = {
  "devstack/settings": [rec.replace("$*", "settings beta ALPHA_VAR=$ALPHA_VAR"), "BETA_CONF=$DEST/etc/beta/beta.conf", ""].join("\n"),
  "devstack/plugin.sh": [
    'case "$1" in',
    "  stack)",
    '    echo "beta stack $2" >> "$PS_CALLS"',
    '    case "$2" in',
    '      install) echo "beta sees $(alpha_fn) ALPHA_INSTALLED=$ALPHA_INSTALLED" >> "$PS_CALLS" ;;',
    '      post-config) mkdir -p "$(dirname $BETA_CONF)"; iniset $BETA_CONF DEFAULT x from-hook ;;',
    '      extra) echo "beta extra y=$(iniget $BETA_CONF DEFAULT y) z=$(iniget $BETA_CONF DEFAULT z)" >> "$PS_CALLS" ;;',
    '      test-config) echo "beta test-config x=$(iniget $BETA_CONF DEFAULT x) z=$(iniget $BETA_CONF DEFAULT z) m=$(iniget_multiline $BETA_CONF multi m)" >> "$PS_CALLS" ;;',
    "    esac ;;",
    '  unstack|clean) echo "beta $1" >> "$PS_CALLS" ;;',
    "esac",
    "",
  ].join("\n"),
};

let work: ReturnType<typeof tempDir>;
let daemon: GitServer;
let calls: string;
let dest: string;
let conf: string;
let env: Record<string, string>;

beforeAll(async () => {
  work = tempDir("plugstack-e2e-");
  const served = join(work.path, "served");
  makeRepo(join(served, "alpha"), { files: alpha, tags: { "1.0.0": 0 } });
  const betaRepo = makeRepo(join(work.path, "beta"), { branch: "main", files: beta });
  daemon = await startGitDaemon(served);
  const cfg = join(work.path, "cfg");
  mkdirSync(join(cfg, "extras.d"), { recursive: true });
  writeFileSync(join(cfg, "extras.d", "50-record.sh"), 'echo "extras $*" >> "$PS_CALLS"\n');
  writeFileSync(join(cfg, "local.sh"), '#!/bin/bash\necho "local.sh" >> "$PS_CALLS"\n');
  chmodSync(join(cfg, "local.sh"), 0o755);
  dest = join(work.path, "dest");
  calls = join(work.path, "calls");
  conf = join(cfg, "local.conf");
  writeFileSync(
    conf,
    [
      "[[local|localrc]]",
      `DEST=${dest}`,
      `enable_plugin alpha ${daemon.urlFor("alpha")}`,
      `BETA_URL=${betaRepo.url}`,
      "if [[ -n $BETA_URL ]]; then",
      "    enable_plugin beta $BETA_URL main",
      "fi",
      "[[post-config|$BETA_CONF]]",
      "[DEFAULT]",
      "x = from-post-config",
      "[multi]",
      "m = one",
      "m = two",
      "[[extra|$BETA_CONF]]",
      "[DEFAULT]",
      "y = from-extra",
      "[[post-extra|$BETA_CONF]]",
      "[DEFAULT]",
      "z = from-post-extra",
      "",
    ].join("\n"),
  );
  env = { PS_CALLS: calls, PLUGSTACK_CACHE: join(work.path, "cache") };
});

afterAll(async () => {
  await daemon?.stop();
  work?.cleanup();
});

describe("plan, before anything is checked out", () => {
  test("reads hooks from the mirrors at the resolved commits and changes nothing under DEST", async () => {
    const r = await plugstack(["plan", "-c", conf, "--json"], { cwd: work.path, env });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout).result;
    expect(plan.order).toEqual(["alpha", "beta"]);
    const alphaPlan = plan.plugins.find((p: { name: string }) => p.name === "alpha");
    expect(alphaPlan.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(alphaPlan.hooks).toEqual({ overrideDefaults: true, settings: true, pluginSh: true });
    expect(plan.calls.filter((c: { step: string }) => c.step === "override_defaults").map((c: { plugin: string }) => c.plugin)).toEqual(["alpha"]);
    expect(existsSync(join(dest, "alpha"))).toBe(false);
  });
});

describe("stack", () => {
  test("runs every hook in DevStack's order, in one shell", async () => {
    const r = await plugstack(["stack", "-c", conf], { cwd: work.path, env });
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(0);
    const seen = await readCalls(calls);
    const phases = ["pre-install", "install", "post-config", "extra", "test-config"];
    const expected = [
      "extras override_defaults",
      "override alpha True",
      "extras source",
      `settings alpha ${join(dest, "alpha", "devstack")}`,
      "settings beta ALPHA_VAR=alpha-value",
    ];
    for (const p of phases) {
      expected.push(`extras stack ${p}`, `alpha stack ${p}`, `beta stack ${p}`);
      if (p === "install") expected.push("beta sees alpha-fn-called ALPHA_INSTALLED=yes");
      if (p === "extra") expected.push("beta extra y=from-extra z=");
      if (p === "test-config") expected.push("beta test-config x=from-post-config z=from-post-extra m=one two");
    }
    expected.push("local.sh");
    expect(seen).toEqual(expected);
  });

  test("pins both plugins in local.conf.lock and records state", async () => {
    const lock = readFileSync(`${conf}.lock`, "utf8");
    expect(lock).toContain('name = "alpha"');
    expect(lock).toContain('name = "beta"');
    expect(lock).toMatch(/commit = "[0-9a-f]{40}"/);
    const state = JSON.parse(readFileSync(join(dest, ".plugstack", "state.json"), "utf8"));
    expect(state.runs.stack.status).toBe("ok");
    expect(state.plugins.map((p: { name: string }) => p.name)).toEqual(["alpha", "beta"]);
  });

  test("the log traces each hook's source line and what it runs, and one line of plugstack's own after it; each hook is timed", () => {
    const logDir = join(dest, "logs");
    const name = readdirSync(logDir)
      .filter((f) => f.startsWith("plugstack-stack-"))
      .sort()
      .at(-1);
    const lines = readFileSync(join(logDir, name!), "utf8").split("\n");
    const at = (plugin: string) => lines.findIndex((l) => l.endsWith(`source ${join(dest, plugin, "devstack", "plugin.sh")} stack install`));
    const between = lines.slice(at("alpha") + 1, at("beta"));
    // alpha's plugin.sh: its echo, the two tests of its if and its assignment
    expect(between.slice(0, -1)).toEqual([
      "++ plugin.sh:1:source: echo 'alpha stack install'",
      "++ plugin.sh:2:source: [[ stack == \\s\\t\\a\\c\\k ]]",
      "++ plugin.sh:2:source: [[ install == \\i\\n\\s\\t\\a\\l\\l ]]",
      "++ plugin.sh:2:source: ALPHA_INSTALLED=yes",
    ]);
    expect(between.at(-1)).toMatch(/^\+ driver\.sh:\d+:_ps_each_plugin: set \+o xtrace -- \w+$/);
    const state = JSON.parse(readFileSync(join(dest, ".plugstack", "state.json"), "utf8"));
    const hooks = state.runs.stack.timings.hooks.map((h: { step: string; plugin: string; kind: string }) => `${h.step}: ${h.plugin} ${h.kind}`);
    const phases = ["pre-install", "install", "post-config", "extra", "test-config"];
    expect(hooks).toEqual([
      "override_defaults: extras.d/50-record.sh extras.d",
      "override_defaults: alpha override-defaults",
      "source: extras.d/50-record.sh extras.d",
      "source: alpha settings",
      "source: beta settings",
      ...phases.flatMap((p) => [`stack ${p}: extras.d/50-record.sh extras.d`, `stack ${p}: alpha plugin.sh`, `stack ${p}: beta plugin.sh`]),
      "local.sh: local.sh local.sh",
    ]);
  });

  test("checkouts keep full history and tags", async () => {
    const p = Bun.spawnSync(["git", "describe", "--tags"], { cwd: join(dest, "alpha") });
    expect(p.stdout.toString().trim()).toBe("1.0.0");
  });

  test("status reports no drift", async () => {
    const r = await plugstack(["status", "-c", conf], { cwd: work.path, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("alpha");
  });
});

describe("unstack and clean", () => {
  test("unstack runs override_defaults, source, then unstack hooks", async () => {
    writeFileSync(calls, "");
    const r = await plugstack(["unstack", "-c", conf], { cwd: work.path, env });
    expect(r.code).toBe(0);
    expect(await readCalls(calls)).toEqual([
      "extras override_defaults",
      "override alpha True",
      "extras source",
      `settings alpha ${join(dest, "alpha", "devstack")}`,
      "settings beta ALPHA_VAR=alpha-value",
      "extras unstack",
      "alpha unstack",
      "beta unstack",
    ]);
  });

  test("clean = an unstack shell, then a clean shell, then removal", async () => {
    writeFileSync(calls, "");
    const r = await plugstack(["clean", "-c", conf], { cwd: work.path, env });
    expect(r.code).toBe(0);
    const seen = await readCalls(calls);
    expect(seen.filter((l) => !l.startsWith("settings") && !l.startsWith("override") && !l.startsWith("extras"))).toEqual([
      "alpha unstack",
      "beta unstack",
      "alpha clean",
      "beta clean",
    ]);
    expect(existsSync(join(dest, "alpha"))).toBe(false);
    expect(existsSync(join(dest, ".plugstack", "state.json"))).toBe(false);
  });
});

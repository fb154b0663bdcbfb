// meta-config.sh: how merge_config_group treats the directory of a target
// file, and the line format the local.conf editors write. Rows come from
// behaviours DevStack's own test scripts check (a missing directory is
// created; a new INI option reads "opt = value"; a localrc line stays a
// bash assignment).
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, q, runLib } from "./helpers.ts";

const sb = makeSandbox("plugstack-meta-");
afterAll(() => sb.cleanup());
const work = join(sb.root, "work");
const isRoot = process.getuid?.() === 0;

beforeEach(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
});

describe("merge_config_group and the target's directory", () => {
  // target spec, what exists beforehand, exit code, file written afterwards
  const rows: [target: string, setup: "nothing" | "file-in-the-way", code: number, written: boolean][] = [
    ["fresh/app.conf", "nothing", 0, true],
    ["deep/er/nested/app.conf", "nothing", 0, true],
    ["$CONF_HOME/app.conf", "nothing", 0, true],
    ["blocker/app.conf", "file-in-the-way", 1, false],
  ];
  test.each(rows)("[[post-config|%s]] with %s -> exit %d", (target, setup, code, written) => {
    const localConf = join(work, "local.conf");
    writeFileSync(localConf, `[[post-config|${target}]]\n[DEFAULT]\nmarker = here\n`);
    if (setup === "file-in-the-way") writeFileSync(join(work, "blocker"), "not a directory\n");
    const r = runLib(sb, `CONF_HOME=${q(join(work, "home"))}\nmerge_config_group ${q(localConf)} post-config`, { cwd: work });
    expect(r.code).toBe(code);
    const real = join(work, target.replace("$CONF_HOME", "home"));
    expect(existsSync(real)).toBe(written);
    if (written) expect(readFileSync(real, "utf8")).toBe("\n[DEFAULT]\nmarker = here\n");
    else expect(r.stderr).toContain("blocker is not a directory");
  });

  test.skipIf(!isRoot)("a directory it creates belongs to STACK_USER", () => {
    const localConf = join(work, "local.conf");
    writeFileSync(localConf, "[[post-config|owned/app.conf]]\n[DEFAULT]\nk = v\n");
    const r = runLib(sb, `STACK_USER=nobody\nmerge_config_group ${q(localConf)} post-config`, { cwd: work });
    expect(r.code).toBe(0);
    const nobody = runLib(sb, "id -u nobody").stdout.trim();
    expect(String(statSync(join(work, "owned")).uid)).toBe(nobody);
  });
});

describe("local.conf editors: the line they add", () => {
  const START = `[[local|localrc]]
OLD=1

[[post-config|/etc/app.conf]]
[main]
kept=1
`;
  // the call (FILE is the local.conf), then the text expected in the file
  const rows: [call: string, want: string][] = [
    ["localconf_add_option '' FILE post-config /etc/app.conf main added v", "[main]\nadded = v\nkept=1\n"],
    ["localconf_add_option '' FILE local localrc '' NEWVAR v", "[[local|localrc]]\nNEWVAR=v\nOLD=1\n"],
    ["localconf_add_section_and_option '' FILE post-config /etc/app.conf extra opt v", "[[post-config|/etc/app.conf]]\n[extra]\nopt = v\n[main]\n"],
    ["localconf_set FILE post-config /etc/app.conf main added v", "[main]\nadded = v\nkept=1\n"],
    ["localconf_set FILE post-config /etc/app.conf other opt v", "[[post-config|/etc/app.conf]]\n[other]\nopt = v\n[main]\n"],
    ["localconf_set FILE post-config /etc/new.conf sec opt v", "\n[[post-config|/etc/new.conf]]\n[sec]\nopt = v\n"],
    ["localconf_set FILE post-config /etc/app.conf main kept 2", "[main]\nkept=2\n"],
    ["localrc_set FILE NEWVAR v", "[[local|localrc]]\nNEWVAR=v\nOLD=1\n"],
    ["localrc_set FILE OLD 2", "[[local|localrc]]\nOLD=2\n"],
  ];
  test.each(rows)("%s", (call, want) => {
    const lc = join(work, "local.conf");
    writeFileSync(lc, START);
    const r = runLib(sb, call.replace("FILE", q(lc)), { cwd: work });
    expect(r.code).toBe(0);
    expect(readFileSync(lc, "utf8")).toContain(want);
  });
});

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
if (!isRoot) console.log("[skip] merge_config_group ownership: not root (chown to STACK_USER needs root)");

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

  test("several files in one group: a value to expand in the middle one, a file named in two blocks, a repeated option", () => {
    const localConf = join(work, "local.conf");
    writeFileSync(
      localConf,
      [
        "[[post-config|$W/a.conf]]",
        "[DEFAULT]",
        "x = 1",
        "y = 2",
        "[[post-config|$W/b.conf]]",
        "[DEFAULT]",
        "ip = $HOST_IP",
        "[[post-config|$W/c.conf]]",
        "[s]",
        "k = v",
        "k = w",
        "[[post-config|$W/a.conf]]",
        "z = 3",
        "",
      ].join("\n"),
    );
    writeFileSync(join(work, "c.conf"), "# kept\n[s]\nk = old");
    const r = runLib(sb, `W=${q(work)} HOST_IP=192.0.2.7\nmerge_config_group ${q(localConf)} post-config`, { cwd: work });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // the second block of a.conf goes on in the section the first ended in
    expect(readFileSync(join(work, "a.conf"), "utf8")).toBe("\n[DEFAULT]\nx = 1\ny = 2\nz = 3\n");
    expect(readFileSync(join(work, "b.conf"), "utf8")).toBe("\n[DEFAULT]\nip = 192.0.2.7\n");
    expect(readFileSync(join(work, "c.conf"), "utf8")).toBe("# kept\n[s]\nk = v\nk = w\n");
  });

  test("existing files: sections listed twice, options changed in place, repeated options replaced, a last line without newline", () => {
    const localConf = join(work, "local.conf");
    writeFileSync(
      localConf,
      [
        "[[post-config|$W/a.conf]]",
        "[DEFAULT]",
        "x = 1",
        "y = 2",
        "x = 3",
        "[s2]",
        "k=v",
        "[[post-config|$W/c.conf]]",
        "[s]",
        "k = v",
        "k = w",
        "  indented = no",
        "# c = d",
        "[[post-config|$W/d.conf]]",
        "[x]",
        "a = 1",
        "",
      ].join("\n"),
    );
    writeFileSync(join(work, "a.conf"), "[DEFAULT]\nx = 0\n[s2]\nk = old\n[DEFAULT]\nx=5\ny =  7   \n");
    writeFileSync(join(work, "c.conf"), "# kept\n[s]\nk = old\n[t]\nq = 0\n[s]\nk = older\nk=x");
    writeFileSync(join(work, "d.conf"), "no newline");
    const r = runLib(sb, `W=${q(work)}\nmerge_config_group ${q(localConf)} post-config`, { cwd: work });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // as DevStack's one iniset/inidelete/iniadd_literal per option leaves them
    expect(readFileSync(join(work, "a.conf"), "utf8")).toBe("[DEFAULT]\nx = 1\nx = 3\n[s2]\nk = v\n[DEFAULT]\ny =  2\n");
    expect(readFileSync(join(work, "c.conf"), "utf8")).toBe("# kept\n[s]\nk = v\nk = w\n[t]\nq = 0\n[s]\n");
    expect(readFileSync(join(work, "d.conf"), "utf8")).toBe("no newline\n[x]\na = 1\n");
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

describe("merged values expand like a double-quoted string, and never run", () => {
  // the option line in local.conf, then the line merged into the target
  // (MARK is a file a command in the value would create, HOST_IP 192.0.2.7)
  const rows: [line: string, want: string][] = [
    ['foo = "foo bar" "baz"', 'foo = "foo bar" "baz"'],
    ['opt = "a" touch $MARK', 'opt = "a" touch MARK'],
    ['opt = a"; touch $MARK; echo "b', 'opt = a"; touch MARK; echo "b'],
    ['opt = a\\"; touch $MARK; echo \\"', 'opt = a"; touch MARK; echo "'],
    ['opt = \\\\"; touch $MARK; #', 'opt = \\"; touch MARK; #'],
    ["my_ip = $HOST_IP", "my_ip = 192.0.2.7"],
    ["url = http://${HOST_IP}:${NO_SUCH_PORT:-8774}/v2", "url = http://192.0.2.7:8774/v2"],
    ["escaped = \\$HOST_IP", "escaped = $HOST_IP"],
    ["path = C:\\temp\\new\\", "path = C:\\temp\\new\\"],
    ["word = it's", "word = it's"],
  ];
  const mark = () => join(work, "MARK");
  const expected = (want: string) => want.replace("MARK", mark());

  test.each(rows)("merge_config_file: %s", (line, want) => {
    const lc = join(work, "local.conf");
    writeFileSync(lc, `[[post-config|$TARGET]]\n[DEFAULT]\n${line}\n`);
    const target = join(work, "app.conf");
    const r = runLib(sb, `HOST_IP=192.0.2.7 MARK=${q(mark())} TARGET=${q(target)}\nmerge_config_file ${q(lc)} post-config '$TARGET'`, { cwd: work });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(existsSync(mark())).toBe(false);
    expect(readFileSync(target, "utf8")).toBe(`\n[DEFAULT]\n${expected(want)}\n`);
  });

  // the stack driver merges local.conf blocks with the same helper
  const driver = join(import.meta.dir, "../../src/shell/driver.sh");
  test.each(rows)("stack driver _ps_merge_set: %s", (line, want) => {
    const target = join(work, "app.conf");
    const eq = line.indexOf(" = ");
    const key = line.slice(0, eq);
    const raw = line.slice(eq + 3);
    const r = runLib(
      sb,
      `source ${q(driver)}\nHOST_IP=192.0.2.7 MARK=${q(mark())}\n_ps_merge_target post-config ${q(target)} local.conf:1\n_ps_merge_set DEFAULT ${q(key)} ${q(raw)}`,
      { cwd: work },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(existsSync(mark())).toBe(false);
    expect(readFileSync(target, "utf8")).toBe(`\n[DEFAULT]\n${expected(want)}\n`);
  });

  test("a file name that is not a valid double-quoted string is reported, not run", () => {
    const lc = join(work, "local.conf");
    writeFileSync(lc, `[[post-config|\${BROKEN]]\n[DEFAULT]\nk = v\n`);
    const r = runLib(sb, `merge_config_file ${q(lc)} post-config '\${BROKEN'`, { cwd: work });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("could not expand the config file name ${BROKEN");
  });
});

// ini-config.sh and meta-config.sh: iniset/iniget edge cases, multi-line
// options, comments, deletes, local.conf merging and editing.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, q, runLib } from "./helpers.ts";

const sb = makeSandbox();
afterAll(() => sb.cleanup());
const work = join(sb.root, "work");
const ini = join(work, "test.ini");

const SAMPLE = `[default]
# a comment
#log_file=./log.conf
log_file=/etc/log.conf
handlers=do not disturb

[aaa]
#handlers=cc,dd
handlers = aa, bb

[bbb]
handlers=ee,ff

[ ccc ]
spaces  =  yes

[ddd]
empty =

[eee]
multi = foo1
multi = foo2

[key_with_spaces]
rgw special key = something

[del_same_option]
a=b
a=c
`;

beforeEach(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(ini, SAMPLE);
});

function sh(body: string): string {
  const r = runLib(sb, body, { cwd: work });
  if (r.code !== 0) throw new Error(`bash failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
const file = () => readFileSync(ini, "utf8");

describe("iniget", () => {
  const rows: [section: string, option: string, want: string][] = [
    ["aaa", "handlers", "aa, bb"],
    ["bbb", "handlers", "ee,ff"],
    [" ccc ", "spaces", "yes"],
    ["ddd", "empty", ""],
    ["default", "handlers", "do not disturb"],
    ["default", "log_file", "/etc/log.conf"],
    ["eee", "multi", "foo2"],
    ["key_with_spaces", "rgw special key", "something"],
    ["zzz", "handlers", ""],
    ["aaa", "debug", ""],
  ];
  test.each(rows)("[%s] %s -> %p", (section, option, want) => {
    expect(sh(`iniget ${q(ini)} ${q(section)} ${q(option)}`)).toBe(`${want}\n`);
  });

  test("a missing file reads as empty", () => {
    expect(sh(`iniget ${q(join(work, "none.ini"))} a b; echo "rc=$?"`)).toBe("\nrc=0\n");
  });
});

describe("iniset", () => {
  const values = ["11, 22", "a|b", "x=y=z", "host:80/path", "a & b \\1 \\n $HOME", "  padded  ", ""];
  test.each(values.map((v) => [v]))("value %p is written literally", (value) => {
    expect(sh(`iniset ${q(ini)} aaa handlers ${q(value)}\niniget ${q(ini)} aaa handlers`)).toBe(`${value.trim()}\n`);
    expect(file()).toContain("#handlers=cc,dd\n");
  });

  test("changing a value keeps the option's spacing; a new option goes right after the header", () => {
    sh(`iniset ${q(ini)} bbb handlers 33,44\niniset ${q(ini)} ddd empty 42\niniset ${q(ini)} bbb new value`);
    expect(file()).toContain("[bbb]\nnew = value\nhandlers=33,44\n");
    expect(file()).toContain("[ddd]\nempty =42\n");
  });

  test("section names with spaces, new sections appended after a blank line", () => {
    sh(`iniset ${q(ini)} ' ccc ' spaces no\niniset ${q(ini)} 'b b' opt_ion 42`);
    expect(sh(`iniget ${q(ini)} ' ccc ' spaces; iniget ${q(ini)} 'b b' opt_ion`)).toBe("no\n42\n");
    expect(file()).toEndWith("a=c\n\n[b b]\nopt_ion = 42\n");
  });

  test("option names with spaces", () => {
    sh(`iniset ${q(ini)} key_with_spaces 'rgw another key' else\niniset ${q(ini)} key_with_spaces 'rgw special key' newvalue`);
    expect(sh(`iniget ${q(ini)} key_with_spaces 'rgw another key'; iniget ${q(ini)} key_with_spaces 'rgw special key'`)).toBe("else\nnewvalue\n");
  });

  test("names are literal, not patterns", () => {
    writeFileSync(ini, "[a.b]\nx.y = 1\nxzy = 2\n[axb]\nx.y = 3\n");
    sh(`iniset ${q(ini)} a.b x.y 9`);
    expect(file()).toBe("[a.b]\nx.y = 9\nxzy = 2\n[axb]\nx.y = 3\n");
  });

  test("a missing file is created", () => {
    const fresh = join(work, "new.ini");
    sh(`iniset ${q(fresh)} test foo bar`);
    expect(readFileSync(fresh, "utf8")).toBe("\n[test]\nfoo = bar\n");
  });

  test("missing section or option arguments change nothing", () => {
    sh(`iniset ${q(ini)} aaa\niniset ${q(ini)}\niniset ${q(ini)} '' opt val`);
    expect(file()).toBe(SAMPLE);
  });

  test("-sudo as first argument (as root: written directly)", () => {
    sh(`iniset -sudo ${q(ini)} aaa handlers viasudo\niniset_multiline -sudo ${q(ini)} eee multi s1 s2\ninidelete -sudo ${q(ini)} bbb handlers`);
    expect(sh(`iniget ${q(ini)} aaa handlers; iniget_multiline ${q(ini)} eee multi; iniget ${q(ini)} bbb handlers`)).toBe("viasudo\ns1 s2\n\n");
  });

  test("the file keeps its inode and mode", () => {
    const r = sh(
      `chmod 640 ${q(ini)}; before=$(stat -c %i ${q(ini)}); iniset ${q(ini)} aaa handlers z; [[ $(stat -c %i ${q(ini)}) == "$before" ]] && stat -c %a ${q(ini)}`,
    );
    expect(r).toBe("640\n");
  });

  test("keeps xtrace on and quiet", () => {
    const r = runLib(sb, `set -x\niniset ${q(ini)} aaa handlers t\ncase $- in *x*) echo traced;; esac`, { cwd: work });
    expect(r.stdout).toBe("traced\n");
    expect(r.stderr).not.toContain("awk");
  });
});

describe("ini_has_option, inicomment, iniuncomment, inidelete", () => {
  test("ini_has_option sees empty values and misses absent ones", () => {
    expect(sh(`for o in 'ddd empty' 'bbb handlers' 'aaa debug' 'zzz x'; do ini_has_option ${q(ini)} $o && echo yes || echo no; done`)).toBe(
      "yes\nyes\nno\nno\n",
    );
  });

  // DevStack's ini_has_option takes -sudo like the writers do; it used to be
  // read as the file name, so every answer was "no".
  const sudoRows: [args: string, want: string][] = [
    ["-sudo INI ddd empty", "yes"],
    ["-sudo INI bbb handlers", "yes"],
    ["-sudo INI aaa debug", "no"],
    ["-sudo MISSING aaa handlers", "no"],
  ];
  test.each(sudoRows)("ini_has_option %s -> %s", (args, want) => {
    const line = args.replace("INI", q(ini)).replace("MISSING", q(join(work, "none.ini")));
    expect(sh(`ini_has_option ${line} && echo yes || echo no`)).toBe(`${want}\n`);
  });

  test("inicomment, then iniuncomment", () => {
    sh(`inicomment ${q(ini)} aaa handlers`);
    expect(sh(`iniget ${q(ini)} aaa handlers`)).toBe("\n");
    expect(file()).toContain("[aaa]\n#handlers=cc,dd\n#handlers = aa, bb\n");
    sh(`iniuncomment ${q(ini)} aaa handlers`);
    expect(sh(`iniget ${q(ini)} aaa handlers`)).toBe("aa, bb\n");
  });

  test("inidelete removes every line of the option, only in its section", () => {
    writeFileSync(ini, "[x]\na=b\nb=c\na=c\n[y]\na=keep\n");
    sh(`inidelete ${q(ini)} x a\ninidelete ${q(ini)} nosection a\ninidelete ${q(ini)} y missing`);
    expect(file()).toBe("[x]\nb=c\n[y]\na=keep\n");
  });

  test("iniget_sections lists the sections", () => {
    expect(sh(`iniget_sections ${q(ini)}`)).toBe("default aaa bbb ccc ddd eee key_with_spaces del_same_option\n");
  });
});

describe("multi-line options", () => {
  test("iniset_multiline replaces all values, in order", () => {
    sh(`iniset_multiline ${q(ini)} eee multi bar1 bar2 'bar 3'`);
    expect(sh(`iniget_multiline ${q(ini)} eee multi`)).toBe("bar1 bar2 bar 3\n");
    expect(file()).toContain("[eee]\nmulti = bar1\nmulti = bar2\nmulti = bar 3\n");
  });

  test("iniset_multiline into a new section", () => {
    sh(`iniset_multiline ${q(ini)} fresh opt v1 v2`);
    expect(file()).toEndWith("\n[fresh]\nopt = v1\nopt = v2\n");
  });

  test("iniadd keeps existing values and adds new ones; creates missing options", () => {
    sh(`iniadd ${q(ini)} eee multi bar3\niniadd ${q(ini)} eee non-multi foobar1 foobar2`);
    expect(sh(`iniget_multiline ${q(ini)} eee multi; iniget_multiline ${q(ini)} eee non-multi`)).toBe("foo1 foo2 bar3\nfoobar1 foobar2\n");
  });

  test("iniadd_literal adds one more line after the header", () => {
    sh(`iniadd_literal ${q(ini)} eee multi 'foo 0'`);
    expect(file()).toContain("[eee]\nmulti = foo 0\nmulti = foo1\nmulti = foo2\n");
  });
});

describe("meta-config", () => {
  const conf = () => join(work, "local.conf");
  const LOCAL = `[[local|localrc]]
DEST=/x

[[post-config|$TARGET_FILE]]
[DEFAULT]
# comment
debug = True
servers=10.0.0.1:80
drivers = a=b.C
strip = trailing   
multi = one
multi = \${EXPANDED}

[other]
x = 1

[[post-config|second.conf]]
[s]
k=v

[[post-config|$TARGET_FILE]]
[later]
y = 2
`;

  beforeEach(() => writeFileSync(conf(), LOCAL));

  test("get_meta_section_files and get_meta_section", () => {
    expect(sh(`get_meta_section_files ${q(conf())} post-config`)).toBe("$TARGET_FILE\nsecond.conf\n$TARGET_FILE\n");
    expect(sh(`get_meta_section ${q(conf())} post-config second.conf`)).toBe("[s]\nk=v\n\n");
    expect(sh(`get_meta_section ${q(conf())} local localrc`)).toBe("DEST=/x\n\n");
    expect(sh(`get_meta_section ${q(conf())} nope x; get_meta_section /no/file local localrc; echo end`)).toBe("end\n");
  });

  test("merge_config_group merges every block into its (expanded) file", () => {
    writeFileSync(join(work, "target.conf"), "[DEFAULT]\n# original\ndebug=False\n");
    sh(`TARGET_FILE=${q(join(work, "target.conf"))} EXPANDED='expanded value' merge_config_group ${q(conf())} post-config`);
    expect(readFileSync(join(work, "target.conf"), "utf8")).toBe(
      "[DEFAULT]\nservers = 10.0.0.1:80\ndrivers = a=b.C\nstrip = trailing\nmulti = one\nmulti = expanded value\n# original\ndebug=True\n\n[other]\nx = 1\n\n[later]\ny = 2\n",
    );
    expect(readFileSync(join(work, "second.conf"), "utf8")).toBe("\n[s]\nk = v\n");
  });

  test("merge_config_group: an undefined file warns and goes on; a file in the directory's place dies", () => {
    writeFileSync(conf(), "[[a|$UNDEFINED_VAR]]\n[s]\nk=v\n[[b|nodir/x.conf]]\n[s]\nk=v\n");
    const r1 = runLib(sb, `merge_config_group ${q(conf())} a; echo "rc=$?"`, { cwd: work });
    expect(r1.stdout).toContain("bogus config file specification: $UNDEFINED_VAR is undefined");
    expect(r1.stdout).toContain("rc=0");
    writeFileSync(join(work, "nodir"), "a file\n");
    const r2 = runLib(sb, `merge_config_group ${q(conf())} b`, { cwd: work });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain("nodir is not a directory");
  });

  test("extract_localrc_section writes the localrc block unless a localrc file exists", () => {
    sh(`extract_localrc_section ${q(conf())} ${q(join(work, "localrc"))} ${q(join(work, ".localrc.auto"))}`);
    expect(readFileSync(join(work, ".localrc.auto"), "utf8")).toBe("# Generated file, do not edit\nDEST=/x\n\n");
  });
});

describe("local.conf editing", () => {
  const lc = () => join(work, "local.conf");
  const C1 = "/etc/one.conf";
  const START = `[[local|localrc]]
VAR1=val1
VAR2 = val2

[[post-config|${C1}]]
[t1]
t1_opt1=t1_val1
[t2]
t2_opt1=t2_val1

[[post-extra|/etc/two.conf]]
[u1]
u1_opt1=u1_val1
`;
  beforeEach(() => writeFileSync(lc(), START));

  test("localconf_has_section / localconf_has_option", () => {
    const checks = [
      `localconf_has_section ${q(lc())} post-config ${C1} t1`,
      `localconf_has_section ${q(lc())} post-config ${C1} t9`,
      `localconf_has_section ${q(lc())} post-install ${C1} t1`,
      `localconf_has_section ${q(lc())} local localrc t2`,
      `localconf_has_option ${q(lc())} local localrc '' VAR2`,
      `localconf_has_option ${q(lc())} post-config ${C1} t2 t2_opt1`,
      `localconf_has_option ${q(lc())} post-config ${C1} t1 t2_opt1`,
      `localconf_has_option ${q(lc())} local localrc t2 t2_opt1`,
    ];
    expect(sh(checks.map((c) => `${c} && echo 0 || echo 1`).join("\n"))).toBe("0\n1\n1\n1\n0\n0\n1\n1\n");
  });

  test("localconf_set updates, adds options, sections and blocks", () => {
    sh(
      [
        `localconf_set ${q(lc())} post-install /etc/ml2.ini ml2 ml2_opt1 ml2_val1`,
        `localconf_set ${q(lc())} local localrc '' VAR2 val2_update`,
        `localrc_set ${q(lc())} VAR3 val3`,
        `localconf_set ${q(lc())} post-config ${C1} t4 t4_opt1 t4_val1`,
        `localconf_set ${q(lc())} post-config ${C1} t2 t2_opt1 t2_new`,
        `localconf_set ${q(lc())} post-extra /etc/two.conf u1 u1_opt4 u1_val4`,
        `localconf_set ${q(lc())} post-extra /etc/two.conf u1 '' ignored`,
      ].join("\n"),
    );
    expect(readFileSync(lc(), "utf8")).toBe(`[[local|localrc]]
VAR3=val3
VAR1=val1
VAR2 = val2_update

[[post-config|${C1}]]
[t4]
t4_opt1 = t4_val1
[t1]
t1_opt1=t1_val1
[t2]
t2_opt1=t2_new

[[post-extra|/etc/two.conf]]
[u1]
u1_opt4 = u1_val4
u1_opt1=u1_val1

[[post-install|/etc/ml2.ini]]
[ml2]
ml2_opt1 = ml2_val1
`);
  });
});

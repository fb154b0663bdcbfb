// control.sh: trueorfalse, die/err/warn (with and without a line number),
// die_if_not_set, is_set/isset, function_exists, echo_summary, backtrace.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { makeSandbox, runLib } from "./helpers.ts";

const sb = makeSandbox();
afterAll(() => sb.cleanup());

describe("trueorfalse", () => {
  const truthy = ["1", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"];
  const falsy = ["0", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"];
  const rows: [string, string, string][] = [];
  for (const v of truthy) for (const d of ["True", "False"]) rows.push([v, d, "True"]);
  for (const v of falsy) for (const d of ["True", "False"]) rows.push([v, d, "False"]);
  for (const v of ["", "maybe", "y", "2"]) for (const d of ["True", "False"]) rows.push([v, d, d]);

  test("every spelling, with both defaults", () => {
    const script = rows.map(([v, d]) => `V='${v}'; echo "$(trueorfalse ${d} V)"`).join("\n");
    const r = runLib(sb, script);
    expect(r.stderr).toBe("");
    const got = r.stdout.trimEnd().split("\n");
    expect(rows.map(([v, d], i) => `${v}/${d} -> ${got[i]}`)).toEqual(rows.map(([v, d, want]) => `${v}/${d} -> ${want}`));
  });

  test("an unset variable gives the default", () => {
    const r = runLib(sb, "unset NOPE\nset -u\necho $(trueorfalse True NOPE) $(trueorfalse False NOPE)");
    expect(r.stdout).toBe("True False\n");
  });

  test("a missing variable name (the $FOO mistake) dies, naming the caller's line", () => {
    const r = runLib(sb, "FOO=\nVAR=$(trueorfalse False $FOO)", { name: "mistake.sh" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`[ERROR] ${join(sb.root, "mistake.sh")}:3 variable to normalize required`);
  });

  test("keeps xtrace on and does not trace its own body", () => {
    const r = runLib(sb, "V=yes\nset -x\nX=$(trueorfalse False V)\ncase $- in *x*) echo traced;; esac");
    expect(r.stdout).toBe("traced\n");
    expect(r.stderr).toContain("trueorfalse False V");
    expect(r.stderr).not.toContain("echo True");
    expect(r.stderr).not.toContain("value=");
  });

  test("leaves xtrace off when it was off", () => {
    const r = runLib(sb, "V=yes\nX=$(trueorfalse False V)\ncase $- in *x*) echo traced;; *) echo quiet;; esac");
    expect(r.stdout).toBe("quiet\n");
  });
});

describe("die, err, warn", () => {
  const plugin = () => join(sb.root, "plugin.sh");

  test("die LINENO msg: backtrace on stdout, error line on stderr, exit 1", () => {
    const r = runLib(sb, 'echo before\ndie $LINENO "it broke"\necho after', { name: "plugin.sh" });
    expect(r.code).toBe(1);
    expect(r.stdout).toStartWith("before\n[Call Trace]\n");
    expect(r.stdout).not.toContain("after");
    expect(r.stderr).toBe(`[ERROR] ${plugin()}:3 it broke\n`);
  });

  test("die msg without a line number uses the caller's line", () => {
    const r = runLib(sb, '\n\ndie "no line given"', { name: "plugin.sh" });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`[ERROR] ${plugin()}:4 no line given\n`);
  });

  test("die exits with the failing command's status", () => {
    const r = runLib(sb, '(exit 7) || die $LINENO "seven"');
    expect(r.code).toBe(7);
  });

  test("die joins several message words and names the function in the backtrace", () => {
    const r = runLib(sb, "boom() { die $LINENO one two; }\nboom", { name: "plugin.sh" });
    expect(r.stderr).toBe(`[ERROR] ${plugin()}:2 one two\n`);
    expect(r.stdout).toBe(`[Call Trace]\n${plugin()}:3:boom\n${plugin()}:2:die\n`);
  });

  test("die reports a die event when plugstack's _ps_event is defined", () => {
    const r = runLib(sb, `_ps_event() { printf 'EVENT %s\\n' "$*" >&2; }\nfalse || die "bad thing"`, { name: "plugin.sh" });
    expect(r.stderr).toContain(`EVENT die 1 ${plugin()} 3 bad thing`);
  });

  test("err: stderr, with or without a line number, keeps the status", () => {
    const r = runLib(sb, 'err 12 "numbered"\necho "rc=$?"\nfalse || err "plain"\necho "rc=$?"', { name: "plugin.sh" });
    expect(r.stderr).toBe(`[ERROR] ${plugin()}:12 numbered\n[ERROR] ${plugin()}:4 plain\n`);
    expect(r.stdout).toBe("rc=0\nrc=1\n");
  });

  test("err also appends to $LOGDIR/error.log", () => {
    const r = runLib(sb, `LOGDIR=${sb.root}\nerr "logged"\ncat "$LOGDIR/error.log"`, { name: "plugin.sh" });
    expect(r.stdout).toContain(`[ERROR] ${plugin()}:3 logged`);
  });

  test("warn: stdout, with or without a line number, keeps the status", () => {
    const r = runLib(sb, 'warn $LINENO "numbered"\nfalse || warn "plain"\necho "rc=$?"', { name: "plugin.sh" });
    expect(r.stdout).toBe(`[WARNING] ${plugin()}:2 numbered\n[WARNING] ${plugin()}:3 plain\nrc=1\n`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  test("a numeric message with no line number is taken as the line (DevStack's convention)", () => {
    const r = runLib(sb, "warn 99", { name: "plugin.sh" });
    expect(r.stdout).toBe(`[WARNING] ${plugin()}:99 \n`);
  });
});

describe("die_if_not_set / err_if_not_set", () => {
  test("set variable after a successful command: nothing happens", () => {
    const r = runLib(sb, 'X=$(echo Y)\ndie_if_not_set $LINENO X "unset"\necho alive');
    expect(r.stdout).toBe("alive\n");
    expect(r.code).toBe(0);
  });

  test("empty variable: dies with the message", () => {
    const r = runLib(sb, 'X=$(true)\ndie_if_not_set $LINENO X "X is empty"\necho alive', { name: "p.sh" });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`[ERROR] ${join(sb.root, "p.sh")}:3 X is empty\n`);
  });

  test("set variable but the command failed: dies with its status", () => {
    const r = runLib(sb, 'X=$(echo Y; exit 4)\ndie_if_not_set $LINENO X "failed"\necho alive');
    expect(r.code).toBe(4);
  });

  test("err_if_not_set reports and goes on", () => {
    const r = runLib(sb, 'X=\nerr_if_not_set $LINENO X "X missing"\necho "alive rc=$?"', { name: "p.sh" });
    expect(r.stdout).toBe("alive rc=0\n");
    expect(r.stderr).toBe(`[ERROR] ${join(sb.root, "p.sh")}:3 X missing\n`);
  });
});

describe("predicates and helpers", () => {
  test("is_set, isset, function_exists", () => {
    const r = runLib(
      sb,
      [
        "A=1; B=; unset C; declare -A M=([k]=v)",
        "for v in A B C 'M[k]' 'M[x]' 'bad name'; do is_set \"$v\" && echo \"is_set $v\"; done",
        'for v in A B C; do isset $v && echo "isset $v"; done',
        "f() { :; }",
        "function_exists f && echo f; function_exists nope || echo no-nope; function_exists iniset && echo iniset",
      ].join("\n"),
    );
    expect(r.stdout).toBe("is_set A\nis_set M[k]\nisset A\nisset B\nf\nno-nope\niniset\n");
  });

  test("echo_summary prints and reports a summary event under plugstack", () => {
    const r = runLib(sb, `echo_summary "Installing foo"\n_ps_event() { printf 'EVENT %s\\n' "$*" >&2; }\necho_summary "Configuring" "bar"`);
    expect(r.stdout).toBe("Installing foo\nConfiguring bar\n");
    expect(r.stderr).toBe("EVENT summary Configuring bar\n");
  });

  test("exit_distro_not_supported names the distro", () => {
    const r = runLib(sb, "DISTRO=bookworm\nexit_distro_not_supported 'frobnicating'");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Support for bookworm is incomplete: no support for frobnicating");
  });
});

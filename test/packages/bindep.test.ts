import { describe, expect, test } from "bun:test";
import { BindepParseError } from "../../src/errors.ts";
import {
  activeRules,
  type BindepRule,
  checkRules,
  combineVotes,
  evaluateSelectors,
  parseBindep,
  renderBindepCheck,
  renderBindepList,
  renderBindepProfiles,
  userProfiles,
} from "../../src/packages/bindep.ts";
import { thrownBy } from "../helpers/thrown.ts";

const strip = (rules: BindepRule[]) => rules.map(({ line: _, ...r }) => r);
const pos = (name: string) => ({ positive: true, name });
const neg = (name: string) => ({ positive: false, name });

describe("parseBindep accepts", () => {
  const cases: [string, string, ReturnType<typeof strip>][] = [
    ["a bare name", "foo\n", [{ name: "foo", selectors: [], constraints: [] }]],
    [
      "a last line without newline",
      "foo\nbar",
      [
        { name: "foo", selectors: [], constraints: [] },
        { name: "bar", selectors: [], constraints: [] },
      ],
    ],
    ["name characters . + - _ /", "dev-libs/lib_x.y+z-1\n", [{ name: "dev-libs/lib_x.y+z-1", selectors: [], constraints: [] }]],
    ["selectors with negation", "foo [!bar baz quux]\n", [{ name: "foo", selectors: [neg("bar"), pos("baz"), pos("quux")], constraints: [] }]],
    ["platform atoms with dots", "foo [platform:centos-7.4]\n", [{ name: "foo", selectors: [pos("platform:centos-7.4")], constraints: [] }]],
    ["an AND group", "foo [(platform:dpkg py27) !test]\n", [{ name: "foo", selectors: [[pos("platform:dpkg"), pos("py27")], neg("test")], constraints: [] }]],
    ["spaces inside brackets and parentheses", "foo [ ( a  !b ) c ]\n", [{ name: "foo", selectors: [[pos("a"), neg("b")], pos("c")], constraints: [] }]],
    ["adjacent selectors without spaces", "foo [a!b(c)]\n", [{ name: "foo", selectors: [pos("a"), neg("b"), [pos("c")]], constraints: [] }]],
    [
      "empty selector and empty group",
      "foo []\nbar [()]\n",
      [
        { name: "foo", selectors: [], constraints: [] },
        { name: "bar", selectors: [[]], constraints: [] },
      ],
    ],
    [
      "version constraints joined by commas",
      "foo <=1,!=2\n",
      [
        {
          name: "foo",
          selectors: [],
          constraints: [
            { relation: "<=", version: "1" },
            { relation: "!=", version: "2" },
          ],
        },
      ],
    ],
    [
      "every relation",
      "a1 <1,<=1,==1,!=1,>=1,>1\n",
      [{ name: "a1", selectors: [], constraints: ["<", "<=", "==", "!=", ">=", ">"].map((relation) => ({ relation, version: "1" })) } as never],
    ],
    [
      "debian versions with epoch and revision",
      "foo [bar] >=1:2.3-4ubuntu1~ppa1,<2:0-1-2\n",
      [
        {
          name: "foo",
          selectors: [pos("bar")],
          constraints: [
            { relation: ">=", version: "1:2.3-4ubuntu1~ppa1" },
            { relation: "<", version: "2:0-1-2" },
          ],
        },
      ],
    ],
    [
      "comments everywhere",
      "# top\n  # indented\nfoo # trailing\nbar [x]# tight\n",
      [
        { name: "foo", selectors: [], constraints: [] },
        { name: "bar", selectors: [pos("x")], constraints: [] },
      ],
    ],
    ["blank lines with spaces", "\n   \nfoo\n\n", [{ name: "foo", selectors: [], constraints: [] }]],
    ["an empty file", "", []],
    ["uppercase and digits in names", "Foo2 [a]\n", [{ name: "Foo2", selectors: [pos("a")], constraints: [] }]],
  ];
  for (const [name, text, want] of cases) test(name, () => expect(strip(parseBindep(text))).toEqual(want));

  test("rules remember their line", () => {
    expect(parseBindep("# c\n\nfoo\nbar\n").map((r) => r.line)).toEqual([3, 4]);
  });
});

describe("parseBindep rejects (as bindep does), with file:line:col", () => {
  const cases: [string, string, string][] = [
    ["a one-character name", "a\n", "t.txt:1:2:"],
    ["uppercase profile", "foo [Bar]\n", "t.txt:1:6:"],
    ["an @ in a profile", "foo [platform:bar@baz]\n", "t.txt:1:18:"],
    ["a tab", "foo\t[bar]\n", "t.txt:1:4:"],
    ["a trailing space", "foo \n", "t.txt:1:5:"],
    ["an indented rule", "  foo\n", "t.txt:1:3:"],
    ["a selector without a space before it", "foo[bar]\n", "t.txt:1:4:"],
    ["a version before the selector", "foo >=1 [bar]\n", "t.txt:1:9:"],
    ["a space after a comma", "foo >=1, <2\n", "t.txt:1:9:"],
    ["a version not starting with a digit", "foo >=abc\n", "t.txt:1:7:"],
    ["a single =", "foo =1\n", "t.txt:1:5:"],
    ["a dangling hyphen", "foo >=1.0-\n", "t.txt:1:11:"],
    ["an unclosed bracket", "foo [bar\n", "t.txt:1:9:"],
    ["a nested group", "foo [(a (b))]\n", "t.txt:1:9:"],
    ["a carriage return", "foo\r\n", "t.txt:1:4:"],
    ["an error on a later line", "foo\nbar\n[baz]\n", "t.txt:3:1:"],
  ];
  for (const [name, text, where] of cases) {
    test(name, () => {
      const err = thrownBy(BindepParseError, () => parseBindep(text, "t.txt"));
      expect(err.message.startsWith(where)).toBe(true);
      expect(err.exitCode).toBe(2);
    });
  }
});

describe("evaluateSelectors (one side's vote)", () => {
  const P = new Set(["default", "on", "platform:dpkg", "platform:debian"]);
  const cases: [string, ReturnType<typeof parseBindep>[0]["selectors"], boolean | null][] = [
    ["no selectors: no vote", [], null],
    ["positive match", [pos("on")], true],
    ["positive miss", [pos("off")], false],
    ["one of several positives", [pos("off"), pos("on")], true],
    ["only negatives, none match", [neg("off")], true],
    ["a matching negative wins", [pos("on"), neg("default")], false],
    ["group: all members match", [[pos("on"), pos("default")]], true],
    ["group: one member misses", [[pos("on"), pos("off")]], false],
    ["group: negative member", [[pos("on"), neg("off")]], true],
    ["group or positive", [[pos("x"), pos("y")], pos("on")], true],
    ["empty group matches", [[]], true],
  ];
  for (const [name, items, want] of cases) test(name, () => expect(evaluateSelectors(items, P)).toBe(want));
});

describe("combineVotes: bindep's truth table (platform, user)", () => {
  const table: [boolean | null, boolean | null, boolean][] = [
    [false, false, false],
    [false, null, false],
    [false, true, false],
    [null, false, false],
    [null, null, true],
    [null, true, true],
    [true, false, false],
    [true, null, true],
    [true, true, true],
  ];
  for (const [p, u, want] of table) test(`${p}, ${u} -> ${want}`, () => expect(combineVotes(p, u)).toBe(want));
});

describe("activeRules", () => {
  const file = [
    "always",
    "deb-only [platform:dpkg]",
    "rpm-only [platform:rpm]",
    "deb-test [platform:dpkg test]",
    "not-debian [!platform:debian]",
    "test-only [test]",
    "not-test [!test]",
    "grouped [(platform:dpkg test)]",
    "either [platform:rpm test]",
  ].join("\n");
  const rules = parseBindep(file);
  const names = (profiles: string[]) => activeRules(rules, profiles).map((r) => r.name);
  const platform = ["platform:dpkg", "platform:debian"];
  test("default profile on debian", () => expect(names(["default", ...platform])).toEqual(["always", "deb-only", "not-test"]));
  test("test profile on debian", () =>
    // "either" is out: its platform side votes no, whatever the user side says
    expect(names(["test", ...platform])).toEqual(["always", "deb-only", "deb-test", "test-only", "grouped"]));
  test("test profile on an rpm distro", () =>
    expect(names(["test", "platform:rpm", "platform:fedora"])).toEqual(["always", "rpm-only", "not-debian", "test-only", "either"]));
});

describe("userProfiles (--profiles 'Configuration profiles')", () => {
  test("user selectors only, groups flattened, sorted", () => {
    const rules = parseBindep("foo\nbar [something platform:dpkg]\nquux [anotherthing !nothing] <=12\nxx [(b platform:rpm)]\n");
    expect(userProfiles(rules)).toEqual(["anotherthing", "b", "nothing", "platform:rpm", "something"]);
  });
});

describe("checkRules and the report", () => {
  const rules = parseBindep("zed\nalpha >=2.0\nbeta <=12\nzed\nqaaz !=10\nalpha ==9\n");
  const versions: Record<string, string | null> = { alpha: "1.0", beta: "13", qaaz: "10", zed: null };
  const check = checkRules(rules, (n) => versions[n] ?? null, "dpkg");
  test("missing is sorted and unique; bad versions keep rule order", () => {
    expect(check.missing).toEqual(["zed"]);
    expect(check.badVersions).toEqual([
      { name: "alpha", constraint: ">=2.0", installed: "1.0" },
      { name: "beta", constraint: "<=12", installed: "13" },
      { name: "qaaz", constraint: "!=10", installed: "10" },
      { name: "alpha", constraint: "==9", installed: "1.0" },
    ]);
  });
  test("full report", () => {
    expect(renderBindepCheck({ missing: ["foo", "bar"], badVersions: [{ name: "quux", constraint: "<=12", installed: "13" }] }, false)).toBe(
      "Missing packages:\n    foo bar\nBad versions of installed packages:\n    quux version 13 does not match <=12\n",
    );
  });
  test("brief report lists only missing packages", () => {
    expect(renderBindepCheck(check, true)).toBe("zed\n");
    expect(renderBindepCheck({ missing: [], badVersions: check.badVersions }, true)).toBe("");
  });
  test("nothing wrong prints nothing", () => expect(renderBindepCheck({ missing: [], badVersions: [] }, false)).toBe(""));
  test("-l newline / csv keep file order and duplicates", () => {
    expect(renderBindepList(rules, "newline")).toBe("zed\nalpha\nbeta\nzed\nqaaz\nalpha\n");
    expect(renderBindepList(rules, "csv")).toBe("zed,alpha,beta,zed,qaaz,alpha\n");
    expect(renderBindepList([], "csv")).toBe("\n");
  });
  test("--profiles", () => {
    expect(renderBindepProfiles(["platform:debian", "platform:dpkg"], ["test"])).toBe(
      "Platform profiles:\nplatform:debian\nplatform:dpkg\n\nConfiguration profiles:\ntest\n",
    );
  });
});

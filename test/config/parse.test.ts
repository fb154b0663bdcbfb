import { describe, expect, test } from "bun:test";
import { type IniEntry, type MetaBlock, parseIniFragment, parseMetaConfig, splitLines, strayPreamble } from "../../src/config/parse.ts";
import { ConfigError } from "../../src/errors.ts";
import { thrownBy } from "../helpers/thrown.ts";

type Shape = Pick<MetaBlock, "group" | "file" | "line"> & { body: [number, string][] };

function shape(blocks: MetaBlock[]): Shape[] {
  return blocks.map((b) => ({ group: b.group, file: b.file, line: b.line, body: b.body.map((l) => [l.line, l.text] as [number, string]) }));
}

const good: [string, Shape[]][] = [
  ["", []],
  ["FOO=1\n", []],
  ["[[local|localrc]]\nFOO=1\n", [{ group: "local", file: "localrc", line: 1, body: [[2, "FOO=1"]] }]],
  [
    "# preamble\nignored=1\n[[local|localrc]]\nA=1\n\n[[post-config|$NOVA_CONF]]\n[DEFAULT]\ndebug = True\n",
    [
      {
        group: "local",
        file: "localrc",
        line: 3,
        body: [
          [4, "A=1"],
          [5, ""],
        ],
      },
      {
        group: "post-config",
        file: "$NOVA_CONF",
        line: 6,
        body: [
          [7, "[DEFAULT]"],
          [8, "debug = True"],
        ],
      },
    ],
  ],
  ["[[local|localrc]] # trailing comment\nA=1", [{ group: "local", file: "localrc", line: 1, body: [[2, "A=1"]] }]],
  ["[[local|localrc]]\r\nA=1\r\n", [{ group: "local", file: "localrc", line: 1, body: [[2, "A=1"]] }]],
  [
    "[[local|localrc]]\n[[ -n $X ]] && enable_plugin a b\n[[ $X || $Y ]] && B=1\n",
    [
      {
        group: "local",
        file: "localrc",
        line: 1,
        body: [
          [2, "[[ -n $X ]] && enable_plugin a b"],
          [3, "[[ $X || $Y ]] && B=1"],
        ],
      },
    ],
  ],
  ["  [[local|localrc]]\n", []],
  ["[[test-config|${TEMPEST_CONFIG}]]\n", [{ group: "test-config", file: "${TEMPEST_CONFIG}", line: 1, body: [] }]],
  ["[[extra|/etc/x/y.conf]]\n[a]\n", [{ group: "extra", file: "/etc/x/y.conf", line: 1, body: [[2, "[a]"]] }]],
];

describe("parseMetaConfig", () => {
  for (const [input, want] of good)
    test(JSON.stringify(input), () => {
      expect(shape(parseMetaConfig(input, "/c/local.conf"))).toEqual(want);
    });
});

// [input, line, message fragment]
const bad: [string, number, string][] = [
  ["[[local|localrc]\nA=1\n", 1, 'missing "]]"'],
  ["A=1\n[[local|localrc\n", 2, 'missing "]]"'],
  ["[[\n", 1, 'missing "]]"'],
  ["[[locallocalrc]]\n", 1, 'no "|"'],
  ["[[local|localrc|x]]\n", 1, 'more than one "|"'],
  ["[[|localrc]]\n", 1, "empty GROUP"],
  ["[[post-config|]]\n", 1, "empty FILE"],
  ["[[local|localrc]]x\n", 1, 'right after "]]"'],
  ["[[post-config| $X]]\n", 1, "spaces"],
];

describe("parseMetaConfig errors", () => {
  for (const [input, line, fragment] of bad)
    test(JSON.stringify(input), () => {
      const err = thrownBy(ConfigError, () => parseMetaConfig(input, "/c/local.conf"));
      expect(err.file).toBe("/c/local.conf");
      expect(err.line).toBe(line);
      expect(err.message).toContain(`/c/local.conf:${line}: `);
      expect(err.message).toContain(fragment);
      expect(err.hint).toContain("[[local|localrc]]");
    });
});

const preambles: [string, number[]][] = [
  ["[[local|localrc]]\nA=1\n", []],
  ["# comment\n\n[[local|localrc]]\n", []],
  ["FOO=1\n# c\nBAR=2\n[[local|localrc]]\nX=1\n", [1, 3]],
  ["FOO=1\n", [1]],
];

describe("strayPreamble", () => {
  for (const [input, want] of preambles)
    test(JSON.stringify(input), () => {
      expect(strayPreamble(input, parseMetaConfig(input, "f")).map((l) => l.line)).toEqual(want);
    });
});

const splits: [string, string[]][] = [
  ["", []],
  ["a", ["a"]],
  ["a\n", ["a"]],
  ["a\n\n", ["a", ""]],
  ["a\r\nb", ["a", "b"]],
];

describe("splitLines", () => {
  for (const [input, want] of splits) test(JSON.stringify(input), () => expect(splitLines(input)).toEqual(want));
});

function body(text: string, first = 10) {
  return splitLines(text).map((t, i) => ({ line: first + i, text: t }));
}

type E = Omit<IniEntry, "lines"> & { lines?: number[] };
const fragments: [string, E[]][] = [
  ["", []],
  ["[DEFAULT]\ndebug = True\n", [{ section: "DEFAULT", key: "debug", values: ["True"] }]],
  [
    "[DEFAULT]\ndebug=True\nverbose =   yes  \n",
    [
      { section: "DEFAULT", key: "debug", values: ["True"] },
      { section: "DEFAULT", key: "verbose", values: ["yes"] },
    ],
  ],
  ["[DEFAULT]\n# comment\n; other\n\nx = 1\n", [{ section: "DEFAULT", key: "x", values: ["1"], lines: [14] }]],
  ["[pci]\nalias = a\nalias = b\nalias = c\n", [{ section: "pci", key: "alias", values: ["a", "b", "c"], lines: [11, 12, 13] }]],
  [
    "[a]\nk = 1\n[b]\nk = 2\n[a]\nk = 3\n",
    [
      { section: "a", key: "k", values: ["1", "3"] },
      { section: "b", key: "k", values: ["2"] },
    ],
  ],
  ["[my section]\nk = v\n", [{ section: "my section", key: "k", values: ["v"] }]],
  ["[ spaced ]\nk = v\n", [{ section: "spaced", key: "k", values: ["v"] }]],
  ["[s] # note\nk = v\n", [{ section: "s", key: "k", values: ["v"] }]],
  ["[s]\nurl = http://h/x?a=b\n", [{ section: "s", key: "url", values: ["http://h/x?a=b"] }]],
  ["[s]\nempty =\n", [{ section: "s", key: "empty", values: [""] }]],
  ["[s]\nv = $HOST_IP:8080\n", [{ section: "s", key: "v", values: ["$HOST_IP:8080"] }]],
  ["[s]\n  indented = 1\n", []],
];

describe("parseIniFragment", () => {
  for (const [input, want] of fragments)
    test(JSON.stringify(input), () => {
      const got = parseIniFragment(body(input), "/c/local.conf");
      expect(got.map(({ section, key, values }) => ({ section, key, values }))).toEqual(want.map(({ section, key, values }) => ({ section, key, values })));
      want.forEach((w, i) => {
        if (w.lines) expect(got[i]?.lines).toEqual(w.lines);
      });
    });
});

test("parseIniFragment reports ignored indented lines as notices", () => {
  const notices: string[] = [];
  parseIniFragment(body("[s]\n  indented = 1\n"), "/c/local.conf", notices);
  expect(notices).toHaveLength(1);
  expect(notices[0]).toContain("/c/local.conf:11:");
});

const badFragments: [string, number, string][] = [
  ["debug = True\n", 10, "before any [section]"],
  ["[DEFAULT]\njust-a-word\n", 11, "expected KEY = VALUE"],
  ["[DEFAULT]\n= value\n", 11, "no key"],
  ["[unterminated\nk = v\n", 10, "malformed section"],
  ["[a]b\n", 10, "malformed section"],
  ["[]\n", 10, "empty section"],
];

describe("parseIniFragment errors", () => {
  for (const [input, line, fragment] of badFragments)
    test(JSON.stringify(input), () => {
      const err = thrownBy(ConfigError, () => parseIniFragment(body(input), "/c/local.conf"));
      expect(err.line).toBe(line);
      expect(err.message).toContain(fragment);
    });
});

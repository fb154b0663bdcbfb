// Fuzzing (fast-check) of the parsers a user's files reach: the local.conf
// meta-config and INI parser, the bindep grammar, the lockfile reader and
// the URL checks (with credential redaction). Each must end every case with
// a result or its own PlugstackError, never a crash; a case that hangs
// fails on the test's timeout. Cases per target: $PLUGSTACK_FUZZ_RUNS, else
// 10,000 (`npm run fuzz` runs 100,000);
// the seed is printed and PLUGSTACK_TEST_SEED replays it.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import fc from "fast-check";
import { parseIniFragment, parseMetaConfig, strayPreamble } from "../../src/config/parse.ts";
import { BindepParseError, ConfigError, LockError } from "../../src/errors.ts";
import { parseBindep, parseBindepLines } from "../../src/packages/bindep.ts";
import { parseLock, renderLock } from "../../src/plugins/lockfile.ts";
import { normaliseUrl, validatePluginName, validatePluginUrl, validateRef } from "../../src/plugins/spec.ts";
import { classifyUrl } from "../../src/util/git-url.ts";
import { redact, splitCredentials, stripCredentials } from "../../src/util/redact.ts";
import { suiteSeed } from "./helpers.ts";

const RUNS = Number(process.env.PLUGSTACK_FUZZ_RUNS) > 0 ? Number(process.env.PLUGSTACK_FUZZ_RUNS) : 10_000;
const SEED = suiteSeed(`fuzz (${RUNS} cases per target)`);
setDefaultTimeout(Math.max(120_000, RUNS * 20));

/** Text made of `fragments` (which reach deep into a grammar) and arbitrary strings, one per line. */
function linesOf(fragments: string[]): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...fragments) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  );
  const line = fc.array(piece, { maxLength: 6 }).map((p) => p.join(""));
  // the line ending is drawn by the property too, so the seed replays it
  return fc.tuple(fc.array(line, { maxLength: 30 }), fc.constantFrom("\n", "\r\n")).map(([l, eol]) => l.join(eol));
}

/** Runs the property with the suite's seed; a case that never ends (a runaway regex) is caught by the test's timeout. */
function fuzz<T>(arb: fc.Arbitrary<T>, check: (value: T) => void): void {
  fc.assert(fc.property(arb, check), { numRuns: RUNS, seed: SEED });
}

function onlyThrows(types: (abstract new (...a: never[]) => Error)[], body: () => void): void {
  try {
    body();
  } catch (e) {
    if (!types.some((t) => e instanceof t)) throw e;
  }
}

describe("fuzzing", () => {
  test("local.conf: meta-config blocks and INI fragments", () => {
    const text = linesOf([
      "[[local|localrc]]",
      "[[post-config|$NOVA_CONF]]",
      "[[post-extra|/etc/x.conf]]",
      "[[",
      "]]",
      "|",
      "[DEFAULT]",
      "[section]",
      "key = value",
      "key=",
      " = v",
      "# comment",
      "; c",
      "  indented = 1",
      "enable_plugin heat https://opendev.org/openstack/heat",
      "\t",
      "[[local|localrc]] trailing",
    ]);
    fuzz(text, (t) =>
      onlyThrows([ConfigError], () => {
        const blocks = parseMetaConfig(t, "local.conf");
        strayPreamble(t, blocks);
        for (const b of blocks) if (b.group !== "local") parseIniFragment(b.body, "local.conf", []);
      }),
    );
  });

  test("bindep: the grammar", () => {
    const text = linesOf([
      "pkg",
      "python3-dev",
      " [",
      "]",
      "platform:dpkg",
      "platform:rpm",
      "!",
      "(",
      ")",
      "test",
      " ",
      "<",
      "<=",
      ">=",
      "!=",
      "==",
      ">",
      "1.0",
      "2:1.0-1",
      ",",
      "#",
      "platform:redhat",
      "doc",
    ]);
    fuzz(text, (t) => {
      parseBindepLines(t);
      onlyThrows([BindepParseError], () => parseBindep(t, "bindep.txt"));
    });
  });

  test("the lockfile reader: anything is a result or a LockError; what it reads renders and reads back the same", () => {
    const hex = fc.constantFrom("a".repeat(40), "0123456789abcdef0123456789abcdef01234567", "A".repeat(40), "xyz");
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom("https://opendev.org/openstack/heat", "https://u:pw@h/p", "ext::sh", "-x", "master", "a..b", "heat", "../x"),
      hex,
    );
    const entry = fc.record({ name: value, url: value, ref: value, commit: value, requested_by: value }, { requiredKeys: [] });
    const tomlValue = (v: unknown) => JSON.stringify(v);
    const table = (kind: string, e: Record<string, unknown>) =>
      `[[${kind}]]\n${Object.entries(e)
        .map(([k, v]) => `${k} = ${tomlValue(v)}`)
        .join("\n")}`;
    const doc = fc.oneof(
      fc
        .tuple(
          fc.constantFrom("version = 1", "version = 2", 'version = "1"', ""),
          fc.array(fc.tuple(fc.constantFrom("plugin", "repo", "base"), entry), { maxLength: 4 }),
        )
        .map(([v, es]) => [v, ...es.map(([k, e]) => table(k, e))].join("\n\n")),
      linesOf([
        "version = 1",
        "[[plugin]]",
        "[[repo]]",
        "[base]",
        'name = "heat"',
        'url = "https://x/y"',
        'ref = "master"',
        `commit = "${"a".repeat(40)}"`,
        "=",
        '"',
        "[",
        "]",
      ]),
    );
    fuzz(doc, (t) =>
      onlyThrows([LockError], () => {
        const lock = parseLock(t, "local.conf.lock");
        const again = parseLock(renderLock(lock), "local.conf.lock");
        expect(renderLock(again)).toBe(renderLock(lock));
      }),
    );
  });

  test("URL checks and credential redaction", () => {
    const part = fc.string({ maxLength: 12 });
    const secret = fc.stringMatching(/^[A-Za-z0-9]{6,12}$/);
    const scheme = fc.constantFrom("https", "http", "ssh", "git", "file", "ext", "git+ssh", "HTTPS", "fd", "");
    const built = fc
      .tuple(scheme, fc.constantFrom("", "user:", "u", "%40"), secret, fc.constantFrom("", "@"), part, fc.constantFrom("", ":443", ":x"), part)
      .map(([s, u, pw, extraAt, host, port, path]) => ({
        url: `${s}://${u}${pw}${extraAt}@${host}${port}/${path}`,
        password: u.endsWith(":") || s.toLowerCase().startsWith("http") ? pw : null,
      }));
    const arb = fc.oneof(
      built,
      fc.string({ maxLength: 60 }).map((url) => ({ url, password: null })),
      fc.webUrl({ withQueryParameters: true, withFragments: true }).map((url) => ({ url, password: null })),
    );
    fuzz(arb, ({ url, password }) => {
      const verdict = validatePluginUrl(url);
      expect(verdict === null || typeof verdict === "string").toBe(true);
      validatePluginName(url);
      validateRef(url);
      if (verdict === null) {
        normaliseUrl(url);
        classifyUrl(url, "/srv");
      }
      const shown = redact(`clone ${url} failed`);
      expect(redact(shown)).toBe(shown);
      splitCredentials(url);
      if (password !== null) {
        expect(shown).not.toContain(password);
        expect(stripCredentials(url)).not.toContain(password);
      }
    });
  });
});

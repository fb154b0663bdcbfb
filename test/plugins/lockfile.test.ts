import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LockError } from "../../src/errors.ts";
import { assertLocked } from "../../src/plugins/lock-rule.ts";
import {
  checkLocked,
  diffLocks,
  type Lock,
  loadLock,
  lockedEntryFor,
  lockFromPlugins,
  lockPathFor,
  parseLock,
  renderLock,
  renderLockDiff,
  writeLock,
} from "../../src/plugins/lockfile.ts";
import { tempDir } from "../helpers/git.ts";
import { thrownBy } from "../helpers/thrown.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const A = "3f2a1c0".padEnd(40, "0");
const B = "9b8e7d1".padEnd(40, "1");
const C = "c".repeat(40);

const lock: Lock = {
  version: 1,
  plugins: [
    { name: "heat", url: "https://opendev.org/openstack/heat", ref: "master", commit: A },
    { name: "devplug", url: "/home/me/devplug", ref: "master" },
    { name: "barbican", url: "https://opendev.org/openstack/barbican", ref: "stable/2024.1", commit: B },
  ],
  repos: [{ url: "https://opendev.org/openstack/requirements", ref: "master", commit: C, requested_by: "heat" }],
};

const expected = `version = 1

[[plugin]]
name = "barbican"
url = "https://opendev.org/openstack/barbican"
ref = "stable/2024.1"
commit = "${B}"

[[plugin]]
name = "devplug"
url = "/home/me/devplug"
ref = "master"

[[plugin]]
name = "heat"
url = "https://opendev.org/openstack/heat"
ref = "master"
commit = "${A}"

[[repo]]
url = "https://opendev.org/openstack/requirements"
ref = "master"
commit = "${C}"
requested_by = "heat"
`;

describe("renderLock / parseLock", () => {
  test("renders the documented layout, sorted, with a trailing newline", () => {
    expect(renderLock(lock)).toBe(expected);
  });

  test("byte-stable whatever the input order", () => {
    const shuffled: Lock = { ...lock, plugins: [...lock.plugins].reverse() };
    expect(renderLock(shuffled)).toBe(expected);
  });

  test("parse(render(x)) equals x (sorted), and render(parse(text)) gives the same bytes", () => {
    const parsed = parseLock(renderLock(lock));
    expect(parsed).toEqual(
      lockFromPlugins(
        lock.plugins.map((p) => ({ ...p, commit: p.commit ?? null })),
        lock.repos,
      ),
    );
    expect(renderLock(parsed)).toBe(expected);
  });

  test("an empty lock is just the version", () => {
    expect(renderLock({ version: 1, plugins: [], repos: [] })).toBe("version = 1\n");
    expect(parseLock("version = 1\n")).toEqual({ version: 1, plugins: [], repos: [] });
  });

  const bad: [string, string, RegExp][] = [
    ["version = 2", "future version", /x\.lock: lock format version 2 is not supported \(this plugstack reads version 1\)/],
    ["[[plugin]]\nname = 'a'", "missing version", /lock format version missing/],
    ["version = 1\n[[plugin]]\nname = 'a'\nurl = 'u'", "missing ref", /\[\[plugin\]\] #1 has no ref/],
    ["version = 1\n[[plugin]]\nname = 'a'\nurl = 'u'\nref = 'r'\ncommit = 'abc'", "short commit", /\(a\) has commit "abc", not a full lowercase SHA/],
    ["version = 1\nplugin = 3", "plugin not tables", /"plugin" must be written as \[\[plugin\]\] tables/],
    ["version = = 1", "not TOML", /x\.lock: not valid TOML/],
    [`version = 1\n[[plugin]]\nname='a'\nurl='u'\nref='r'\n[[plugin]]\nname='a'\nurl='v'\nref='r'`, "duplicate", /plugin a is locked twice/],
  ];
  for (const [text, name, re] of bad) {
    test(`rejects: ${name}`, () => {
      expect(thrownBy(LockError, () => parseLock(text, "x.lock")).message).toMatch(re);
    });
  }

  test("a future version says how to fix it", () => {
    expect(thrownBy(LockError, () => parseLock("version = 2\n", "x.lock")).hint).toContain("upgrade plugstack");
  });
});

describe("loadLock / writeLock", () => {
  test("missing file is null; written atomically; unchanged bytes not rewritten", async () => {
    const path = lockPathFor(join(tmp.path, "local.conf"));
    expect(path).toBe(join(tmp.path, "local.conf.lock"));
    expect(loadLock(path)).toBeNull();
    writeLock(path, lock);
    expect(readFileSync(path, "utf8")).toBe(expected);
    expect(readdirSync(tmp.path)).toEqual(["local.conf.lock"]);
    const mtime = statSync(path).mtimeMs;
    await Bun.sleep(20);
    writeLock(path, parseLock(expected));
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(loadLock(path)).toEqual(parseLock(expected));
  });

  test("a broken lock names its file", () => {
    const path = join(tmp.path, "broken.lock");
    writeFileSync(path, "version = 7\n");
    expect(() => loadLock(path)).toThrow(`${path}: lock format version 7 is not supported`);
  });
});

describe("diffLocks", () => {
  test("changed, added, removed, ref change, repo rows", () => {
    const next: Lock = {
      version: 1,
      plugins: [
        { name: "heat", url: "https://opendev.org/openstack/heat", ref: "master", commit: B },
        { name: "barbican", url: "https://opendev.org/openstack/barbican", ref: "stable/2025.1", commit: C },
        { name: "octavia", url: "https://opendev.org/openstack/octavia", ref: "master", commit: A },
      ],
      repos: [],
    };
    expect(renderLockDiff(diffLocks(lock, next))).toEqual([
      "barbican                                                        9b8e7d1 -> ccccccc (stable/2024.1 -> stable/2025.1)",
      "devplug                                                         removed (was directory, master)",
      "heat                                                            3f2a1c0 -> 9b8e7d1 (master)",
      "https://opendev.org/openstack/requirements (git_clone by heat)  removed (was ccccccc, master)",
      "octavia                                                         added 3f2a1c0 (master)",
    ]);
  });

  test("no rows when nothing moved; everything added from no lock", () => {
    expect(diffLocks(lock, parseLock(renderLock(lock)))).toEqual([]);
    expect(diffLocks(null, lock).map((r) => r.kind)).toEqual(["added", "added", "added", "added"]);
  });
});

describe("checkLocked", () => {
  const specs = [
    { name: "heat", url: "https://opendev.org/openstack/heat", ref: "master" },
    { name: "barbican", url: "https://example.org/barbican", ref: "stable/2025.1" },
    { name: "new", url: "https://opendev.org/openstack/new", ref: "master" },
  ];
  test("lists each difference", () => {
    expect(checkLocked(lock, specs)).toEqual([
      "barbican: url is https://example.org/barbican in the config but https://opendev.org/openstack/barbican in the lock",
      "barbican: ref is stable/2025.1 in the config but stable/2024.1 in the lock",
      "new: enabled in the config but not in the lock",
      "devplug: in the lock but not enabled in the config",
    ]);
  });
  test("matching config: no differences", () => {
    expect(checkLocked(lock, lock.plugins)).toEqual([]);
    expect(() => assertLocked(lock, lock.plugins, "x.lock")).not.toThrow();
  });
  test("no lock at all", () => expect(checkLocked(null, specs)).toEqual(["there is no lock file"]));
  test("assertLocked throws a LockError listing them", () => {
    expect(() => assertLocked(lock, specs.slice(0, 1), "x.lock")).toThrow(
      "x.lock does not match the config (--locked):\n  - barbican: in the lock but not enabled in the config\n  - devplug: in the lock but not enabled in the config",
    );
  });
});

describe("entries", () => {
  test("lockedEntryFor needs the same url and ref", () => {
    expect(lockedEntryFor(lock, { name: "heat", url: "https://opendev.org/openstack/heat", ref: "master" })?.commit).toBe(A);
    expect(lockedEntryFor(lock, { name: "heat", url: "https://opendev.org/openstack/heat", ref: "stable/x" })).toBeUndefined();
    expect(lockedEntryFor(null, { name: "heat", url: "u", ref: "r" })).toBeUndefined();
  });
});

describe("the [base] entry", () => {
  const withBase: Lock = {
    version: 1,
    base: { url: "https://opendev.org/openstack/devstack", ref: "stable/2026.1", commit: A },
    plugins: [{ name: "heat", url: "https://opendev.org/openstack/heat", ref: "master", commit: B }],
    repos: [{ url: "https://opendev.org/openstack/requirements", ref: "master", commit: C, requested_by: "devstack" }],
  };
  const text = `version = 1

[base]
url = "https://opendev.org/openstack/devstack"
ref = "stable/2026.1"
commit = "${A}"

[[plugin]]
name = "heat"
url = "https://opendev.org/openstack/heat"
ref = "master"
commit = "${B}"

[[repo]]
url = "https://opendev.org/openstack/requirements"
ref = "master"
commit = "${C}"
requested_by = "devstack"
`;
  test("renders before the plugins and reads back the same", () => {
    expect(renderLock(withBase)).toBe(text);
    expect(parseLock(text)).toEqual(withBase);
  });
  test("a base without a full commit is refused naming [base]", () => {
    const e = thrownBy(LockError, () => parseLock(text.replace(`commit = "${A}"`, 'commit = "abc"'), "x.lock"));
    expect(e.message).toBe('x.lock: [base] has commit "abc", not a full lowercase SHA');
  });
  test("lockFromPlugins puts the resolved base in [base]; --locked checks url and ref of the base", () => {
    const next = lockFromPlugins(
      [
        { name: "devstack", url: withBase.base!.url, ref: "stable/2026.1", commit: A, base: true },
        { name: "heat", url: "https://opendev.org/openstack/heat", ref: "master", commit: B },
      ],
      withBase.repos,
    );
    expect(next).toEqual(withBase);
    const base = { name: "devstack", url: withBase.base!.url, ref: "master", base: true };
    expect(checkLocked(withBase, [base, { name: "heat", url: "https://opendev.org/openstack/heat", ref: "master" }])).toEqual([
      "base: ref is master in the config but stable/2026.1 in the lock",
    ]);
    expect(checkLocked(withBase, [{ name: "heat", url: "https://opendev.org/openstack/heat", ref: "master" }])).toEqual([
      "base: the lock pins https://opendev.org/openstack/devstack@stable/2026.1 but the config sets no PLUGSTACK_BASE",
    ]);
    expect(lockedEntryFor(withBase, { ...base, ref: "stable/2026.1" })?.commit).toBe(A);
  });
});

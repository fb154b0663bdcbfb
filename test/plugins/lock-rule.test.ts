// The lock rule's own cases (plugins/lock-rule.ts): when a lock is written,
// and what one [[repo]] entry is. test/e2e/lock-rule.test.ts drives the same
// rule through the commands.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyLock, mergeRepos } from "../../src/plugins/lock-rule.ts";
import { type Lock, type LockedRepo, lockFromPlugins, renderLock } from "../../src/plugins/lockfile.ts";
import { tempDir } from "../helpers/git.ts";

const tmp = tempDir("plugstack-lock-rule-unit-");
afterAll(() => tmp.cleanup());

const A = "a".repeat(40);
const B = "b".repeat(40);
const REQ = "https://opendev.org/openstack/requirements";
const repo = (over: Partial<LockedRepo>): LockedRepo => ({ url: REQ, ref: "master", commit: A, requested_by: "heat", ...over });

describe("mergeRepos: a [[repo]] entry is its repo (URL without credentials) and the plugin that cloned it", () => {
  const cases: [string, LockedRepo[], LockedRepo[], LockedRepo[]][] = [
    ["a new repo is added", [], [repo({})], [repo({})]],
    ["the same plugin's clone at a new commit replaces its entry", [repo({})], [repo({ commit: B })], [repo({ commit: B })]],
    [
      "the same plugin cloning at another ref replaces its entry (no stale one left)",
      [repo({})],
      [repo({ ref: "stable/2025.1", commit: B })],
      [repo({ ref: "stable/2025.1", commit: B })],
    ],
    [
      "two plugins cloning the same repo keep one entry each",
      [repo({})],
      [repo({ requested_by: "ironic", commit: B })],
      [repo({}), repo({ requested_by: "ironic", commit: B })],
    ],
    [
      "credentials in the URL do not make it another repo",
      [repo({})],
      [repo({ url: "https://user:secret@opendev.org/openstack/requirements", commit: B })],
      [repo({ url: "https://user:secret@opendev.org/openstack/requirements", commit: B })],
    ],
    ["a clone that reported no commit changes nothing", [repo({})], [repo({ commit: "" })], [repo({})]],
  ];
  for (const [name, old, found, want] of cases) test(name, () => expect(mergeRepos(old, found)).toEqual(want));
});

describe("applyLock: written when it changed, unless --locked or --dry-run", () => {
  const old: Lock = lockFromPlugins([{ name: "heat", url: "https://opendev.org/openstack/heat", ref: "master", commit: A }]);
  const next: Lock = lockFromPlugins([{ name: "heat", url: "https://opendev.org/openstack/heat", ref: "master", commit: B }]);
  const cases: [string, Lock | null, Lock, { locked: boolean; dryRun: boolean }, { written: boolean; rows: number; text: string | null }][] = [
    ["no lock yet: written", null, old, { locked: false, dryRun: false }, { written: true, rows: 1, text: renderLock(old) }],
    ["changed: written, one row", old, next, { locked: false, dryRun: false }, { written: true, rows: 1, text: renderLock(next) }],
    ["unchanged: not written, no rows", old, old, { locked: false, dryRun: false }, { written: false, rows: 0, text: "as before" }],
    ["changed, --dry-run: the row, nothing written", old, next, { locked: false, dryRun: true }, { written: false, rows: 1, text: "as before" }],
    ["changed, --locked: never written", old, next, { locked: true, dryRun: false }, { written: false, rows: 0, text: "as before" }],
    ["no lock, --dry-run: no file appears", null, old, { locked: false, dryRun: true }, { written: false, rows: 1, text: null }],
  ];
  cases.forEach(([name, current, target, mode, want], i) => {
    test(name, () => {
      const path = join(tmp.path, `case-${i}.lock`);
      const before = current ? "as before" : null;
      if (before) writeFileSync(path, before);
      const r = applyLock(path, current, target, mode);
      expect(r.written).toBe(want.written);
      expect(r.changes).toHaveLength(want.rows);
      expect(existsSync(path) ? readFileSync(path, "utf8") : null).toBe(want.text);
    });
  });
});

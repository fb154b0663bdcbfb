// The kept localrc evaluation (src/config/eval-cache.ts): URL credentials are
// written nowhere, so an evaluation holding one is not kept; each config has
// one entry, so a new environment replaces it rather than adding files.
import { afterAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { evalCacheKey, evalCacheSlot, readEvalCache, writeEvalCache } from "../../src/config/eval-cache.ts";
import type { LoadedConfig } from "../../src/config/load.ts";
import { tempDir } from "../helpers/git.ts";

const work = tempDir("plugstack-eval-cache-unit-");
afterAll(() => work.cleanup());

const plugin = (url: string) => ({ name: "p", url, ref: "master", refGiven: false, order: 0, file: "/x/local.conf", line: 2 });
const slot = evalCacheSlot("/x/local.conf", 0);

test("an evaluation is kept and read back; one with a URL credential is not written", () => {
  const cache = join(work.path, "cache");
  const plain = { plugins: [plugin("https://example.org/p.git")], vars: { DEST: "/opt/stack" } };
  expect(writeEvalCache(cache, slot, "a".repeat(64), plain)).toBe(true);
  expect(readEvalCache(cache, slot, "a".repeat(64))?.evaluated).toEqual(plain);
  const secret = { plugins: [plugin("https://user:s3cret@example.org/p.git")], vars: {} };
  expect(writeEvalCache(cache, evalCacheSlot("/y/local.conf", 0), "b".repeat(64), secret)).toBe(false);
  expect(readdirSync(join(cache, "eval"))).toEqual([`${slot}.json`]);
});

test("one entry per config: another key replaces it, and the old key then misses", () => {
  const cache = join(work.path, "cache-slots");
  const first = { plugins: [plugin("https://example.org/p.git")], vars: { DEST: "/opt/stack" } };
  const second = { plugins: [plugin("https://example.org/q.git")], vars: { DEST: "/srv/stack" } };
  expect(writeEvalCache(cache, slot, "a".repeat(64), first)).toBe(true);
  expect(writeEvalCache(cache, slot, "c".repeat(64), second)).toBe(true);
  expect(readdirSync(join(cache, "eval"))).toEqual([`${slot}.json`]);
  expect(readEvalCache(cache, slot, "a".repeat(64))).toBeNull();
  expect(readEvalCache(cache, slot, "c".repeat(64))?.evaluated).toEqual(second);
  expect(evalCacheSlot("/x/local.conf", 1000)).not.toBe(slot);
});

test("the key covers the bash code the evaluation runs (a library edited in an uncommitted build); not the directory plugstack runs in", () => {
  const loaded = { path: "/x/local.conf", localrc: { text: "A=1\n", lines: [{ file: "/x/local.conf", line: 2 }] } } as unknown as LoadedConfig;
  const env = { HOME: "/root", PWD: "/x" };
  const key = evalCacheKey(loaded, env, 0, "library v1");
  expect(evalCacheKey(loaded, env, 0, "library v2")).not.toBe(key);
  expect(evalCacheKey(loaded, { ...env, PWD: "/x/sub" }, 0, "library v1")).toBe(key);
  expect(evalCacheKey(loaded, { ...env, HOME: "/home/other" }, 0, "library v1")).not.toBe(key);
});

// The kept localrc evaluation (src/config/eval-cache.ts): URL credentials are
// written nowhere, so an evaluation holding one is not kept.
import { afterAll, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readEvalCache, writeEvalCache } from "../../src/config/eval-cache.ts";
import { tempDir } from "../helpers/git.ts";

const work = tempDir("plugstack-eval-cache-unit-");
afterAll(() => work.cleanup());

const plugin = (url: string) => ({ name: "p", url, ref: "master", refGiven: false, order: 0, file: "/x/local.conf", line: 2 });

test("an evaluation is kept and read back; one with a URL credential is not written", () => {
  const cache = join(work.path, "cache");
  const plain = { plugins: [plugin("https://example.org/p.git")], vars: { DEST: "/opt/stack" }, output: "" };
  expect(writeEvalCache(cache, "a".repeat(64), plain)).toBe(true);
  expect(readEvalCache(cache, "a".repeat(64))?.evaluated).toEqual(plain);
  const secret = { plugins: [plugin("https://user:s3cret@example.org/p.git")], vars: {}, output: "" };
  expect(writeEvalCache(cache, "b".repeat(64), secret)).toBe(false);
  expect(existsSync(join(cache, "eval", `${"b".repeat(64)}.json`))).toBe(false);
  expect(readdirSync(join(cache, "eval"))).toEqual([`${"a".repeat(64)}.json`]);
});

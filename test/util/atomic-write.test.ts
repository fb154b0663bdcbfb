import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/util/atomic-write.ts";
import { tempDir } from "../helpers/git.ts";

const tmp = tempDir("plugstack-atomic-");
afterAll(() => tmp.cleanup());

test("replaces the content, keeps the mode and leaves no temp file", () => {
  const f = join(tmp.path, "a.conf");
  writeFileSync(f, "old\n");
  chmodSync(f, 0o640);
  writeFileAtomic(f, "new\n");
  expect(readFileSync(f, "utf8")).toBe("new\n");
  expect(statSync(f).mode & 0o777).toBe(0o640);
  expect(readdirSync(tmp.path).filter((n) => n.includes("plugstack-tmp-"))).toEqual([]);
});

test("a symlink stays a link; its target gets the new content", () => {
  const target = join(tmp.path, "real.conf");
  const link = join(tmp.path, "link.conf");
  writeFileSync(target, "old\n");
  symlinkSync(target, link);
  writeFileAtomic(link, "new\n");
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
  expect(readFileSync(target, "utf8")).toBe("new\n");
});

test("a new file is created", () => {
  const f = join(tmp.path, "fresh");
  writeFileAtomic(f, "x");
  expect(readFileSync(f, "utf8")).toBe("x");
});

test("the temp file a killed write left beside the file is removed by the next write; a live writer's is not", () => {
  const dir = join(tmp.path, "killed");
  mkdirSync(dir);
  const f = join(dir, "state.json");
  const gone = spawnSync("true").pid;
  const left = join(dir, `.state.json.plugstack-tmp-${gone}-abc123`);
  const live = join(dir, `.state.json.plugstack-tmp-${process.ppid}-def456`);
  writeFileSync(left, "half");
  writeFileSync(live, "being written");
  writeFileAtomic(f, "{}\n");
  expect(readdirSync(dir).sort()).toEqual([live.split("/").at(-1)!, "state.json"]);
});

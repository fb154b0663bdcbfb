// A full disk, on small tmpfs mounts: for the cache (fetch fails with a
// short message and a hint; no half-written mirror is trusted), for DEST (a
// checkout fails the same way, without pages of git output) and for TMPDIR
// (a clear error naming the place, not "a bug in plugstack"). Needs root to
// mount; skipped, saying so, otherwise.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, makeRepo, tempDir } from "../helpers/git.ts";
import { plugstack, writeConf } from "../repro/helpers.ts";
import { leftovers } from "./helpers.ts";

setDefaultTimeout(120_000);

const tmp = tempDir("plugstack-diskfull-");
const mounts: string[] = [];
const skip =
  process.getuid?.() !== 0 ? "not root: mounting a tmpfs needs root" : Bun.spawnSync(["mount", "--version"]).exitCode !== 0 ? "no mount command" : "";
if (skip) console.log(`[skip] disk-full tests: ${skip}`);

function smallDisk(name: string, size: string): string {
  const dir = join(tmp.path, name);
  mkdirSync(dir, { recursive: true });
  const r = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${size},mode=0755`, `ps9-${name}`, dir], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`fixture: mount tmpfs on ${dir}: ${r.stderr.toString()}`);
  mounts.push(dir);
  return dir;
}

afterAll(() => {
  for (const m of mounts.reverse()) Bun.spawnSync(["umount", "-l", m]);
  tmp.cleanup();
});

let url = "";
beforeAll(() => {
  if (skip) return;
  const repo = makeRepo(join(tmp.path, "srv", "big"), { files: { "devstack/plugin.sh": "true\n" } });
  mkdirSync(join(repo.dir, "data"));
  for (let i = 0; i < 6; i++) writeFileSync(join(repo.dir, "data", `blob-${i}`), randomBytes(512 * 1024));
  git(repo.dir, "add", "-A");
  git(repo.dir, "commit", "-q", "-m", "3 MiB of data");
  url = `file://${repo.dir}`;
});

describe.skipIf(!!skip)("a full disk", () => {
  test("cache: fetch fails in a few lines with a hint; nothing half-written is trusted", async () => {
    const cache = smallDisk("cache", "1m");
    const conf = writeConf(join(tmp.path, "c1"), [`enable_plugin big ${url}`]);
    const r = await plugstack(["fetch", "-c", conf, "--retries", "1"], { cwd: tmp.path, env: { PLUGSTACK_CACHE: cache } });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr).toMatch(/No space left on device|no space left/);
    expect(r.stderr).toContain("hint:");
    expect(r.stderr.trim().split("\n").length).toBeLessThan(30);
    // no mirror at all: a partial one would have been left under a .plugstack-tmp- name (and is not)
    expect(leftovers(cache).filter((l) => !l.endsWith("plugstack-lock"))).toEqual([]);
    expect(readdirSync(join(cache, "git")).filter((e) => e.endsWith(".git"))).toEqual([]);
  });

  test("DEST: the checkout fails in a few lines with a hint, not pages of git output", async () => {
    const dest = smallDisk("dest", "1m");
    const conf = writeConf(join(tmp.path, "c2"), [`enable_plugin big ${url}`]);
    const env = { PLUGSTACK_CACHE: join(tmp.path, "cache-roomy") };
    const r = await plugstack(["stack", "-c", conf, "--dest", dest], { cwd: tmp.path, env });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr).toMatch(/No space left on device|no space left/);
    expect(r.stderr).toContain("hint:");
    expect(r.stderr.trim().split("\n").length).toBeLessThan(30);
    expect(readdirSync(dest).filter((e) => e === "big")).toEqual([]);
  });

  test("TMPDIR: an error naming the place and the fix, not 'a bug in plugstack'", async () => {
    const small = smallDisk("tmpdir", "16k");
    const conf = writeConf(join(tmp.path, "c3"), [`enable_plugin big ${url}`]);
    const r = await plugstack(["plan", "-c", conf], { cwd: tmp.path, env: { PLUGSTACK_CACHE: join(tmp.path, "cache-roomy"), TMPDIR: small } });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("bug in plugstack");
    expect(r.stderr).toContain(`no space left on the device (write ${small}/plugstack-localrc-`);
    expect(r.stderr).toContain("hint: free some space there (or point TMPDIR");
    expect(readdirSync(small)).toEqual([]);
  });
});

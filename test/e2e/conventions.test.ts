// Conventions: PLUGSTACK_OFFLINE=1, local.conf found in a parent directory
// (stopping at a git root or $HOME, and saying which file), and clean
// removing the directories plugstack made once they are empty.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, makeRepo, tempDir } from "../helpers/git.ts";
import { plugstack } from "./harness.ts";

let work: ReturnType<typeof tempDir>;
beforeAll(() => {
  work = tempDir("plugstack-conv-");
});
afterAll(() => work.cleanup());

describe("PLUGSTACK_OFFLINE=1", () => {
  test("means --offline: an uncached remote is a cache miss, not a network try", async () => {
    const conf = join(work.path, "offline.conf");
    writeFileSync(conf, `[[local|localrc]]\nDEST=${join(work.path, "dest-off")}\nenable_plugin alpha https://plugins.example.invalid/alpha.git\n`);
    const r = await plugstack(["lock", "-c", conf], { cwd: work.path, env: { PLUGSTACK_OFFLINE: "1", PLUGSTACK_CACHE: join(work.path, "cache-off") } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/offline/i);
    expect(r.stderr).not.toContain("Could not resolve host");
  });
});

describe("local.conf in a parent directory", () => {
  test("found from a subdirectory, and the file used is printed", async () => {
    const top = join(work.path, "project");
    const sub = join(top, "a", "b");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(top, "local.conf"), `[[local|localrc]]\nDEST=${join(work.path, "dest-up")}\n`);
    const r = await plugstack(["plan", "--json"], { cwd: sub, env: { HOME: work.path } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result.config).toBe(join(top, "local.conf"));
    expect(r.stderr).toContain(`using ${join(top, "local.conf")} (the nearest local.conf above ${sub})`);
  });

  test("the search stops at a git root: a local.conf above the repository is not used", async () => {
    const outer = join(work.path, "outer");
    const repo = join(outer, "repo");
    mkdirSync(join(repo, "src"), { recursive: true });
    writeFileSync(join(outer, "local.conf"), "[[local|localrc]]\n");
    git(repo, "init", "-q");
    const r = await plugstack(["plan"], { cwd: join(repo, "src"), env: { HOME: work.path } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(repo, "src", "local.conf"));
    expect(r.stderr).not.toContain(`using ${join(outer, "local.conf")}`);
  });

  test("the search stops at $HOME", async () => {
    const home = join(work.path, "home");
    mkdirSync(join(home, "x"), { recursive: true });
    writeFileSync(join(work.path, "local.conf"), "[[local|localrc]]\n");
    const r = await plugstack(["plan"], { cwd: join(home, "x"), env: { HOME: home } });
    expect(r.code).toBe(2);
    // the local.conf above $HOME is not used: the error names the one looked for
    expect(r.stderr).toContain(join(home, "x", "local.conf"));
    expect(r.stderr).not.toContain("using ");
  });
});

describe("clean", () => {
  test("removes the directories plugstack made when they are empty, and keeps the user's", async () => {
    const dest = join(work.path, "dest-clean");
    mkdirSync(join(dest, "mine"), { recursive: true });
    const plugin = makeRepo(join(work.path, "repos", "maker"), {
      files: {
        "devstack/plugin.sh": [
          'if [[ "$1" == stack && "$2" == install ]]; then mkdir -p "$DATA_DIR/maker" "$SERVICE_DIR"; touch "$DATA_DIR/maker/db"; fi',
          'if [[ "$1" == clean ]]; then rm -rf "$DATA_DIR/maker"; fi',
          "",
        ].join("\n"),
      },
    });
    const conf = join(work.path, "clean.conf");
    writeFileSync(conf, `[[local|localrc]]\nDEST=${dest}\nenable_plugin maker ${plugin.url}\n`);
    const env = { PLUGSTACK_CACHE: join(work.path, "cache-clean") };
    expect((await plugstack(["stack", "-c", conf], { cwd: work.path, env })).code).toBe(0);
    expect(readdirSync(dest).sort()).toEqual(
      [".plugstack", ".plugstack-lock", "data", "logs", "maker", "mine", "status"].filter((n) => existsSync(join(dest, n))),
    );
    const r = await plugstack(["clean", "-c", conf], { cwd: work.path, env });
    expect(r.code).toBe(0);
    for (const made of ["data", "logs", "status", "maker", ".plugstack"]) expect(existsSync(join(dest, made))).toBe(false);
    expect(existsSync(join(dest, "mine"))).toBe(true);
    expect(r.stderr).toContain(`removed ${join(dest, "data")}`);
  });
});

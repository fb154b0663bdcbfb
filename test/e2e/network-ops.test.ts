// How often the compiled binary talks to a remote: a cold stack asks each
// remote once, and a run with the lock and the cache present asks none. The
// remotes are served by a real `git daemon` on 127.0.0.1 whose own log
// (--verbose) lists every request; each clone, fetch or ls-remote is one.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtureEnv, type GitServer, makeRepo, startGitDaemon, tempDir } from "../helpers/git.ts";
import { plugstack } from "./harness.ts";

let work: ReturnType<typeof tempDir>;
let daemon: GitServer;
let conf: string;
let dest: string;
let base: string[];

/**
 * The repos the daemon was asked for while `fn` ran. A request of the test's
 * own follows the run: every connection of the run was served before it
 * started, and each logs its request before serving it, so once the
 * daemon's log shows the sentinel it shows everything the run asked.
 */
async function requestsDuring(fn: () => Promise<void>): Promise<string[]> {
  const before = daemon.requests!().length;
  await fn();
  const r = Bun.spawnSync(["git", "ls-remote", "--", daemon.urlFor("sentinel")], { env: fixtureEnv, stdout: "ignore", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ls-remote of the sentinel repo: ${r.stderr.toString()}`);
  const deadline = Date.now() + 10_000;
  let asked = daemon.requests!().slice(before);
  while (!asked.includes("/sentinel")) {
    if (Date.now() > deadline) throw new Error(`the daemon's log never showed the sentinel request; it shows: ${asked.join(", ")}`);
    await Bun.sleep(5);
    asked = daemon.requests!().slice(before);
  }
  // a request after the sentinel's (a late background connection) still counts
  return asked.filter((a) => a !== "/sentinel").sort();
}

async function ok(args: string[]): Promise<void> {
  const r = await plugstack(args, { cwd: work.path });
  if (r.code !== 0) console.error(r.stderr);
  expect(r.code).toBe(0);
}

beforeAll(async () => {
  work = tempDir("plugstack-e2e-netops-");
  const srv = join(work.path, "srv");
  // alpha clones a library in its install hook (a [[repo]] of the lock)
  makeRepo(join(srv, "alpha"), {
    files: {
      "devstack/settings": "enable_service alpha\n",
      "devstack/plugin.sh": 'if [[ "$1" == stack && "$2" == install ]]; then git_clone "$LIB_URL" "$DEST/lib1" master; fi\n',
    },
  });
  // beta has no master: enable_plugin without a ref falls back to its default branch
  makeRepo(join(srv, "beta"), { branch: "main", files: { "devstack/settings": "enable_service beta\n" } });
  makeRepo(join(srv, "lib1"), { commits: 2 });
  makeRepo(join(srv, "sentinel")); // asked by the test itself after each run (requestsDuring)
  daemon = await startGitDaemon(srv, { verbose: true });
  const cfg = join(work.path, "cfg");
  mkdirSync(cfg);
  conf = join(cfg, "local.conf");
  dest = join(work.path, "dest");
  writeFileSync(
    conf,
    [
      "[[local|localrc]]",
      `LIB_URL=${daemon.urlFor("lib1")}`,
      `enable_plugin alpha ${daemon.urlFor("alpha")}`,
      `enable_plugin beta ${daemon.urlFor("beta")}`,
      "",
    ].join("\n"),
  );
  base = ["-q", "-c", conf, "--dest", dest, "--cache-dir", join(work.path, "cache")];
});

afterAll(async () => {
  await daemon?.stop();
  work?.cleanup();
});

describe("network operations counted in the git daemon's log", () => {
  test("a cold stack asks each remote once (a default branch needs no second request)", async () => {
    const asked = await requestsDuring(() => ok(["stack", ...base]));
    expect(asked).toEqual(["/alpha", "/beta", "/lib1"]);
    expect(existsSync(join(dest, "lib1", ".git"))).toBe(true);
    expect(existsSync(`${conf}.lock`)).toBe(true);
  });

  test("a warm re-stack (lock, cache and checkouts present) makes no network operation", async () => {
    expect(await requestsDuring(() => ok(["stack", ...base]))).toEqual([]);
  });

  test("with the lock and the cache but an empty DEST, stack makes no network operation", async () => {
    rmSync(dest, { recursive: true, force: true });
    expect(await requestsDuring(() => ok(["stack", ...base]))).toEqual([]);
    expect(existsSync(join(dest, "beta", ".git"))).toBe(true);
    expect(existsSync(join(dest, "lib1", ".git"))).toBe(true);
  });

  test("fetch with the lock and the cache present makes no network operation", async () => {
    expect(await requestsDuring(() => ok(["fetch", "-q", "-c", conf, "--cache-dir", join(work.path, "cache")]))).toEqual([]);
  });

  test("the count is real: fetch with an empty cache asks every remote of the lock", async () => {
    rmSync(join(work.path, "cache"), { recursive: true, force: true });
    expect(await requestsDuring(() => ok(["fetch", "-q", "-c", conf, "--cache-dir", join(work.path, "cache")]))).toEqual(["/alpha", "/beta", "/lib1"]);
  });
});

// A password in a plugin URL (and in a URL a plugin git_clones) is used to
// fetch over http with basic auth, and written nowhere: not on stdout or
// stderr, not in the lock, state.json, the run log, $TMPDIR, the bundle,
// the checkouts' or the mirrors' .git/config. The lock keeps `***` in its
// place and treats the same repo with other credentials as the same entry.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { lstatSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseLock } from "../../src/plugins/lockfile.ts";
import { readCalls } from "../e2e/harness.ts";
import { type GitServer, makeRepo, startHttpBackend, tempDir } from "../helpers/git.ts";
import type { ProcessResult } from "../helpers/process.ts";
import { makePlugin, plugstack, writeConf } from "../repro/helpers.ts";

setDefaultTimeout(60_000);

const USER = "ps9user";
const PASSWORD = "Pw-9f3Kq7zX";
const tmp = tempDir("plugstack-secrets-");
const srv = join(tmp.path, "srv");
const dest = join(tmp.path, "dest");
const cache = join(tmp.path, "cache");
const tmpdir = join(tmp.path, "tmpdir");
const confDir = join(tmp.path, "conf");
const calls = join(tmp.path, "calls");
let server: GitServer;
let conf: string;
const outputs: ProcessResult[] = [];
const env = () => ({ PLUGSTACK_CACHE: cache, PS_CALLS: calls, TMPDIR: tmpdir, PLUGSTACK_GIT_RETRIES: "1" });

function withCreds(url: string, user = USER, password = PASSWORD): string {
  return url.replace("http://", `http://${user}:${password}@`);
}

async function run(args: string[]): Promise<ProcessResult> {
  const r = await plugstack(args, { cwd: confDir, env: env() });
  outputs.push(r);
  return r;
}

/** Every file under `dir` (symlinks not followed) whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && readFileSync(p).includes(needle)) found.push(p);
    }
  };
  walk(dir);
  return found;
}

beforeAll(async () => {
  mkdirSync(tmpdir, { recursive: true });
  makePlugin(join(srv, "alpha"), "alpha", { extra: ['if [[ "$1 $2" == "stack install" ]]; then git_clone "$LIB_REPO" "$DEST/lib"; fi'] });
  makeRepo(join(srv, "lib"), { commits: 2 });
  server = await startHttpBackend(srv, { basicAuth: { user: USER, password: PASSWORD } });
  conf = writeConf(confDir, [`LIB_REPO=${withCreds(server.urlFor("lib"))}`, `enable_plugin alpha ${withCreds(server.urlFor("alpha"))}`]);
});

afterAll(async () => {
  await server?.stop();
  tmp.cleanup();
});

describe("credentials in URLs", () => {
  test("the server refuses a fetch without them (the fixture really needs them)", async () => {
    const bare = writeConf(join(tmp.path, "bare"), [`enable_plugin alpha ${server.urlFor("alpha")}`]);
    const r = await plugstack(["lock", "-c", bare, "--cache-dir", join(tmp.path, "cache-bare")], {
      cwd: tmp.path,
      env: { ...env(), PLUGSTACK_CACHE: join(tmp.path, "cache-bare") },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("credentials");
  });

  test("lock, stack, status, plan, fetch, verify and bundle create all work with them", async () => {
    const l = await run(["lock", "-c", conf]);
    expect(l.stderr).not.toContain("internal error");
    expect(l.code).toBe(0);
    const s = await run(["stack", "-c", conf, "--dest", dest, "-v"]);
    expect(s.stderr).not.toContain("internal error");
    expect({ code: s.code, stderr: s.stderr }).toMatchObject({ code: 0 });
    expect((await readCalls(calls)).some((c) => c.startsWith("alpha stack install"))).toBe(true);
    for (const args of [["status"], ["plan"], ["fetch"], ["verify", "--full"], ["bundle", "create", join(confDir, "stack.bundle")]]) {
      // fetch and bundle create do nothing with DEST, so they do not take --dest
      const r = await run([...args, "-c", conf, ...(["fetch", "bundle"].includes(args[0]!) ? [] : ["--dest", dest])]);
      expect({ args, code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    }
    const lock = parseLock(readFileSync(`${conf}.lock`, "utf8"));
    expect(lock.plugins[0]!.url).toBe(server.urlFor("alpha").replace("http://", "http://***@"));
    expect(lock.repos.map((r) => r.url)).toEqual([server.urlFor("lib").replace("http://", "http://***@")]);
  });

  test("a wrong password fails with the URL redacted in the message", async () => {
    const bad = writeConf(join(tmp.path, "bad"), [`enable_plugin alpha ${withCreds(server.urlFor("alpha"), USER, `${PASSWORD}-wrong`)}`]);
    const r = await plugstack(["lock", "-c", bad], { cwd: tmp.path, env: { ...env(), PLUGSTACK_CACHE: join(tmp.path, "cache-bad") } });
    outputs.push(r);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("***@127.0.0.1");
    expect(r.stderr).not.toContain(`${PASSWORD}-wrong`);
  });

  test("the same repo with other credentials is the same lock entry (--locked passes, nothing rewritten)", async () => {
    const before = readFileSync(`${conf}.lock`, "utf8");
    const other = writeConf(join(tmp.path, "other"), [
      `LIB_REPO=${withCreds(server.urlFor("lib"))}`,
      `enable_plugin alpha ${withCreds(server.urlFor("alpha"), "someone", "else")}`,
    ]);
    Bun.spawnSync(["cp", `${conf}.lock`, `${other}.lock`]);
    const r = await plugstack(["plan", "-c", other, "--locked", "--dest", dest], { cwd: tmp.path, env: env() });
    outputs.push(r);
    expect(r.stderr).not.toContain("does not match");
    expect(r.code).toBe(0);
    expect(readFileSync(`${other}.lock`, "utf8")).toBe(before);
  });

  test("neither the user nor the password is anywhere: DEST, cache, lock, bundle, TMPDIR, outputs", () => {
    for (const secret of [PASSWORD, USER]) {
      for (const dir of [dest, cache, confDir, tmpdir]) {
        // local.conf is the user's own file, the one place the secret belongs
        const files = filesContaining(dir, secret).filter((f) => !f.endsWith("/local.conf"));
        expect({ dir, secret, files }).toEqual({ dir, secret, files: [] });
      }
      for (const o of outputs) {
        expect(o.stdout).not.toContain(secret);
        expect(o.stderr).not.toContain(secret);
      }
    }
    // and the places named in the issue exist (the grep looked at real files)
    expect(readdirSync(join(dest, "logs")).some((f) => f.endsWith(".log"))).toBe(true);
    expect(readFileSync(join(dest, ".plugstack", "state.json"), "utf8")).toContain("***@127.0.0.1");
    expect(readFileSync(join(dest, "alpha", ".git", "config"), "utf8")).toContain(server.urlFor("alpha"));
    expect(readdirSync(tmpdir)).toEqual([]);
  });
});

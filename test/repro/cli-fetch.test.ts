// fetch, bundle create, verify and status with the compiled binary.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { parseLock } from "../../src/plugins/lockfile.ts";
import { git } from "../helpers/git.ts";
import { gitDaemonSuite } from "../plugins/ctx.ts";
import { makePlugin, plugstack, writeConf } from "./helpers.ts";

setDefaultTimeout(30_000); // git and the compiled binary on a loaded 2-core machine

const { tmp, srv, urlFor } = gitDaemonSuite({ prefix: "plugstack-cli-fetch-", startTimeoutMs: 30_000 });
let conf: string;
const cache = join(tmp, "cache");
const dest = join(tmp, "dest");
const run = (...args: string[]) => plugstack([...args, "-c", conf], { cwd: tmp, env: { PLUGSTACK_CACHE: cache, PS_CALLS: join(tmp, "calls") } });

beforeAll(async () => {
  makePlugin(join(srv, "alpha"), "alpha", { commits: 2 });
  makePlugin(join(srv, "beta"), "beta");
  conf = writeConf(join(tmp, "cfg"), [`DEST=${dest}`, `enable_plugin alpha ${urlFor("alpha")}`, `enable_plugin beta ${urlFor("beta")}`]);
}, 30_000);

describe("fetch", () => {
  test("--locked without a lock fails and writes nothing", async () => {
    const r = await run("fetch", "--locked");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("there is no lock file");
    expect(existsSync(`${conf}.lock`)).toBe(false);
    expect(existsSync(cache)).toBe(false);
  });

  test("--dry-run without a lock says so and touches nothing", async () => {
    const r = await run("fetch", "--dry-run");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("fetch --dry-run: there is no lock");
    expect(existsSync(cache)).toBe(false);
  });

  test("without a lock: resolves the config, writes the lock, fills and pins the cache (--json)", async () => {
    const r = await run("fetch", "--json", "-j", "2");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout).result;
    const lock = parseLock(readFileSync(`${conf}.lock`, "utf8"));
    expect(out.lockChanges).toHaveLength(2);
    expect(out.entries.map((e: { name: string; commit: string }) => [e.name, e.commit])).toEqual(lock.plugins.map((p) => [p.name, p.commit]));
    for (const e of out.entries) expect(git(e.mirror, "rev-parse", `refs/pins/${e.commit}`)).toBe(e.commit);
  });

  test("--dry-run lists what is cached and what a fetch would get, changing nothing", async () => {
    const other = join(tmp, "other-cache");
    const r = await plugstack(["fetch", "--dry-run", "-c", conf], { cwd: tmp, env: { PLUGSTACK_CACHE: other } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fetch +alpha +[0-9a-f]{7} +git:\/\//m);
    expect(existsSync(other)).toBe(false);
    expect((await run("fetch", "--dry-run")).stdout).toMatch(/^cached +beta +[0-9a-f]{7} +git:\/\//m);
  });

  test("a mirror lock a killed fetch left behind is cleared by the next fetch; a live process's lock and an unreadable one stay", async () => {
    const gitDir = join(cache, "git");
    const mirror = readdirSync(gitDir).find((e) => e.endsWith(".git"))!;
    const dead = Number(Bun.spawnSync(["sh", "-c", "echo $$"]).stdout.toString().trim());
    const lock = (pid: number) => JSON.stringify({ pid, host: hostname(), command: "plugstack fetch", since: "then" });
    writeFileSync(join(gitDir, `${mirror}.plugstack-lock`), lock(dead));
    writeFileSync(join(gitDir, "elsewhere.git.plugstack-lock"), lock(process.pid));
    writeFileSync(join(gitDir, "half-written.git.plugstack-lock"), "");
    try {
      const r = await run("fetch", "-q");
      expect(r.code, r.stderr).toBe(0);
      expect(
        readdirSync(gitDir)
          .filter((e) => e.endsWith("-lock"))
          .sort(),
      ).toEqual(["elsewhere.git.plugstack-lock", "half-written.git.plugstack-lock"]);
    } finally {
      rmSync(join(gitDir, "elsewhere.git.plugstack-lock"), { force: true });
      rmSync(join(gitDir, "half-written.git.plugstack-lock"), { force: true });
    }
  });

  test("bad --timeout and --retries are usage errors", async () => {
    expect((await run("fetch", "--timeout", "0")).code).toBe(2);
    expect((await run("fetch", "--retries", "x")).stderr).toContain('--retries takes a whole number of 1 or more, not "x"');
  });
});

describe("bundle create", () => {
  test("--offline with an empty cache names every missing commit and the fix", async () => {
    const r = await plugstack(["bundle", "create", join(tmp, "x.bundle"), "--offline", "-c", conf], {
      cwd: tmp,
      env: { PLUGSTACK_CACHE: join(tmp, "empty-cache") },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot bundle: 2 locked commits are not in the cache");
    expect(r.stderr).toContain("- alpha: ");
    expect(r.stderr).toContain("plugstack fetch");
    expect(existsSync(join(tmp, "x.bundle"))).toBe(false);
  });
});

describe("verify and status after a stack", () => {
  test("stack, then verify and status report no drift", async () => {
    const s = await run("stack", "-q");
    expect(s.stderr).not.toContain("internal error");
    expect({ code: s.code, err: s.code ? s.stderr : "" }).toEqual({ code: 0, err: "" });
    const v = await run("verify");
    expect(v.code).toBe(0);
    expect(v.stdout).toContain("ok    alpha");
    expect((await run("status")).code).toBe(0);
  }, 60_000);

  test("a moved or edited checkout and an edited local.conf: verify and status exit 1 naming the drift", async () => {
    const lock = parseLock(readFileSync(`${conf}.lock`, "utf8"));
    const alpha = lock.plugins.find((p) => p.name === "alpha")!.commit!;
    git(join(dest, "alpha"), "checkout", "-q", "--detach", "HEAD~1");
    appendFileSync(join(dest, "beta", "devstack", "settings"), "# local edit\n");
    const v = await run("verify", "--json");
    expect(v.code).toBe(1);
    const report = JSON.parse(v.stdout).result;
    expect(report.checkouts.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([
      ["alpha", "drift"],
      ["beta", "drift"],
    ]);
    expect(report.checkouts[0].detail).toContain(`the lock says ${alpha.slice(0, 7)}`);
    const st = await run("status");
    expect(st.code).toBe(1);
    expect(st.stdout).toMatch(/alpha .*DRIFT: checkout moved/);
    expect(st.stdout).toMatch(/beta .*DRIFT: local changes/);
    const good = readFileSync(conf, "utf8");
    writeFileSync(conf, good.replace(/^enable_plugin beta (\S+)$/m, "enable_plugin beta $1 stable/x"));
    try {
      const st2 = await run("status");
      expect(st2.stdout).toContain(`config vs ${conf}.lock:`);
      expect(st2.stdout).toContain("DRIFT: beta: ref is stable/x in the config but master in the lock");
    } finally {
      writeFileSync(conf, good);
    }
    rmSync(join(dest, "alpha"), { recursive: true, force: true });
  }, 60_000);
});

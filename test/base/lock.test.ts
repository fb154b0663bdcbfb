// The base layer in the lock (issue 15, Deliver 1-2 and 6): DevStack itself,
// served by a real git daemon from the fixture bundle, is pinned in [base],
// shown by plan, fetched, verified, bundled and imported like a plugin, and
// re-resolved by `lock --update devstack`. Drives the compiled binary.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { baseTreeFor } from "../../src/base/tree.ts";
import { loadLock } from "../../src/plugins/lockfile.ts";
import { runBinary } from "../e2e/harness.ts";
import { git } from "../helpers/git.ts";
import { gitDaemonSuite } from "../plugins/ctx.ts";
import { BIN, makePlugin, netnsSkipReason, plugstack, plugstackNoNet, writeConf } from "../repro/helpers.ts";
import { DEVSTACK_MASTER, DEVSTACK_STABLE, devstackSkipReason, serveDevstack } from "./fixture.ts";

setDefaultTimeout(60_000);

const skip = devstackSkipReason();
if (skip) console.log(`skipping base lock tests: ${skip}`);

describe.skipIf(!!skip)("base layer: lock, plan, fetch, verify, bundle", () => {
  const { tmp, srv, urlFor } = gitDaemonSuite({ prefix: "plugstack-base-lock-", startTimeoutMs: 30_000 });
  let conf: string;
  let cfg: string;
  let plugin: ReturnType<typeof makePlugin>;
  const env = (cache = "cache") => ({ PLUGSTACK_CACHE: join(tmp, cache) });
  const run = (args: string[], cache?: string) => plugstack([...args, "-c", conf], { cwd: cfg, env: env(cache) });
  const baseLine = () => `PLUGSTACK_BASE=${urlFor("devstack")}@stable/2026.1`;

  beforeAll(() => {
    serveDevstack(srv);
    plugin = makePlugin(join(srv, "fx-one"), "fx-one");
    cfg = join(tmp, "cfg");
    conf = writeConf(cfg, [
      `DEST=${join(tmp, "dest")}`,
      baseLine(),
      "disable_all_services",
      "enable_service mysql",
      `enable_plugin fx-one ${urlFor("fx-one")}`,
    ]);
  });

  test("lock pins the base in [base] (url, ref, commit) beside the plugins", async () => {
    const r = await run(["lock"]);
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `devstack (base)  added ${DEVSTACK_STABLE.slice(0, 7)} (stable/2026.1)\nfx-one           added ${plugin.commits[0]!.slice(0, 7)} (master)\n`,
    );
    const lock = readFileSync(`${conf}.lock`, "utf8");
    expect(lock).toContain(`[base]\nurl = "${urlFor("devstack")}"\nref = "stable/2026.1"\ncommit = "${DEVSTACK_STABLE}"\n`);
  });

  test("plan and plan --json show the base with its ref and commit", async () => {
    const r = await run(["plan"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`base   ${DEVSTACK_STABLE.slice(0, 12)}  stable/2026.1 (lock)  ${urlFor("devstack")}`);
    const j = JSON.parse((await run(["plan", "--json"])).stdout).result;
    expect(j.base).toMatchObject({
      url: urlFor("devstack"),
      ref: "stable/2026.1",
      commit: DEVSTACK_STABLE,
      fromLock: true,
      source: "localrc",
      dir: join(tmp, "dest", "devstack"),
    });
    expect(j.plugins.map((p: { name: string }) => p.name)).toEqual(["fx-one"]);
    expect(j.steps).toEqual(["override_defaults", "source", "stack pre-install", "stack install", "stack post-config", "stack extra", "stack test-config"]);
  });

  test("--base wins over localrc; PLUGSTACK_BASE from the environment applies when localrc sets none", async () => {
    const flag = JSON.parse((await run(["plan", "--json", "--base", `${urlFor("devstack")}@master`])).stdout).result;
    expect(flag.base).toMatchObject({ ref: "master", commit: DEVSTACK_MASTER, fromLock: false, source: "flag" });
    const envDir = join(tmp, "cfg-env");
    const envConf = writeConf(envDir, [`DEST=${join(tmp, "dest-env")}`, "disable_all_services"]);
    const r = await plugstack(["plan", "--json", "-c", envConf], { cwd: envDir, env: { ...env(), PLUGSTACK_BASE: `${urlFor("devstack")}@master` } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result.base).toMatchObject({ ref: "master", commit: DEVSTACK_MASTER, source: "env" });
  });

  test("--locked names the base when its ref differs from the lock", async () => {
    const r = await run(["plan", "--locked", "--base", `${urlFor("devstack")}@master`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("base: ref is master in the config but stable/2026.1 in the lock");
  });

  test("a base ref that does not exist is an error naming PLUGSTACK_BASE's line, with the branches there", async () => {
    const badDir = join(tmp, "cfg-bad");
    const bad = writeConf(badDir, [`DEST=${join(tmp, "dest-bad")}`, `PLUGSTACK_BASE=${urlFor("devstack")}@stable/1999.9`]);
    const r = await plugstack(["lock", "-c", bad], { cwd: badDir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`devstack: ref stable/1999.9 not found in ${urlFor("devstack")}`);
    expect(r.stderr).toContain(`the REF of PLUGSTACK_BASE (${bad}:3)`);
    expect(r.stderr).toContain("master");
  });

  test("fetch fills the cache with the base; verify checks it; bundle carries it to an empty cache", async () => {
    const f = await run(["fetch"]);
    expect(f.code).toBe(0);
    expect(f.stderr).toContain("devstack (base)");
    const v = await run(["verify", "--json"]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).result.cache).toContainEqual(
      expect.objectContaining({ name: "devstack (base)", kind: "base", status: "ok", commit: DEVSTACK_STABLE }),
    );
    const file = join(tmp, "stack.bundle");
    const b = await run(["bundle", "create", file]);
    expect(b.code).toBe(0);

    // the isolated side: same local.conf, no lock, an empty cache, no network
    const far = join(tmp, "far");
    mkdirSync(far);
    writeFileSync(join(far, "local.conf"), readFileSync(conf, "utf8"));
    const farEnv = { PLUGSTACK_CACHE: join(tmp, "far-cache") };
    const noNet = netnsSkipReason();
    const runFar = noNet ? plugstack : plugstackNoNet;
    if (noNet) console.log(`base bundle import runs with the network: ${noNet}`);
    const imp = await runFar(["bundle", "import", file], { cwd: far, env: farEnv });
    expect(imp.code).toBe(0);
    expect(readFileSync(join(far, "local.conf.lock"), "utf8")).toContain(`commit = "${DEVSTACK_STABLE}"`);
    const planned = await runFar(["plan", "--frozen", "--json"], { cwd: far, env: farEnv });
    expect(planned.code).toBe(0);
    expect(JSON.parse(planned.stdout).result.base).toMatchObject({ commit: DEVSTACK_STABLE, fromLock: true });
  });

  test("baseTreeFor reads DevStack's files at the locked commit from the cache, offline", async () => {
    const lock = loadLock(`${conf}.lock`)!;
    const tree = await baseTreeFor({ env: { PATH: process.env.PATH }, offline: true, cacheDir: join(tmp, "cache") }, lock, {
      baseDir: cfg,
      dest: join(tmp, "dest"),
    });
    expect(tree?.commit).toBe(DEVSTACK_STABLE);
    expect(existsSync(join(tree!.dir, "files", "debs", "general"))).toBe(true);
    expect(existsSync(join(tree!.dir, "stack.sh"))).toBe(true);
    tree!.dispose();
    expect(existsSync(tree!.dir)).toBe(false);
  });

  test("lock --update devstack moves the base to its ref's new tip and prints old -> new", async () => {
    const work = join(tmp, "devstack-work");
    git(tmp, "clone", "--quiet", "-b", "stable/2026.1", join(srv, "devstack"), work);
    git(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "--allow-empty", "-m", "next");
    const next = git(work, "rev-parse", "HEAD").trim();
    git(work, "push", "--quiet", "origin", "HEAD:stable/2026.1");
    expect((await run(["lock"])).stdout).toBe(`lock is up to date (${conf}.lock)\n`);
    const r = await run(["lock", "--update", "devstack"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`devstack (base)  ${DEVSTACK_STABLE.slice(0, 7)} -> ${next.slice(0, 7)} (stable/2026.1)\n`);
    expect(readFileSync(`${conf}.lock`, "utf8")).toContain(`commit = "${next}"`);
  });
});

// the case runs the binary as another user (nobody), which only root can arrange
const notRoot = process.getuid?.() === 0 ? "" : "not root: the no-root-no-sudo case needs to run the binary as nobody";
if (notRoot && !skip) console.log(`[skip] base layer, who may run DevStack: ${notRoot}`);

describe.skipIf(!!skip || !!notRoot)("base layer: who may run DevStack", () => {
  const { tmp, srv, urlFor } = gitDaemonSuite({ prefix: "plugstack-base-user-", startTimeoutMs: 30_000 });
  beforeAll(() => {
    serveDevstack(srv);
  });

  test("without root or passwordless sudo, stack stops before anything of DevStack runs, saying what it needs", async () => {
    // nobody: not root, no sudo rule; everything it needs is in a directory it may write
    const home = join(tmp, "nobody");
    mkdirSync(home, { mode: 0o777 });
    Bun.spawnSync(["chmod", "0777", tmp, home]);
    const conf = writeConf(home, [`DEST=${join(home, "dest")}`, `PLUGSTACK_BASE=${urlFor("devstack")}`, "disable_all_services"]);
    Bun.spawnSync(["chmod", "0666", conf]);
    const r = await runBinary(BIN, ["stack", "-c", conf], {
      cwd: home,
      env: { HOME: home, PLUGSTACK_CACHE: join(home, "cache"), NO_COLOR: "1" },
      wrapper: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"],
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("DevStack's stack.sh needs root or passwordless sudo, and this user has neither");
    expect(r.stderr).toContain("run plugstack as root");
    // nothing was fetched or checked out for a run that cannot happen
    expect(existsSync(join(home, "dest", "devstack"))).toBe(false);
  });
});

// A whole stack (issue 15): DevStack itself, from the fixture bundle, as the
// pinned base layer; in-tree mysql (real MariaDB under systemd) plus two
// fixture plugins, in a root that boots systemd as PID 1 in its own
// namespaces (test/helpers/devstack-root.ts). The hook trace of plugstack's
// run equals the trace of the same local.conf run by plain DevStack with its
// own enable_plugin machinery; the lock pins DevStack, the plugins and the
// repos DevStack clones; a bundle carries them to an empty cache, and
// `stack --frozen` inside `unshare -n` (no network at all) stacks again at the
// same commits; unstack and clean run DevStack's own scripts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseLock } from "../../src/plugins/lockfile.ts";
import {
  baseLocalConf,
  devstackFixtureUnavailable,
  devstackPackages,
  type GitFixtures,
  installPythonShim,
  makeGitFixtures,
} from "../helpers/devstack-fixtures.ts";
import { prepareDevstackRoot, SystemdRoot, systemdRootUnavailable } from "../helpers/devstack-root.ts";
import { makeRepo, tempDir } from "../helpers/git.ts";
import { BIN } from "../repro/helpers.ts";

const skip = systemdRootUnavailable() || devstackFixtureUnavailable();
if (skip) console.log(`[skip] whole-stack tests with DevStack as the base: ${skip}`);

const PLUGINS_DIR = join(import.meta.dir, "../fixtures/base-plugins");
const PS = "/srv/ps15/bin/plugstack";
const CONF = "/root/cfg/local.conf";
const TRACE = "/opt/stack/fx-trace";

/** A fixture plugin directory as a bare repository `<dir>/<name>.git`. */
function pluginRepo(dir: string, name: string): string {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(PLUGINS_DIR, name, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else files[p] = readFileSync(join(PLUGINS_DIR, name, p), "utf8");
    }
  };
  walk("");
  return makeRepo(join(dir, `${name}.git`), { bare: true, files, commits: [{ message: `${name} fixture`, files }] }).commits[0]!;
}

/** The test's local.conf: the harness's (HOST_IP, no KSM, requirements from the fixture) plus the plugins. */
function localConf(url: string, extra: string[] = []): string {
  return baseLocalConf(
    url,
    [
      // the frozen run's network namespace has no interfaces: the mysql client goes through MariaDB's socket
      "MYSQL_HOST=localhost",
      `FX_TRACE=${TRACE}`,
      `enable_plugin fx-base-a ${url}/fx-base-a.git`,
      `enable_plugin fx-base-b ${url}/fx-base-b.git`,
      ...extra,
      "",
    ].join("\n"),
  );
}

describe.skipIf(!!skip)("whole stack: DevStack as the pinned base layer, in a systemd root", () => {
  const tmp = tempDir("ps15-stack-");
  let fx: GitFixtures;
  let layers: string[];
  let debRepo: string;
  const commits: Record<string, string> = {};
  let plainTrace = "";
  let root: SystemdRoot | undefined;
  let url = "";

  beforeAll(async () => {
    fx = makeGitFixtures(join(tmp.path, "git"));
    for (const name of ["fx-base-a", "fx-base-b", "fx-base-gone"]) commits[name] = pluginRepo(fx.dir, name);
    const names = await devstackPackages(fx.devstackTree, ["mysql"]);
    ({ debRepo, layers } = await prepareDevstackRoot(names));
  }, 900_000);

  afterAll(async () => {
    await root?.stop();
    tmp.cleanup();
  });

  const boot = async () => {
    const r = await SystemdRoot.boot({ layers, debRepo, binds: [{ host: dirname(BIN), target: dirname(PS), readonly: true }] });
    url = await r.serveGit(fx.dir);
    await installPythonShim(r);
    return r;
  };

  /** git in a checkout under DEST, as its owner (the stack user). */
  const gitIn = async (r: SystemdRoot, dir: string, args: string) =>
    (await r.sh(`git -C ${dir} ${args}`, { user: "stack", env: { HOME: "/opt/stack" } })).trim();

  /** plugstack inside the root, as root; `wrap` runs it under e.g. unshare -n. */
  const ps = (r: SystemdRoot, args: string[], wrap: string[] = []) =>
    r.exec([...wrap, PS, ...args, "-c", CONF], { env: { PLUGSTACK_CACHE: "/root/ps-cache", NO_COLOR: "1" } });

  test("plain DevStack with its own enable_plugin: the reference trace", async () => {
    const r = await boot();
    try {
      await r.sh(`git clone -q ${url}/devstack.git /root/devstack && STACK_USER=stack /root/devstack/tools/create-stack-user.sh >/dev/null`);
      await r.sh(`git clone -q ${url}/devstack.git /opt/stack/devstack`, { user: "stack", env: { HOME: "/opt/stack" } });
      writeFileSync(r.path("/opt/stack/devstack/local.conf"), localConf(url));
      const t0 = performance.now();
      const stack = await r.exec(["./stack.sh"], { user: "stack", cwd: "/opt/stack/devstack", env: { HOME: "/opt/stack" } });
      console.log(`plain DevStack stack.sh: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      if (stack.code !== 0) console.log(`stack.sh failed:\n${stack.stdout.slice(-6000)}\n${stack.stderr.slice(-3000)}`);
      expect(stack.code).toBe(0);
      plainTrace = readFileSync(r.path(TRACE), "utf8");
    } finally {
      await r.stop();
    }
    // in-tree work before each phase is visible to the plugins, and they run in enable_plugin order
    expect(plainTrace).toContain(
      "stack pre-install fx-base-a series=2026.2 db-type=mysql+pymysql keystone=off requirements=yes db-login=no\nstack pre-install fx-base-b\n",
    );
    expect(plainTrace).toContain("stack post-config fx-base-a series=2026.2 db-type=mysql+pymysql keystone=off requirements=yes db-login=1\n");
    expect(plainTrace).toContain("fx-base-b database: fxb\n");
  }, 900_000);

  test("plugstack stacks the same local.conf with PLUGSTACK_BASE: same hook trace, everything pinned in one lock", async () => {
    expect(plainTrace).not.toBe("");
    root = await boot();
    const r = root;
    await r.sh("mkdir -p /root/cfg");
    writeFileSync(r.path(CONF), localConf(url, [`PLUGSTACK_BASE=${url}/devstack.git`]));
    const t0 = performance.now();
    const s = await ps(r, ["stack"]);
    console.log(`plugstack stack (connected): ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    if (s.code !== 0) console.log(`plugstack stack failed:\n${s.stdout.slice(-4000)}\n${s.stderr.slice(-6000)}`);
    expect(s.code).toBe(0);
    expect(readFileSync(r.path(TRACE), "utf8")).toBe(plainTrace);
    // DevStack ran as the stack user plugstack created, from the pinned checkout, unedited
    expect((await r.sh("stat -c %U /opt/stack/devstack")).trim()).toBe("stack");
    expect(await gitIn(r, "/opt/stack/devstack", "rev-parse HEAD")).toBe(fx.devstackCommit);
    expect(await gitIn(r, "/opt/stack/devstack", "status --porcelain --untracked-files=no")).toBe("");
    expect((await r.exec(["systemctl", "is-active", "mariadb"])).stdout.trim()).toBe("active");

    const lock = parseLock(readFileSync(r.path(`${CONF}.lock`), "utf8"));
    expect(lock.base).toEqual({ url: `${url}/devstack.git`, ref: "master", commit: fx.devstackCommit });
    expect(lock.plugins.map((p) => [p.name, p.commit])).toEqual([
      ["fx-base-a", commits["fx-base-a"]],
      ["fx-base-b", commits["fx-base-b"]],
    ]);
    expect(lock.repos).toEqual([{ url: `${url}/requirements.git`, ref: "master", commit: fx.requirementsCommit, requested_by: "devstack" }]);

    // progress and timings as in the plugin-only mode: phase headers, the table per phase and plugin
    expect(s.stderr).toMatch(/stack install\s+\d/);
    expect(s.stderr).toMatch(/devstack after stack install\s+\d/);
    const state = JSON.parse(readFileSync(r.path("/opt/stack/.plugstack/state.json"), "utf8"));
    expect(state.plugins.map((p: { name: string; base?: boolean }) => [p.name, !!p.base])).toEqual([
      ["devstack", true],
      ["fx-base-a", false],
      ["fx-base-b", false],
    ]);
    const steps = state.runs.stack.timings.steps.map((x: { name: string }) => x.name);
    // scripts stack.sh runs that source stackrc again (tools/*) add no steps of their own
    expect(steps.filter((x: string) => x === "devstack setup")).toHaveLength(1);
    expect(steps).toEqual(
      expect.arrayContaining([
        "devstack setup",
        "override_defaults",
        "source",
        "stack pre-install",
        "stack install",
        "stack post-config",
        "stack extra",
        "stack test-config",
      ]),
    );
    const hooks = state.runs.stack.timings.hooks.map((h: { step: string; plugin: string }) => `${h.step}: ${h.plugin}`);
    expect(hooks).toEqual(
      expect.arrayContaining(["override_defaults: fx-base-a", "source: fx-base-a", "source: fx-base-b", "stack extra: fx-base-a", "stack extra: fx-base-b"]),
    );
    expect(state.runs.stack.status).toBe("ok");
    expect(state.runs.stack.timings.plugins.map((p: { name: string }) => p.name)).toEqual(["fx-base-a", "fx-base-b"]);

    // status: what is stacked, the base included, with no drift
    const st = await ps(r, ["status", "--json"]);
    expect(st.code).toBe(0);
    const stacked = JSON.parse(st.stdout).result.plugins.find((p: { name: string }) => p.name === "devstack");
    expect(stacked).toMatchObject({ stacked: fx.devstackCommit, locked: fx.devstackCommit, head: fx.devstackCommit, drift: [] });
  }, 900_000);

  test("a bundle carries base, plugins and repos; stack --frozen inside unshare -n restores and stacks at the same commits", async () => {
    const r = root!;
    const lockBefore = readFileSync(r.path(`${CONF}.lock`), "utf8");
    // DevStack's own packages (its lists and what its code asked apt for on the connected run) into the cache
    const fp = await ps(r, ["fetch", "--packages"]);
    if (fp.code !== 0) console.log(fp.stderr.slice(-3000));
    expect(fp.code).toBe(0);
    const b = await ps(r, ["bundle", "create", "/root/stack.bundle"]);
    expect(b.code).toBe(0);
    // the isolated machine: an empty cache, no requirements checkout, a modified DevStack checkout,
    // and a package of DevStack's general list (bc) that is not installed
    await r.sh("mv /root/ps-cache /root/ps-cache.connected && rm -rf /opt/stack/requirements && : > /opt/stack/fx-trace");
    await r.sh("apt-get purge -y -q bc >/dev/null && : > /var/log/pip-shim.log");
    const aptFiles = "cat /etc/apt/sources.list; ls /etc/apt/apt.conf.d /etc/apt/sources.list.d";
    const aptBefore = await r.sh(aptFiles);
    await r.sh("echo '# a local edit' >> /opt/stack/devstack/README.rst", { user: "stack", env: { HOME: "/opt/stack" } });
    const imp = await r.exec(["unshare", "-n", PS, "bundle", "import", "/root/stack.bundle"], {
      cwd: "/root/cfg",
      env: { PLUGSTACK_CACHE: "/root/ps-cache", NO_COLOR: "1" },
    });
    if (imp.code !== 0) console.log(imp.stderr.slice(-3000));
    expect(imp.code).toBe(0);
    const t0 = performance.now();
    const s = await ps(r, ["stack", "--frozen"], ["unshare", "-n"]);
    console.log(`plugstack stack --frozen in unshare -n: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    if (s.code !== 0) console.log(`frozen stack failed:\n${s.stdout.slice(-4000)}\n${s.stderr.slice(-6000)}`);
    expect(s.code).toBe(0);
    // the checkout with local changes was kept, changes and all, and said so
    expect(s.stderr).toContain("devstack: kept: local changes");
    expect(readFileSync(r.path("/opt/stack/devstack/README.rst"), "utf8")).toEndWith("# a local edit\n");
    // requirements came back from the cache at its locked commit; nothing else moved
    expect(await gitIn(r, "/opt/stack/requirements", "rev-parse HEAD")).toBe(fx.requirementsCommit);
    for (const [name, commit] of Object.entries({ devstack: fx.devstackCommit, "fx-base-a": commits["fx-base-a"]!, "fx-base-b": commits["fx-base-b"]! })) {
      expect(await gitIn(r, `/opt/stack/${name}`, "rev-parse HEAD")).toBe(commit);
    }
    expect(readFileSync(r.path(`${CONF}.lock`), "utf8")).toBe(lockBefore);
    expect(readFileSync(r.path(TRACE), "utf8")).toBe(plainTrace.replaceAll("db-login=no", "db-login=1"));
    // DevStack's own install_package got bc from the bundle's package cache, and the user's apt sources are as they were
    expect((await r.sh("echo 6*7 | bc")).trim()).toBe("42");
    expect(await r.sh(aptFiles)).toBe(aptBefore);
    // DevStack's pip calls ran against the bundle's wheelhouse with no index
    expect(await r.sh("cat /var/log/pip-shim.log")).toMatch(
      /^pip install .*PyMySQL.* \[PIP_NO_INDEX=1 PIP_FIND_LINKS=\/root\/ps-cache\/packages\/[^/\]]+\/wheels\]$/m,
    );
  }, 900_000);

  test("--force stashes the base's local changes; a plugin that sources a $TOP_DIR file the base lacks: the failure names the plugin, the file:line and the fix", async () => {
    const r = root!;
    const conf = readFileSync(r.path(CONF), "utf8");
    writeFileSync(r.path(CONF), `${conf}enable_plugin fx-base-gone ${url}/fx-base-gone.git\n`);
    try {
      // --force too: the base's local changes (from the test before) go into a stash first
      const s = await ps(r, ["stack", "--force"]);
      expect(s.code).toBe(1);
      expect(s.stderr).toContain("local changes were saved in stash");
      expect(await gitIn(r, "/opt/stack/devstack", "status --porcelain --untracked-files=no")).toBe("");
      expect(await gitIn(r, "/opt/stack/devstack", "stash list")).toContain("plugstack --force: local changes of devstack");
      expect(s.stderr).toContain("plugin fx-base-gone failed during source at /opt/stack/fx-base-gone/devstack/settings:2");
      expect(s.stderr).toContain(`$TOP_DIR/lib/neutron_plugins/fx_gone does not exist in the base (DevStack at ${fx.devstackCommit.slice(0, 7)}`);
      expect(s.stderr).toContain("PLUGSTACK_BASE");
    } finally {
      writeFileSync(r.path(CONF), conf);
    }
  }, 600_000);

  test("unstack and clean run DevStack's own unstack.sh and clean.sh", async () => {
    const r = root!;
    await r.sh(`: > ${TRACE}`);
    const u = await ps(r, ["unstack"]);
    if (u.code !== 0) console.log(u.stderr.slice(-4000));
    expect(u.code).toBe(0);
    const utrace = readFileSync(r.path(TRACE), "utf8");
    if (!utrace.includes("unstack  fx-base-b\n")) console.log(`unstack output:\n${u.stdout.slice(-2000)}\n${u.stderr.slice(-4000)}`);
    expect(utrace).toContain("unstack  fx-base-b\n");
    const ulog = await r.sh("cat /opt/stack/logs/plugstack-unstack.log");
    expect(ulog).toContain("/opt/stack/devstack/unstack.sh");
    const c = await ps(r, ["clean"]);
    if (c.code !== 0) console.log(c.stderr.slice(-4000));
    expect(c.code).toBe(0);
    expect(readFileSync(r.path(TRACE), "utf8")).toContain("clean  fx-base-b\n");
    // DevStack's clean.sh stops and purges the database server
    expect((await r.exec(["dpkg-query", "-W", "-f", "${Status}", "mariadb-server"])).stdout).not.toContain("install ok installed");
    // the DevStack checkout stays, as after DevStack's own clean.sh
    expect(await gitIn(r, "/opt/stack/devstack", "rev-parse HEAD")).toBe(fx.devstackCommit);
  }, 600_000);
});

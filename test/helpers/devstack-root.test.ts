// The systemd root harness, proven with real DevStack: plain DevStack (no
// plugstack) stacks `disable_all_services` + mysql to rc=0 as user `stack`
// inside a root that boots systemd as PID 1, with real MariaDB from Debian's
// archive (served from a local repository), then unstack.sh and clean.sh.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { prepareDevstackRoot, SystemdRoot, systemdRootUnavailable } from "./devstack-root.ts";
import { baseLocalConf, devstackFixtureUnavailable, devstackPackages, type GitFixtures, installPythonShim, makeGitFixtures } from "./devstack-fixtures.ts";
import { tempDir } from "./git.ts";

const skip = systemdRootUnavailable() || devstackFixtureUnavailable();
if (skip) console.log(`[skip] systemd root harness: ${skip}`);

describe.skipIf(!!skip)("systemd root harness", () => {
  const tmp = tempDir("ps15-harness-");
  let root: SystemdRoot | undefined;
  let fx: GitFixtures;

  beforeAll(async () => {
    fx = makeGitFixtures(join(tmp.path, "git"));
    const names = await devstackPackages(fx.devstackTree, ["mysql"]);
    const { debRepo, layers } = await prepareDevstackRoot(names);
    root = await SystemdRoot.boot({ layers, debRepo });
  }, 900_000);

  afterAll(async () => {
    await root?.stop();
    tmp.cleanup();
  });

  test("systemd is PID 1 in its own namespaces and the host keeps its name", async () => {
    const r = root!;
    expect((await r.sh("ps -o comm= -p 1")).trim()).toBe("systemd");
    expect((await r.sh("hostname")).trim()).toBe("ps15-root");
    expect((await r.exec(["hostname"])).stdout.trim()).not.toBe(require("node:os").hostname());
    // only loopback: the namespace cannot reach any other host
    expect((await r.sh("ip -o link show | awk -F': ' '{print $2}'")).trim()).toBe("lo");
  });

  test("plain DevStack stacks mysql to rc=0 under systemd, then unstack.sh and clean.sh return 0", async () => {
    const r = root!;
    const url = await r.serveGit(fx.dir);
    const pipLog = await installPythonShim(r);
    await r.sh(`git clone -q ${url}/devstack.git /root/devstack && STACK_USER=stack /root/devstack/tools/create-stack-user.sh >/dev/null`);
    await r.sh(`git clone -q ${url}/devstack.git /opt/stack/devstack`, { user: "stack", env: { HOME: "/opt/stack" } });
    writeFileSync(r.path("/opt/stack/devstack/local.conf"), baseLocalConf(url));
    const stack = await r.exec(["./stack.sh"], { user: "stack", cwd: "/opt/stack/devstack", env: { HOME: "/opt/stack" } });
    if (stack.code !== 0) console.log(`stack.sh failed:\n${stack.stdout.slice(-6000)}\n${stack.stderr.slice(-3000)}`);
    expect(stack.code).toBe(0);
    expect((await r.exec(["systemctl", "is-active", "mariadb"])).stdout.trim()).toBe("active");
    expect((await r.sh("mysql -uroot -psecret -h127.0.0.1 -Nse 'select 40+2'", { user: "stack" })).trim()).toBe("42");
    // DevStack's pip calls reached the shim (there is no package index here) and only the shim
    expect(await r.sh(`cat ${pipLog}`)).toMatch(/^pip install -c \/opt\/stack\/requirements\/upper-constraints.txt PyMySQL/m);
    expect((await r.sh("git -C /opt/stack/requirements rev-parse HEAD", { user: "stack" })).trim()).toBe(fx.requirementsCommit);

    const unstack = await r.exec(["./unstack.sh"], { user: "stack", cwd: "/opt/stack/devstack", env: { HOME: "/opt/stack" } });
    expect(unstack.code).toBe(0);
    const clean = await r.exec(["./clean.sh"], { user: "stack", cwd: "/opt/stack/devstack", env: { HOME: "/opt/stack" } });
    if (clean.code !== 0) console.log(`clean.sh failed:\n${clean.stdout.slice(-4000)}\n${clean.stderr.slice(-2000)}`);
    expect(clean.code).toBe(0);
    // DevStack's clean.sh stops and purges the database server
    expect((await r.exec(["systemctl", "is-active", "mariadb"])).stdout.trim()).not.toBe("active");
    expect((await r.exec(["dpkg-query", "-W", "-f", "${Status}", "mariadb-server"])).stdout).not.toContain("install ok installed");
  }, 600_000);
});

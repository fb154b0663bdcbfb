// The systemd root harness itself: systemd boots as PID 1 in its own
// namespaces, runs units the way DevStack's services need (PrivateTmp=),
// the root's only package source is the local repository, and stop() leaves
// nothing behind. Real DevStack runs in it in test/base/stack.test.ts (plain
// DevStack's stack.sh to rc=0 with mysql, as the reference for plugstack's
// run, then plugstack's runs, unstack and clean); this file keeps the
// harness's own checks cheap.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { devstackFixtureUnavailable, devstackPackages, makeGitFixtures } from "./devstack-fixtures.ts";
import { prepareDevstackRoot, SystemdRoot, systemdRootUnavailable } from "./devstack-root.ts";
import { tempDir } from "./git.ts";

const skip = systemdRootUnavailable() || devstackFixtureUnavailable();
if (skip) console.log(`[skip] systemd root harness: ${skip}`);

describe.skipIf(!!skip)("systemd root harness", () => {
  const tmp = tempDir("ps15-harness-");
  let root: SystemdRoot | undefined;
  let prepared: { debRepo: string; layers: string[] };

  beforeAll(async () => {
    const fx = makeGitFixtures(join(tmp.path, "git"));
    prepared = await prepareDevstackRoot(await devstackPackages(fx.devstackTree, ["mysql"]));
    root = await SystemdRoot.boot({ layers: prepared.layers, debRepo: prepared.debRepo });
  }, 900_000);

  afterAll(async () => {
    await root?.stop();
    tmp.cleanup();
  });

  test("systemd is PID 1 in its own namespaces, only loopback is there, and the host keeps its name", async () => {
    const r = root!;
    expect((await r.sh("ps -o comm= -p 1")).trim()).toBe("systemd");
    expect((await r.sh("systemctl is-system-running")).trim()).toMatch(/^(running|degraded)$/);
    expect((await r.sh("hostname")).trim()).toBe("ps15-root");
    expect(hostname()).not.toBe("ps15-root");
    expect((await r.sh("ip -o link show | awk -F': ' '{print $2}'")).trim()).toBe("lo");
    expect(await r.sh("ip -o -4 addr show dev lo")).toContain("198.18.1.10/24");
  });

  test("a service with PrivateTmp= runs as a unit (as DevStack's devstack@ units and Apache do), with its own /tmp", async () => {
    const r = root!;
    await r.sh(
      "echo host-side > /tmp/ps15-mark && systemd-run --quiet --unit ps15-probe -p PrivateTmp=yes /bin/sh -c 'test ! -e /tmp/ps15-mark && exec sleep 300'",
    );
    let state = "";
    for (let i = 0; i < 50 && state !== "active"; i++) {
      state = (await r.exec(["systemctl", "is-active", "ps15-probe"])).stdout.trim();
      if (state !== "active") await Bun.sleep(100);
    }
    expect(state).toBe("active");
    await r.sh("systemctl stop ps15-probe");
  });

  test("the root's only apt source is the local repository, which has what DevStack installs", async () => {
    const r = root!;
    expect((await r.sh("cat /etc/apt/sources.list")).trim()).toBe("deb [trusted=yes] file:/srv/debs ./");
    await r.sh("apt-get update -qq");
    expect(await r.sh("apt-cache policy mariadb-server")).toContain("file:/srv/debs ./ Packages");
    // what DevStack asks for is there already, so its own apt calls stay short
    expect((await r.exec(["dpkg-query", "-W", "-f", "${Status}", "mariadb-server"])).stdout).toBe("install ok installed");
  });

  test("stop() kills every process of the root and removes its copy, also with a service still running", async () => {
    const other = await SystemdRoot.boot({ layers: prepared.layers, debRepo: prepared.debRepo });
    await other.sh("systemd-run --quiet --unit ps15-left -p PrivateTmp=yes /bin/sleep 600");
    const pid = other.pid;
    const { cgroups, dir } = other;
    expect(cgroups.length).toBeGreaterThan(0);
    expect(readFileSync(join(cgroups[0]!, "system.slice", "ps15-left.service", "cgroup.procs"), "utf8").trim()).not.toBe("");
    await other.stop();
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    for (const cg of cgroups) expect(existsSync(cg)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  }, 120_000);
});

// What plugstack does around DevStack's own scripts for packages and wheels:
// records DevStack's apt_get/pip_install calls (with DevStack's real
// functions), and for an offline run points apt at the cache's local
// repository through one apt.conf.d file (real apt, inside unshare -n),
// names what is missing, and restores everything afterwards.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OFFLINE_APT_CONF, parseAptRecord, prepareBaseInstalls, renderAptConf } from "../../src/base/offline-prep.ts";
import { PackageError } from "../../src/errors.ts";
import { detectDistro } from "../../src/packages/distro.ts";
import { loadPackageIndex, packageCacheDir, updatePackageIndex } from "../../src/packages/offline.ts";
import { DEVSTACK_BUNDLE, devstackFixtureUnavailable, devstackPackages } from "../helpers/devstack-fixtures.ts";
import { cachedDebRepo } from "../helpers/devstack-root.ts";
import { git, tempDir } from "../helpers/git.ts";
import { recordingLog } from "../helpers/log.ts";

describe("recorded install calls (pure)", () => {
  test.each([
    ["plain names", ["bc curl"], ["bc", "curl"]],
    ["options are dropped", ["-y --no-install-recommends mariadb-server"], ["mariadb-server"]],
    ["several calls, each name once, sorted", ["uwsgi uwsgi-plugin-python3", "bc uwsgi"], ["bc", "uwsgi", "uwsgi-plugin-python3"]],
    ["name=version and name:arch kept", ["libc6:amd64 tar=1.34"], ["libc6:amd64", "tar=1.34"]],
  ])("parseAptRecord: %s", (_name, lines, want) => {
    expect(parseAptRecord(lines)).toEqual(want);
  });
  test("renderAptConf quotes each setting and says who wrote it", () => {
    const text = renderAptConf([
      ["Dir::Etc::SourceList", "/tmp/w/sources.list"],
      ["APT::Sandbox::User", "root"],
    ]);
    expect(text).toContain('Dir::Etc::SourceList "/tmp/w/sources.list";\nAPT::Sandbox::User "root";\n');
    expect(text).toContain("Written by plugstack");
  });
});

const skip =
  devstackFixtureUnavailable() ||
  (process.getuid?.() !== 0 ? "not root: the offline apt test configures apt" : "") ||
  (Bun.spawnSync(["unshare", "-n", "true"]).exitCode !== 0 ? "unshare -n is not permitted here" : "");
if (skip) console.log(`[skip] base install preparation: ${skip}`);

describe.skipIf(!!skip)("around a DevStack run", () => {
  const tmp = tempDir("ps15-installs-");
  const devstack = join(tmp.path, "devstack");
  const env = { ...process.env } as Record<string, string>;
  beforeAll(() => {
    git(tmp.path, "clone", "-q", "-b", "master", DEVSTACK_BUNDLE, devstack);
  });
  afterAll(() => tmp.cleanup());

  test("DevStack's own apt_get and pip_install calls are recorded into the cache's index, with their exit status kept", async () => {
    const cacheDir = join(tmp.path, "cache-record");
    const { log } = recordingLog();
    const prep = await prepareBaseInstalls({ env }, { baseDir: devstack, cacheDir, offline: false, services: ["mysql"], stackUser: "root", log });
    // what stack.sh does: source DevStack's functions, then localrc (twice: stackrc may be sourced again)
    const localrc = join(tmp.path, "localrc");
    writeFileSync(localrc, `${prep.localrc.join("\n")}\n`);
    const script = `TOP_DIR=${devstack}; source ${devstack}/functions; source ${localrc}; source ${localrc}
OFFLINE=True   # DevStack's own early return: nothing is installed here
apt_get install -y mariadb-server uwsgi || exit 7
pip_install -U pbr 'PyMySQL>=0.7.6' || exit 8
echo done`;
    const r = Bun.spawnSync(["bash", "-c", script], { env, stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.stdout.toString()).toBe("done\n");
    // a failing apt_get still fails, with its own status, through the wrapper
    const failing = Bun.spawnSync(["bash", "-c", `apt_get() { return 3; }; source ${localrc}; apt_get install broken-one; echo "status=$?"`], {
      env,
      stdout: "pipe",
    });
    expect(failing.stdout.toString()).toBe("status=3\n");
    await prep.restore();
    const index = await loadPackageIndex(packageCacheDir(cacheDir, await detectDistro()));
    expect(index?.baseRequested).toEqual(["broken-one", "mariadb-server", "uwsgi"]);
    expect(index?.pipRequested).toEqual(["-U pbr PyMySQL>=0.7.6"]);
  });

  test("offline: DevStack's packages that are neither installed nor cached are named, with the command that fetches them", async () => {
    const cacheDir = join(tmp.path, "cache-empty");
    const aptConf = join(tmp.path, "empty-apt.conf");
    const { log } = recordingLog();
    // a package a connected run recorded, which this machine neither has nor caches
    const distro = await detectDistro();
    await updatePackageIndex(packageCacheDir(cacheDir, distro), distro, (i) => ({ ...i, baseRequested: ["plugstack-no-such-package"] }));
    const err = await prepareBaseInstalls({ env }, { baseDir: devstack, cacheDir, offline: true, services: ["mysql"], stackUser: "root", log, aptConf }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(PackageError);
    expect(err.message).toContain(`not installed and not in the package cache ${join(cacheDir, "packages")}`);
    expect(err.message).toContain("plugstack-no-such-package");
    expect(err.hint).toContain("plugstack fetch --packages");
    expect(existsSync(aptConf)).toBe(false);
  });

  test("offline: apt reads only the cache for the run (real apt in unshare -n), then the file is gone and the user's sources are as before", async () => {
    const names = await devstackPackages(devstack, ["mysql"]);
    const repo = await cachedDebRepo(names);
    const cacheDir = join(tmp.path, "cache-full");
    const distro = await detectDistro();
    const dir = packageCacheDir(cacheDir, distro);
    for (const f of walk(repo)) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      linkSync(join(repo, f), join(dir, f));
    }
    const before = snapshotApt();
    const aptConf = join(tmp.path, "00plugstack-offline");
    const { log, lines } = recordingLog();
    const prep = await prepareBaseInstalls({ env }, { baseDir: devstack, cacheDir, offline: true, services: ["mysql"], stackUser: "root", log, aptConf });
    expect(OFFLINE_APT_CONF).toBe("/etc/apt/apt.conf.d/00plugstack-offline");
    expect(lines.join("\n")).toContain(`offline: apt reads only ${dir}`);
    expect(prep.localrc).toContain(`export PIP_NO_INDEX='1'`);
    expect(prep.localrc).toContain(`export PIP_FIND_LINKS='${join(dir, "wheels")}'`);
    // apt with that file (what DevStack's sudo apt-get reads from apt.conf.d) and no network at all
    const apt = Bun.spawnSync(["unshare", "-n", "bash", "-c", `apt-get -c "$1" update -q && apt-get -c "$1" install -s -q mariadb-server`, "apt", aptConf], {
      env: { ...env, LC_ALL: "C" },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(apt.stderr.toString()).not.toMatch(/^E:/m);
    expect(apt.exitCode).toBe(0);
    expect(apt.stdout.toString()).toMatch(/^(Inst mariadb-server|mariadb-server is already the newest)/m);
    await prep.restore();
    expect(existsSync(aptConf)).toBe(false);
    expect(snapshotApt()).toEqual(before);
  }, 600_000);
});

function walk(dir: string, rel = ""): string[] {
  return readdirSync(join(dir, rel)).flatMap((e) => (statSync(join(dir, rel, e)).isDirectory() ? walk(dir, join(rel, e)) : [join(rel, e)]));
}

/** The user's apt sources and downloaded lists, to prove nothing of them changed. */
function snapshotApt(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of ["/etc/apt/sources.list.d", "/var/lib/apt/lists"]) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isFile()) out[p] = `${statSync(p).size}:${statSync(p).mtimeMs}`;
    }
  }
  if (existsSync("/etc/apt/sources.list")) out["/etc/apt/sources.list"] = readFileSync("/etc/apt/sources.list", "utf8");
  return out;
}

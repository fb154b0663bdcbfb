// The unchanged re-stack fast path, through the compiled binary with real
// bash, real git and the real package database: a repeat stack answers the
// packages step from the last run ("packages: cached", no callback into
// plugstack) and, once git has found the checkouts clean, no git process at
// all (src/plugins/clean-check.ts); a change to any input of
// the packages key (a package list, the package database, the plugin set)
// makes the step ask again. See src/packages/installed-cache.ts for the key.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addCommit, makeRepo, nextSecond, type Repo, tempDir } from "../helpers/git.ts";
import { gitCallRecorder, plugstack } from "./harness.ts";

const DPKG_STATUS = "/var/lib/dpkg/status";
const hasDpkg = existsSync(DPKG_STATUS);
if (!hasDpkg)
  console.log(`restack-cache: skipped, ${DPKG_STATUS} does not exist (the test changes its mtime to show that a package database change misses the cache)`);

let work: ReturnType<typeof tempDir>;
let conf: string;
let repos: Record<string, Repo>;
let git_: ReturnType<typeof gitCallRecorder>;

function pluginFiles(name: string, packages: string): Record<string, string> {
  return {
    "devstack/settings": `enable_service ${name}\n`,
    "devstack/plugin.sh": `if is_service_enabled ${name}; then echo "${name} $*" >> "$DEST/calls"; fi\n`,
    [`devstack/files/debs/${name}`]: packages,
    [`devstack/files/rpms/${name}`]: packages,
  };
}

beforeAll(() => {
  work = tempDir("plugstack-restack-cache-");
  repos = {};
  for (const name of ["one", "two", "three"]) repos[name] = makeRepo(join(work.path, "served", name), { files: pluginFiles(name, "bash\n") });
  conf = join(work.path, "local.conf");
  writeConf(["one", "two"]);
  // every git process plugstack and the stack shell start is logged by this wrapper
  git_ = gitCallRecorder(work.path);
});
afterAll(() => work.cleanup());

function writeConf(names: string[]): void {
  writeFileSync(conf, `[[local|localrc]]\nDEST=${join(work.path, "dest")}\n${names.map((n) => `enable_plugin ${n} ${repos[n]!.url}`).join("\n")}\n`);
}

interface Run {
  log: string;
  gitCalls: string[];
}

async function stack(): Promise<Run> {
  git_.take();
  const r = await plugstack(["stack", "-q", "-c", conf, "--cache-dir", join(work.path, "cache")], { cwd: work.path, env: git_.env });
  expect(r.code, r.stderr).toBe(0);
  return { log: readFileSync(join(work.path, "dest", "logs", "plugstack-stack.log"), "utf8"), gitCalls: git_.take() };
}

const CACHED = "packages: cached";
const dbStamp = () => {
  const st = statSync(DPKG_STATUS);
  return `${st.size} ${st.mtimeMs} ${st.ino}`;
};

/**
 * A repeat stack that should hit the cache. Other software may install
 * packages on the machine while the test runs: when the package database
 * changed during the runs, the miss is right, and the pair is run again.
 */
async function repeatStack(): Promise<Run> {
  for (let attempt = 1; ; attempt++) {
    const before = dbStamp();
    const r = await stack();
    if (before === dbStamp() || attempt === 3) return r;
    console.log(`restack-cache: ${DPKG_STATUS} changed during the run (another package install on this machine); running again`);
  }
}

test.skipIf(!hasDpkg)(
  "an unchanged re-stack skips the packages callback; git looks at the checkouts once, then no more",
  async () => {
    const first = await stack();
    expect(first.log).not.toContain(CACHED);
    expect(first.log).toContain("Packages for");
    await nextSecond();
    const again = await repeatStack();
    expect(again.log).toContain(CACHED);
    // the plan of the last run is shown again
    expect(again.log).toMatch(/one\n.*\+ bash/);
    // one status per checkout, a second one where git rewrote the index it refreshed
    const statuses = new Map<string, number>();
    for (const c of again.gitCalls) {
      expect(c).toContain("status --porcelain");
      const dir = / -C (\S+) /.exec(c)?.[1] ?? c;
      statuses.set(dir, (statuses.get(dir) ?? 0) + 1);
    }
    expect([...statuses.keys()].sort()).toEqual(["one", "two"].map((name) => join(work.path, "dest", name)));
    for (const [dir, n] of statuses) expect({ dir, n, once: n <= 2 }).toMatchObject({ once: true });
    expect((await repeatStack()).gitCalls).toEqual([]);
    // the hooks ran all the same
    expect(readFileSync(join(work.path, "dest", "calls"), "utf8")).toContain("two stack install");
  },
  120_000,
);

test.skipIf(!hasDpkg)(
  "a changed package list misses the cache",
  async () => {
    await repeatStack();
    addCommit(repos.one!.dir, { files: { "devstack/files/debs/one": "bash\ncoreutils\n", "devstack/files/rpms/one": "bash\ncoreutils\n" } });
    const lock = await plugstack(["lock", "--update", "-q", "-c", conf, "--cache-dir", join(work.path, "cache")], { cwd: work.path });
    expect(lock.code, lock.stderr).toBe(0);
    const moved = await stack();
    expect(moved.log).not.toContain(CACHED);
    expect(moved.log).toContain("coreutils");
    expect((await repeatStack()).log).toContain(CACHED);
  },
  120_000,
);

test.skipIf(!hasDpkg)(
  "a change of the package database misses the cache",
  async () => {
    await repeatStack();
    // what any install, upgrade or removal does to it (the content stays as it is)
    const st = statSync(DPKG_STATUS);
    utimesSync(DPKG_STATUS, st.atime, new Date(Math.max(Date.now(), st.mtimeMs + 1000)));
    expect((await stack()).log).not.toContain(CACHED);
    expect((await repeatStack()).log).toContain(CACHED);
  },
  120_000,
);

test.skipIf(!hasDpkg)(
  "another plugin in local.conf misses the cache",
  async () => {
    await repeatStack();
    writeConf(["one", "two", "three"]);
    const added = await stack();
    expect(added.log).not.toContain(CACHED);
    expect((await repeatStack()).log).toContain(CACHED);
  },
  120_000,
);

test.skipIf(!hasDpkg)(
  "a checkout with local changes at its locked commit is still found and kept (the one-process check)",
  async () => {
    await repeatStack();
    const file = join(work.path, "dest", "two", "devstack", "settings");
    const before = readFileSync(file, "utf8");
    writeFileSync(file, `${before}# local work\n`);
    try {
      const r = await plugstack(["stack", "-c", conf, "--cache-dir", join(work.path, "cache")], { cwd: work.path });
      expect(r.code, r.stderr).toBe(0);
      expect(`${r.stdout}\n${r.stderr}`).toContain("two: kept: local changes (devstack/settings)");
      // the local change is still there
      expect(readFileSync(file, "utf8")).toContain("# local work");
    } finally {
      writeFileSync(file, before);
    }
  },
  120_000,
);

// The lock rule as a user meets it, through the compiled binary: every
// command that reads a config writes local.conf.lock when the config moved
// on, fails under --locked naming the lock and what differs (and how to fix
// it), and writes nothing at all under --dry-run.
import { afterAll, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, type Repo, tempDir } from "../helpers/git.ts";
import { makePlugin, plugstack, writeConf } from "../repro/helpers.ts";

setDefaultTimeout(60_000); // git and the compiled binary on a loaded machine

const tmp = tempDir("plugstack-lock-rule-");
afterAll(() => tmp.cleanup());

let alpha: Repo;
let beta: Repo;
let gamma: Repo;
let delta: Repo;
let cfg: string;
let conf: string;
/** local.conf with alpha only, and the lock `plugstack lock` wrote for it */
let lockedConf: string;
let lockedLock: string;
/** local.conf with beta enabled too: the lock no longer matches it */
let movedConf: string;
const lockPath = () => `${conf}.lock`;
const dest = () => join(tmp.path, "dest");
const cache = () => join(tmp.path, "cache");
const run = (...args: string[]) => plugstack([...args, "-c", conf], { cwd: cfg, env: { PLUGSTACK_CACHE: cache() } });

/** Every file under the config's directory with its bytes (a stray temp file or a changed byte shows). */
function snapshot(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(cfg)
      .sort()
      .map((f) => [f, readFileSync(join(cfg, f), "latin1")]),
  );
}

/** Every file under the cache (mirrors, eval cache) with a hash of its bytes: a dry run may not add, change or remove one. */
function cacheSnapshot(dir = cache(), prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory()) Object.assign(out, { [`${rel}/`]: "dir" }, cacheSnapshot(join(dir, e.name), `${rel}/`));
    else
      out[rel] = createHash("sha256")
        .update(readFileSync(join(dir, e.name)))
        .digest("hex");
  }
  return out;
}

beforeAll(async () => {
  alpha = makePlugin(join(tmp.path, "srv", "alpha"), "alpha");
  beta = makePlugin(join(tmp.path, "srv", "beta"), "beta");
  gamma = makeRepo(join(tmp.path, "srv", "gamma"), { files: { "devstack/settings": "define_plugin gamma\n" } });
  delta = makePlugin(join(tmp.path, "srv", "delta"), "delta");
  cfg = join(tmp.path, "cfg");
  conf = writeConf(cfg, [`DEST=${dest()}`, `enable_plugin alpha ${alpha.url}`]);
  lockedConf = readFileSync(conf, "utf8");
  const r = await run("lock");
  expect(r.code).toBe(0);
  lockedLock = readFileSync(lockPath(), "utf8");
  movedConf = `${lockedConf}enable_plugin beta ${beta.url}\n`;
});

/** Each test starts from the config that moved on past its lock. */
beforeEach(() => {
  rmSync(dest(), { recursive: true, force: true });
  writeFileSync(conf, movedConf);
  writeFileSync(lockPath(), lockedLock);
});

describe("write: a config that moved on gets its lock brought up to date", () => {
  for (const args of [["lock"], ["fetch"]]) {
    test(`plugstack ${args.join(" ")}`, async () => {
      const r = await run(...args);
      expect(r.code, r.stderr).toBe(0);
      const lock = readFileSync(lockPath(), "utf8");
      expect(lock).toContain(`name = "alpha"`);
      expect(lock).toContain(`name = "beta"`);
      expect(lock).toContain(`commit = "${beta.commits[0]}"`);
      // what moved is said: on stdout for lock, as a log line for the others
      expect(`${r.stdout}${r.stderr}`).toMatch(/beta\s+added [0-9a-f]{7} \(master\)/);
    });
  }
});

describe("--locked: the lock must match; the error names the lock file, each difference and the fix", () => {
  const cases: [string, string[]][] = [
    ["lock", ["lock", "--locked"]],
    ["fetch", ["fetch", "--locked"]],
    ["bundle create", ["bundle", "create", "out.bundle", "--locked"]],
    ["plan", ["plan", "--locked"]],
    ["stack", ["stack", "--locked"]],
    ["stack --frozen", ["stack", "--frozen"]],
  ];
  for (const [name, args] of cases) {
    test(name, async () => {
      const before = snapshot();
      const r = await run(...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${lockPath()} does not match the config (--locked):\n`);
      expect(r.stderr).toContain("- beta: enabled in the config but not in the lock");
      expect(r.stderr).toContain("hint: run `plugstack lock` to update the lock, or drop --locked/--frozen");
      expect(snapshot()).toEqual(before);
      expect(existsSync(dest())).toBe(false);
    });
  }
});

describe("--dry-run writes nothing: config, lock, output files and the cache unchanged byte for byte", () => {
  // delta is enabled here only: no earlier run put it in the cache
  beforeEach(() => writeFileSync(conf, `${movedConf}enable_plugin delta ${delta.url}\n`));

  test("lock --dry-run shows what would move", async () => {
    const before = snapshot();
    const cached = cacheSnapshot();
    const r = await run("lock", "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^beta\s+added [0-9a-f]{7} \(master\)$/m);
    expect(r.stdout).toMatch(/^delta\s+added [0-9a-f]{7} \(master\)$/m);
    expect(r.stderr).toContain(`dry run: ${lockPath()} was not changed`);
    expect(snapshot()).toEqual(before);
    expect(cacheSnapshot()).toEqual(cached);
  });

  test("bundle create --dry-run over an existing bundle file: neither the lock nor the bundle is written", async () => {
    const file = join(cfg, "out.bundle");
    writeFileSync(file, "the bundle made yesterday\n");
    const before = snapshot();
    const cached = cacheSnapshot();
    const r = await run("bundle", "create", file, "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ beta {2}[0-9a-f]{7} {2}file:\/\//);
    expect(r.stdout).toMatch(/ delta {2}[0-9a-f]{7} {2}file:\/\//);
    expect(r.stderr).toContain(`dry run: ${file} and ${lockPath()} were not written`);
    expect(snapshot()).toEqual(before);
    expect(cacheSnapshot()).toEqual(cached);
  });

  test("fetch --dry-run lists the lock as it is, warning that it differs", async () => {
    const before = snapshot();
    const cached = cacheSnapshot();
    const r = await run("fetch", "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("the lock does not match the config (fetch would update it first): beta: enabled in the config but not in the lock");
    expect(snapshot()).toEqual(before);
    expect(cacheSnapshot()).toEqual(cached);
  });

  test("stack --dry-run prints the plan and touches neither the lock nor DEST", async () => {
    const before = snapshot();
    const cached = cacheSnapshot();
    const r = await run("stack", "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("dry run: nothing was changed");
    expect(snapshot()).toEqual(before);
    expect(cacheSnapshot()).toEqual(cached);
    expect(existsSync(dest())).toBe(false);
  });

  test("add --dry-run shows the line it would add; local.conf and the lock stay", async () => {
    const before = snapshot();
    const cached = cacheSnapshot();
    const r = await run("add", "gamma", gamma.url, "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`enable_plugin gamma ${gamma.url}`);
    expect(snapshot()).toEqual(before);
    expect(cacheSnapshot()).toEqual(cached);
  });

  test("plan resolves the plugin the lock lacks without adding it to the cache", async () => {
    const before = snapshot();
    const cached = cacheSnapshot();
    const r = await run("plan");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("delta");
    expect(snapshot()).toEqual(before);
    expect(cacheSnapshot()).toEqual(cached);
    expect(existsSync(dest())).toBe(false);
  });
});

describe("without --dry-run the same commands write", () => {
  test("bundle create: the lock is brought up to date and the bundle replaces the old file", async () => {
    const file = join(cfg, "out.bundle");
    writeFileSync(file, "the bundle made yesterday\n");
    const r = await run("bundle", "create", file);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(lockPath(), "utf8")).toContain(`commit = "${beta.commits[0]}"`);
    expect(readFileSync(file, "latin1")).not.toBe("the bundle made yesterday\n");
  });

  test("add: local.conf gets the line and the lock its entry", async () => {
    const r = await run("add", "gamma", gamma.url);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(conf, "utf8")).toContain(`enable_plugin gamma ${gamma.url}`);
    const lock = readFileSync(lockPath(), "utf8");
    expect(lock).toContain(`name = "gamma"`);
    expect(lock).toContain(`name = "beta"`);
  });
});

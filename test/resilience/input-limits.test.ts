// Bad input stops at the door with a PlugstackError naming file and line and
// a hint, never an internal error: over-long plugin names, unusable URLs in
// a lock, a lock whose URL the config changed (fetch reports it, lock
// rewrites it with a diff), binary bytes in a config.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, tempDir } from "../helpers/git.ts";
import { plugstack, writeConf } from "../repro/helpers.ts";

setDefaultTimeout(60_000);

const tmp = tempDir("plugstack-limits-");
afterAll(() => tmp.cleanup());
const env = { PLUGSTACK_CACHE: join(tmp.path, "cache") };
const heat = makeRepo(join(tmp.path, "up", "heat"), { commits: 2 });
const heatMoved = makeRepo(join(tmp.path, "up", "heat-fork"), { commits: 3 });

describe("plugin names", () => {
  test("101 characters is a config error at its line; 100 is fine", async () => {
    const long = writeConf(join(tmp.path, "long"), [`enable_plugin ${"n".repeat(101)} file://${heat.dir}`]);
    const r = await plugstack(["plan", "-c", long], { cwd: tmp.path, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${long}:2: invalid plugin name:`);
    expect(r.stderr).toContain("is 101 characters long; at most 100 are allowed");
    expect(r.stderr).not.toContain("ENAMETOOLONG");
    expect(r.stderr).not.toContain("internal error");
    const ok = writeConf(join(tmp.path, "ok"), [`enable_plugin ${"n".repeat(100)} file://${heat.dir}`]);
    const o = await plugstack(["lock", "-c", ok], { cwd: tmp.path, env });
    expect({ code: o.code, stderr: o.stderr }).toMatchObject({ code: 0 });
  });

  test("300 characters: the same error, no stack trace", async () => {
    const long = writeConf(join(tmp.path, "long300"), [`enable_plugin ${"p".repeat(300)} file://${heat.dir}`]);
    const r = await plugstack(["stack", "-c", long, "--dest", join(tmp.path, "dest")], { cwd: tmp.path, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is 300 characters long");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test("binary bytes in a config are shown escaped, never raw", async () => {
    const dir = join(tmp.path, "binary");
    writeConf(dir, []);
    writeFileSync(join(dir, "local.conf"), `[[local|localrc]]\nenable_plugin a\x01\x1b[31mb file://${heat.dir}\n`);
    const r = await plugstack(["plan", "-c", join(dir, "local.conf")], { cwd: tmp.path, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("\\x01\\x1b[31mb");
    expect(r.stderr).not.toContain("\x01");
    expect(r.stderr).not.toContain("\x1b[31m");
  });
});

describe("a lock is input too", () => {
  function lockWith(name: string, entry: string): string {
    const conf = writeConf(join(tmp.path, name), [`enable_plugin heat file://${heat.dir}`]);
    writeFileSync(`${conf}.lock`, `version = 1\n\n${entry}\n`);
    return conf;
  }

  for (const [what, entry, message] of [
    [
      "an ext:: URL in a [[repo]]",
      `[[repo]]\nurl = "ext::sh -c touch% /tmp/pwned"\nref = "master"\ncommit = "${"a".repeat(40)}"\nrequested_by = "heat"`,
      '[[repo]] #1 has an unusable url: URL "ext::sh -c touch% /tmp/pwned" uses the "ext::" transport',
    ],
    [
      "a URL starting with -",
      `[[plugin]]\nname = "heat"\nurl = "--upload-pack=touch /tmp/pwned"\nref = "master"`,
      '[[plugin]] #1 has an unusable url: URL "--upload-pack=touch /tmp/pwned" starts with "-"',
    ],
    ["a ref with ..", `[[plugin]]\nname = "heat"\nurl = "file://${heat.dir}"\nref = "a..b"`, '[[plugin]] #1 has an unusable ref: ref "a..b" contains ".."'],
    ["a name with a slash", `[[plugin]]\nname = "../etc"\nurl = "file://${heat.dir}"\nref = "master"`, "[[plugin]] #1 has an unusable name"],
  ] as const) {
    test(`${what} is refused with the lock's name`, async () => {
      const conf = lockWith(what.replace(/\W+/g, "-"), entry);
      for (const cmd of [["fetch"], ["stack", "--dest", join(tmp.path, "dest-lock")], ["plan"]]) {
        const r = await plugstack([...cmd, "-c", conf], { cwd: tmp.path, env });
        expect({ cmd, code: r.code }).toEqual({ cmd, code: 1 });
        expect(r.stderr).toContain(`${conf}.lock: ${message}`);
        expect(r.stderr).not.toContain("internal error");
      }
    });
  }
});

describe("a lock whose URL the config changed", () => {
  test("fetch reports it and leaves the lock alone; lock rewrites it and shows the change", async () => {
    const conf = writeConf(join(tmp.path, "moved"), [`enable_plugin heat file://${heat.dir}`]);
    expect((await plugstack(["lock", "-c", conf], { cwd: tmp.path, env })).code).toBe(0);
    const before = readFileSync(`${conf}.lock`, "utf8");
    writeConf(join(tmp.path, "moved"), [`enable_plugin heat file://${heatMoved.dir}`]);
    const f = await plugstack(["fetch", "-c", conf], { cwd: tmp.path, env });
    expect(f.code).toBe(1);
    expect(f.stderr).toContain(`${conf}.lock pins other URLs than the config; it is not rewritten without asking`);
    expect(f.stderr).toContain(`heat: file://${heat.dir} in the lock, file://${heatMoved.dir} in the config`);
    expect(f.stderr).toContain("plugstack lock");
    expect(readFileSync(`${conf}.lock`, "utf8")).toBe(before);
    const l = await plugstack(["lock", "-c", conf], { cwd: tmp.path, env });
    expect(l.code).toBe(0);
    expect(l.stdout).toContain(`url file://${heat.dir} -> file://${heatMoved.dir}`);
    expect(readFileSync(`${conf}.lock`, "utf8")).toContain(heatMoved.dir);
    expect((await plugstack(["fetch", "-c", conf], { cwd: tmp.path, env })).code).toBe(0);
  });
});

// Hostile bundles through the binary: each is refused with a message naming
// the bundle and the member, and nothing is written: no cache, no lock, and
// nothing left in $TMPDIR. Fixtures are made from a real bundle with GNU tar.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, tempDir } from "../helpers/git.ts";
import { plugstack, writeConf } from "../repro/helpers.ts";
import { seededRandom, suiteSeed } from "./helpers.ts";

setDefaultTimeout(60_000);

const tmp = tempDir("plugstack-hostile-");
afterAll(() => tmp.cleanup());
let good = "";
let conf = "";

function tar(args: string[]): void {
  const r = Bun.spawnSync(["tar", ...args], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`fixture: tar ${args.join(" ")}: ${r.stderr.toString()}`);
}

/** The good bundle unpacked, changed by `edit`, packed again with `names` (default: MANIFEST first, then the rest). */
function altered(name: string, edit: (dir: string) => void, names?: (dir: string) => string[], extra: string[] = []): string {
  const dir = join(tmp.path, `${name}-content`);
  mkdirSync(dir);
  tar(["-x", "-f", good, "-C", dir]);
  edit(dir);
  const out = join(tmp.path, `${name}.bundle`);
  const list = names
    ? names(dir)
    : [
        "MANIFEST",
        ...readdirSync(dir)
          .filter((n) => n !== "MANIFEST")
          .sort(),
      ];
  tar(["-c", "-f", out, ...extra, "-C", dir, "--", ...list]);
  return out;
}

let caseNo = 0;
async function refused(file: string, env: Record<string, string> = {}) {
  const root = join(tmp.path, `import-${++caseNo}`);
  const tmpdir = join(root, "tmpdir");
  mkdirSync(tmpdir, { recursive: true });
  const cache = join(root, "cache");
  const lockPath = join(root, "local.conf.lock");
  const r = await plugstack(["bundle", "import", file, "-c", join(root, "local.conf"), "--cache-dir", cache], { cwd: root, env: { TMPDIR: tmpdir, ...env } });
  expect(r.stderr).not.toContain("internal error");
  expect(r.code).toBe(1);
  expect(existsSync(cache)).toBe(false);
  expect(existsSync(lockPath)).toBe(false);
  expect(readdirSync(tmpdir)).toEqual([]);
  return r.stderr;
}

beforeAll(async () => {
  const up = makeRepo(join(tmp.path, "up", "heat"), { commits: 3, tags: { "1.0.0": 1 } });
  conf = writeConf(join(tmp.path, "a"), [`enable_plugin heat file://${up.dir}`]);
  const env = { PLUGSTACK_CACHE: join(tmp.path, "cache-a") };
  expect((await plugstack(["lock", "-c", conf], { cwd: tmp.path, env })).code).toBe(0);
  const pkg = join(tmp.path, "cache-a", "packages", "bookworm");
  mkdirSync(join(pkg, "debs"), { recursive: true });
  writeFileSync(join(pkg, "debs", "tiny_1.0_all.deb"), "not really a deb\n");
  writeFileSync(join(pkg, "index.json"), JSON.stringify({ version: 1, distro: "bookworm", packages: [] }));
  good = join(tmp.path, "good.bundle");
  const b = await plugstack(["bundle", "create", good, "-c", conf], { cwd: tmp.path, env });
  expect({ code: b.code, stderr: b.stderr }).toMatchObject({ code: 0 });
});

describe("a good bundle imports (the fixture is sound)", () => {
  test("import into an empty cache succeeds", async () => {
    const root = join(tmp.path, "import-good");
    mkdirSync(root);
    const r = await plugstack(["bundle", "import", good, "-c", join(root, "local.conf"), "--cache-dir", join(root, "cache")], { cwd: root });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(existsSync(join(root, "local.conf.lock"))).toBe(true);
  });
});

describe("hostile bundles are refused, writing nothing", () => {
  test("path traversal", async () => {
    const file = altered(
      "traversal",
      () => undefined,
      () => ["MANIFEST", "bundle.json"],
      ["--transform", "s,^bundle.json$,../../evil,"],
    );
    expect(await refused(file)).toContain('unexpected member name "../../evil"');
  });

  test("an absolute path", async () => {
    const file = altered(
      "absolute",
      () => undefined,
      () => ["MANIFEST", "bundle.json"],
      ["--transform", "s,^bundle.json$,/tmp/evil,", "-P"],
    );
    expect(await refused(file)).toContain('unexpected member name "/tmp/evil"');
  });

  test("a symlink", async () => {
    const file = altered("symlink", (d) => symlinkSync("/etc/passwd", join(d, "packages", "bookworm", "debs", "link.deb")));
    expect(await refused(file)).toContain("member packages/bookworm/debs/link.deb is not a regular file or directory (symlink to /etc/passwd)");
  });

  test("a hardlink", async () => {
    const debs = "packages/bookworm/debs";
    const file = altered(
      "hardlink",
      (d) => linkSync(join(d, debs, "tiny_1.0_all.deb"), join(d, debs, "hard.deb")),
      () => ["MANIFEST", "bundle.json", "local.conf.lock", "git", "packages/bookworm/index.json", `${debs}/tiny_1.0_all.deb`, `${debs}/hard.deb`],
    );
    expect(await refused(file)).toContain(`member ${debs}/hard.deb is not a regular file or directory (hardlink to ${debs}/tiny_1.0_all.deb)`);
  });

  const canMknod = process.getuid?.() === 0;
  if (!canMknod) console.log("[skip] device member: mknod needs root");
  test.skipIf(!canMknod)("a device", async () => {
    const file = altered("device", (d) => {
      const r = Bun.spawnSync(["mknod", join(d, "packages", "bookworm", "debs", "null.deb"), "c", "1", "3"]);
      if (r.exitCode !== 0) throw new Error("fixture: mknod failed");
    });
    expect(await refused(file)).toContain("member packages/bookworm/debs/null.deb is not a regular file or directory (char-device)");
  });

  test("a gzip-compressed bundle", async () => {
    const gz = join(tmp.path, "good.bundle.gz");
    writeFileSync(gz, Bun.gzipSync(readFileSync(good)));
    const err = await refused(gz);
    expect(err).toContain("it is gzip-compressed; only an uncompressed tar");
    expect(err).toContain("gunzip");
  });

  test("larger than the configured cap (PLUGSTACK_BUNDLE_MAX)", async () => {
    expect(await refused(good, { PLUGSTACK_BUNDLE_MAX: "1K" })).toContain("more than the 1024 bytes an import may unpack");
  });

  test("truncated at seeded random places", async () => {
    const rnd = seededRandom(suiteSeed("hostile bundles: truncation points"));
    const size = readFileSync(good).length;
    for (let i = 0; i < 5; i++) {
      const at = 1 + Math.floor(rnd() * (size - 1025));
      const cut = join(tmp.path, `truncated-${i}.bundle`);
      writeFileSync(cut, readFileSync(good));
      truncateSync(cut, at);
      const err = await refused(cut);
      expect({ at, err }).toMatchObject({ err: expect.stringMatching(/truncated|cut short|ends early|no end marker|checksum/) });
    }
  });

  test("a member the MANIFEST does not list", async () => {
    const file = altered("unlisted", (d) => writeFileSync(join(d, "packages", "bookworm", "debs", "evil.deb"), "x"));
    expect(await refused(file)).toContain("member packages/bookworm/debs/evil.deb is not listed in MANIFEST");
  });

  const canMount = process.getuid?.() === 0 && Bun.spawnSync(["mount", "--version"]).exitCode === 0;
  if (!canMount) console.log("[skip] unlisted member on a small tmpfs: mounting needs root");
  test.skipIf(!canMount)("an unlisted member larger than TMPDIR is refused by name, not by a full disk: its bytes are never written", async () => {
    const small = join(tmp.path, "small-tmp");
    mkdirSync(small);
    expect(Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=2m", "ps9-small", small]).exitCode).toBe(0);
    try {
      const file = altered(
        "unlisted-big",
        (d) => writeFileSync(join(d, "bundle.json.big"), Buffer.alloc(8 * 1024 * 1024)),
        (d) => [
          "MANIFEST",
          "bundle.json.big",
          ...readdirSync(d)
            .filter((n) => n !== "MANIFEST" && n !== "bundle.json.big")
            .sort(),
        ],
      );
      const root = join(tmp.path, "import-unlisted-big");
      mkdirSync(root);
      const r = await plugstack(["bundle", "import", file, "-c", join(root, "local.conf"), "--cache-dir", join(root, "cache")], {
        cwd: root,
        env: { TMPDIR: small },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('unexpected member name "bundle.json.big"');
      expect(r.stderr).not.toContain("ENOSPC");
      expect(readdirSync(small)).toEqual([]);
    } finally {
      Bun.spawnSync(["umount", small]);
    }
  });

  test("a MANIFEST that does not match a member", async () => {
    const file = altered("mismatch", (d) => writeFileSync(join(d, "local.conf.lock"), `${readFileSync(join(d, "local.conf.lock"), "utf8")}# edited\n`));
    expect(await refused(file)).toContain("member local.conf.lock failed its checksum");
  });

  test("MANIFEST not first", async () => {
    const file = altered(
      "manifest-last",
      () => undefined,
      (d) => [
        ...readdirSync(d)
          .filter((n) => n !== "MANIFEST")
          .sort(),
        "MANIFEST",
      ],
    );
    expect(await refused(file)).toContain("its first member is bundle.json, not MANIFEST");
  });

  test("a listed member missing", async () => {
    const file = altered("missing", (d) => rmSync(join(d, "packages", "bookworm", "index.json")));
    expect(await refused(file)).toContain("member packages/bookworm/index.json is listed in MANIFEST but missing");
  });

  test("not a tar at all", async () => {
    const junk = join(tmp.path, "junk.bundle");
    writeFileSync(junk, Buffer.alloc(4096, 0x41));
    expect(await refused(junk)).toContain("not a readable bundle: bad header checksum at byte 0");
  });
});

// fetch --packages from a local mirror (an apt source with a file: URI, as on
// isolated build hosts and in the whole-stack test root): apt leaves such
// packages where they are, so plugstack copies them into the cache itself.
// Real apt and dpkg-deb, with apt pointed at the fixture mirror through
// APT_CONFIG (nothing of this machine's apt setup is used or changed).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { detectDistro } from "../../src/packages/distro.ts";
import { fetchPackages, packageCacheDir } from "../../src/packages/offline.ts";
import { tempDir } from "../helpers/git.ts";
import { recordingLog } from "../helpers/log.ts";

const skip =
  process.getuid?.() !== 0
    ? "not root: apt-get --download-only needs root here"
    : !Bun.which("apt-get") || !Bun.which("dpkg-deb")
      ? "no apt-get/dpkg-deb on this machine"
      : "";
if (skip) console.log(`[skip] local mirror packages: ${skip}`);

/** A tiny binary package built with dpkg-deb; returns its control text. */
function buildDeb(dir: string, name: string, depends?: string): string {
  const root = join(dir, `${name}-root`);
  mkdirSync(join(root, "DEBIAN"), { recursive: true });
  mkdirSync(join(root, "usr/share/doc", name), { recursive: true });
  writeFileSync(join(root, "usr/share/doc", name, "README"), `${name}\n`);
  const control = `Package: ${name}\nVersion: 1.0-1\nArchitecture: all\nMaintainer: Fixture <fixture@example.invalid>\n${depends ? `Depends: ${depends}\n` : ""}Description: plugstack test fixture\n`;
  writeFileSync(join(root, "DEBIAN/control"), control);
  const r = Bun.spawnSync(["dpkg-deb", "--build", "--root-owner-group", root, join(dir, "mirror", `${name}_1.0-1_all.deb`)], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return control;
}

describe.skipIf(!!skip)("packages from a file: mirror", () => {
  const tmp = tempDir("ps15-mirror-");
  afterAll(() => tmp.cleanup());

  test("fetch --packages copies them, with their dependencies, into the cache and indexes them", async () => {
    mkdirSync(join(tmp.path, "mirror"));
    let packages = "";
    for (const [name, dep] of [
      ["ps15-fixture-a", "ps15-fixture-b"],
      ["ps15-fixture-b", undefined],
    ] as const) {
      const control = buildDeb(tmp.path, name, dep);
      const file = `${name}_1.0-1_all.deb`;
      const bytes = readFileSync(join(tmp.path, "mirror", file));
      packages += `${control}Filename: ./${file}\nSize: ${statSync(join(tmp.path, "mirror", file)).size}\nSHA256: ${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}\n\n`;
    }
    writeFileSync(join(tmp.path, "mirror", "Packages"), packages);
    // this machine's apt, told to read only the fixture mirror
    for (const d of ["lists/partial", "parts", "apt-cache/archives/partial"]) mkdirSync(join(tmp.path, d), { recursive: true });
    writeFileSync(join(tmp.path, "sources.list"), `deb [trusted=yes] file:${join(tmp.path, "mirror")} ./\n`);
    writeFileSync(
      join(tmp.path, "apt.conf"),
      [
        `Dir::Etc::SourceList "${join(tmp.path, "sources.list")}";`,
        `Dir::Etc::SourceParts "${join(tmp.path, "parts")}";`,
        `Dir::State::Lists "${join(tmp.path, "lists")}";`,
        `Dir::Cache "${join(tmp.path, "apt-cache")}";`,
        `APT::Sandbox::User "root";`,
        "",
      ].join("\n"),
    );
    const env = { ...process.env, APT_CONFIG: join(tmp.path, "apt.conf") } as Record<string, string>;
    const update = Bun.spawnSync(["apt-get", "update", "-qq"], { env, stderr: "pipe" });
    expect(update.stderr.toString()).toBe("");
    const cacheDir = join(tmp.path, "cache");
    const distro = await detectDistro();
    const index = await fetchPackages({ cwd: tmp.path, env, log: recordingLog().log, cacheDir, offline: false }, ["ps15-fixture-a"], { distro });
    expect(index.packages.map((p) => `${p.name} ${p.file}`)).toEqual([
      "ps15-fixture-a debs/ps15-fixture-a_1.0-1_all.deb",
      "ps15-fixture-b debs/ps15-fixture-b_1.0-1_all.deb",
    ]);
    expect(readFileSync(join(packageCacheDir(cacheDir, distro), "Packages"), "utf8")).toContain("Filename: debs/ps15-fixture-b_1.0-1_all.deb");
  }, 120_000);
});

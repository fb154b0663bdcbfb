// fetch --python's wheelhouse, with real pip and no PyPI: wheels made by hand
// from fixture projects, served as a simple index on 127.0.0.1; the locked
// requirements repo's upper-constraints decides the versions; then pip
// installs from the wheelhouse alone inside unshare -n, and a bundle carries
// the wheels to a fresh cache.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { detectDistro } from "../../src/packages/distro.ts";
import { loadPackageIndex, packageCacheDir, updatePackageIndex } from "../../src/packages/offline.ts";
import { offlinePipEnv, parsePipRecord, parseWheelName, wheelhouseDir } from "../../src/packages/wheels.ts";
import { createBundle } from "../../src/plugins/bundle.ts";
import { importBundle } from "../../src/plugins/bundle-import.ts";
import { ensureMirror, pinCommit } from "../../src/plugins/cache.ts";
import { fetchLockWheels, lockWheelSources } from "../../src/plugins/fill-wheels.ts";
import type { Lock } from "../../src/plugins/lockfile.ts";
import { makeRepo, tempDir } from "../helpers/git.ts";
import { recordingLog } from "../helpers/log.ts";

describe("pip records and wheel names (pure)", () => {
  test.each([
    ["specifiers, constraints file and -U dropped", ["-c /opt/stack/requirements/upper-constraints.txt -U pbr PyMySQL>=0.7.6"], ["PyMySQL>=0.7.6", "pbr"], []],
    ["extras kept", ["-U pip setuptools[core]"], ["pip", "setuptools[core]"], []],
    [
      "local projects are paths",
      ["-e /opt/stack/keystone", "/opt/stack/devstack/tools/dbcounter/"],
      [],
      ["/opt/stack/devstack/tools/dbcounter", "/opt/stack/keystone"],
    ],
    ["-r FILE is not a requirement", ["-r /tmp/x.txt bindep"], ["bindep"], []],
  ])("parsePipRecord: %s", (_n, lines, requirements, paths) => {
    expect(parsePipRecord(lines)).toEqual({ requirements, paths });
  });
  test.each([
    ["fixture_dep-1.0-py3-none-any.whl", { name: "fixture_dep", version: "1.0" }],
    ["PyMySQL-1.1.1-py3-none-any.whl", { name: "PyMySQL", version: "1.1.1" }],
    ["pkg-2.0-1-cp311-cp311-manylinux_2_17_x86_64.whl", { name: "pkg", version: "2.0" }],
    ["not-a-wheel.tar.gz", null],
  ])("parseWheelName %s", (file, want) => {
    expect(parseWheelName(file)).toEqual(want);
  });
});

const pip = Bun.spawnSync(["python3", "-m", "pip", "--version"], { stdout: "pipe", stderr: "pipe" });
const venv = Bun.spawnSync(["python3", "-c", "import ensurepip, venv"], { stderr: "pipe" });
const skip =
  pip.exitCode !== 0
    ? `python3 -m pip does not run here: ${pip.stderr.toString().trim()}`
    : venv.exitCode !== 0
      ? "python3 has no venv/ensurepip (Debian: python3-venv)"
      : Bun.spawnSync(["unshare", "-n", "true"]).exitCode !== 0
        ? "unshare -n is not permitted here"
        : "";
if (skip) console.log(`[skip] wheelhouse tests: ${skip}`);

/** A pure-Python wheel made by hand (zip with the dist-info pip reads). */
function makeWheel(dir: string, name: string, version: string, requires: string[] = []): void {
  const script = `
import sys, zipfile, os
d, name, version, *req = sys.argv[1:]
mod = name.replace("-", "_")
di = f"{mod}-{version}.dist-info"
meta = f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n" + "".join(f"Requires-Dist: {r}\\n" for r in req)
files = {f"{mod}/__init__.py": f"VERSION = {version!r}\\n", f"{di}/METADATA": meta,
         f"{di}/WHEEL": "Wheel-Version: 1.0\\nGenerator: plugstack-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
files[f"{di}/RECORD"] = "".join(f"{p},,\\n" for p in files) + f"{di}/RECORD,,\\n"
with zipfile.ZipFile(os.path.join(d, f"{mod}-{version}-py3-none-any.whl"), "w") as z:
    for p, t in files.items(): z.writestr(p, t)
`;
  const r = Bun.spawnSync(["python3", "-c", script, dir, name, version, ...requires], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`fixture wheel ${name}: ${r.stderr.toString()}`);
}

describe.skipIf(!!skip)("the wheelhouse", () => {
  const tmp = tempDir("ps15-wheels-");
  const files = join(tmp.path, "index-files");
  let server: ReturnType<typeof Bun.serve>;
  const cacheDir = join(tmp.path, "cache");
  const ctx = { cwd: tmp.path, env: { ...process.env } as Record<string, string>, log: recordingLog().log, cacheDir, offline: false };
  let lock: Lock;

  beforeAll(async () => {
    mkdirSync(files);
    makeWheel(files, "fixture-dep", "1.0");
    makeWheel(files, "fixture-dep", "2.0");
    makeWheel(files, "fixture-lib", "1.0", ["fixture-dep"]);
    makeWheel(files, "fixture-extra", "1.0");
    makeWheel(files, "fixture-tool", "1.0");
    makeWheel(files, "fixture-unused", "1.0");
    // PEP 503 simple index on 127.0.0.1
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const path = new URL(req.url).pathname;
        const m = /^\/simple\/([^/]+)\/$/.exec(path);
        if (m) {
          const want = m[1]!.replace(/[-_.]+/g, "_");
          const links = readdirSync(files)
            .filter((f) => f.startsWith(`${want}-`))
            .map((f) => `<a href="/files/${f}">${f}</a>`);
          return links.length
            ? new Response(`<html><body>${links.join("\n")}</body></html>`, { headers: { "content-type": "text/html" } })
            : new Response("", { status: 404 });
        }
        const f = /^\/files\/([^/]+)$/.exec(path);
        if (f && existsSync(join(files, f[1]!))) return new Response(Bun.file(join(files, f[1]!)));
        return new Response("", { status: 404 });
      },
    });
    ctx.env.PIP_INDEX_URL = `http://127.0.0.1:${server.port}/simple`;
    ctx.env.PIP_CACHE_DIR = join(tmp.path, "pip-cache");
    const plugin = makeRepo(join(tmp.path, "src", "plugin-a"), {
      files: { "requirements.txt": "fixture-lib\n", "tools/helper/requirements.txt": "fixture-tool\n", "devstack/plugin.sh": "true\n" },
    });
    const req = makeRepo(join(tmp.path, "src", "requirements"), {
      files: {
        "upper-constraints.txt": "fixture-dep===1.0\nfixture-lib===1.0\nfixture-extra===1.0\nfixture-tool===1.0\n",
        "global-requirements.txt": "fixture-lib\n",
      },
    });
    lock = {
      version: 1,
      plugins: [{ name: "plugin-a", url: plugin.url, ref: "master", commit: plugin.commits[0]! }],
      repos: [{ url: req.url, ref: "master", commit: req.commits[0]!, requested_by: "devstack" }],
    };
    for (const [url, commit] of [
      [plugin.url, plugin.commits[0]!],
      [req.url, req.commits[0]!],
    ] as const)
      pinCommit(await ensureMirror(ctx, url), commit);
    // what DevStack's own pip_install calls asked for on a connected run (recorded by the base layer)
    await updatePackageIndex(packageCacheDir(cacheDir, await detectDistro()), await detectDistro(), (i) => ({
      ...i,
      pipRequested: ["-c /opt/stack/requirements/upper-constraints.txt fixture-extra", "/opt/stack/plugin-a/tools/helper"],
    }));
  });
  afterAll(() => {
    server?.stop(true);
    tmp.cleanup();
  });

  test("fetch --python fills it from the index under the locked upper-constraints: plugins, repos, recorded calls and projects", async () => {
    const fill = await fetchLockWheels(ctx, lockWheelSources(lock, tmp.path), { dest: "/opt/stack" });
    expect(fill.constraints).toBe("requirements:upper-constraints.txt");
    expect(fill.requirementFiles).toEqual(["plugin-a:requirements.txt", "plugin-a:tools/helper/requirements.txt"]);
    const wheels = readdirSync(wheelhouseDir(cacheDir, await detectDistro())).sort();
    // fixture-dep 2.0 exists on the index, but upper-constraints pins 1.0; fixture-unused is asked by nobody
    expect(wheels).toEqual([
      "fixture_dep-1.0-py3-none-any.whl",
      "fixture_extra-1.0-py3-none-any.whl",
      "fixture_lib-1.0-py3-none-any.whl",
      "fixture_tool-1.0-py3-none-any.whl",
    ]);
    const index = await loadPackageIndex(packageCacheDir(cacheDir, await detectDistro()));
    expect(index?.wheels?.map((w) => `${w.name} ${w.version} ${w.sha256.length}`)).toEqual([
      "fixture_dep 1.0 64",
      "fixture_extra 1.0 64",
      "fixture_lib 1.0 64",
      "fixture_tool 1.0 64",
    ]);
  }, 120_000);

  test("offline, pip installs from the wheelhouse alone with no network, and what is not there fails at once", async () => {
    const wheels = wheelhouseDir(cacheDir, await detectDistro());
    const venvDir = join(tmp.path, "venv");
    const env = { ...process.env, ...offlinePipEnv(wheels), PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_CACHE_DIR: join(tmp.path, "pip-cache-offline") };
    delete (env as Record<string, string | undefined>).PIP_INDEX_URL;
    const script = `python3 -m venv "$1" && "$1/bin/pip" install -q fixture-lib fixture-tool && "$1/bin/python" -c 'import fixture_dep; print("dep", fixture_dep.VERSION)'`;
    const r = Bun.spawnSync(["unshare", "-n", "bash", "-c", script, "offline", venvDir], { env, stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).not.toContain("ERROR");
    expect(r.stdout.toString()).toContain("dep 1.0");
    const missing = Bun.spawnSync(["unshare", "-n", `${venvDir}/bin/pip`, "install", "fixture-unused"], { env, stdout: "pipe", stderr: "pipe" });
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr.toString()).toContain("No matching distribution found for fixture-unused");
    expect(missing.stderr.toString()).not.toContain("Retrying"); // no index was tried
  }, 120_000);

  test("a bundle carries the wheels to a fresh cache, where they are indexed again", async () => {
    const bundle = join(tmp.path, "stack.bundle");
    await createBundle({ ...ctx, offline: true }, bundle, lock, { baseDir: tmp.path });
    const fresh = join(tmp.path, "fresh-cache");
    await importBundle({ ...ctx, cacheDir: fresh, offline: true }, bundle, { baseDir: tmp.path, lockPath: join(tmp.path, "imported.lock") });
    const distro = await detectDistro();
    expect(readdirSync(wheelhouseDir(fresh, distro)).sort()).toEqual(readdirSync(wheelhouseDir(cacheDir, distro)).sort());
    const index = await loadPackageIndex(packageCacheDir(fresh, distro));
    expect(index?.wheels?.length).toBe(4);
    expect(index?.pipRequested).toContain("/opt/stack/plugin-a/tools/helper");
  }, 120_000);
});

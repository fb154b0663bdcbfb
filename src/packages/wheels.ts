// The Python wheelhouse of the offline cache: packages/<distro>/wheels/,
// filled by `fetch --python` with `python3 -m pip wheel` (so sdists are built
// into wheels while the index is reachable) under the locked requirements
// repo's upper-constraints, indexed in the distro's index.json (`wheels`,
// `python`). Offline, pip gets no index and that directory as its only source
// (offlinePipEnv). Wheels follow the distro's Python, hence the directory.
import { mkdir, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { PackageError } from "../errors.ts";
import { loadExeca } from "../util/execa-lazy.ts";
import type { DistroInfo } from "./distro.ts";
import { type CachedWheel, type PackageIndex, packageCacheDir, sha256, updatePackageIndex } from "./offline.ts";

type WheelCtx = Pick<Ctx, "env" | "log" | "cacheDir" | "offline">;

/** Where the wheels for this distro are cached (`fetch --python`), beside its packages. */
export function wheelhouseDir(cacheDir: string, distro: DistroInfo): string {
  return join(packageCacheDir(cacheDir, distro), "wheels");
}

/** Environment that makes pip install from the wheelhouse alone, with no index. */
export function offlinePipEnv(wheelhouse: string): Record<string, string> {
  return { PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheelhouse };
}

// a requirement specifier as DevStack passes them (name, extras, version constraints, markers)
const REQUIREMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?\s*([<>=!~;,. A-Za-z0-9_*'"+-]*)$/;

/**
 * Reads recorded `pip_install` argument lines: requirement specifiers, and local paths (projects,
 * installed from a checkout). Options (-U, -e, -c FILE, -r FILE, ...) are dropped. Pure.
 */
export function parsePipRecord(lines: readonly string[]): { requirements: string[]; paths: string[] } {
  const requirements = new Set<string>();
  const paths = new Set<string>();
  for (const line of lines) {
    const words = line.split(/\s+/).filter(Boolean);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (
        [
          "-c",
          "-r",
          "--constraint",
          "--requirement",
          "-i",
          "--index-url",
          "--extra-index-url",
          "-f",
          "--find-links",
          "--target",
          "-t",
          "--prefix",
          "--root",
        ].includes(w)
      ) {
        i++;
      } else if (w.startsWith("-")) {
        // any other option: no value to collect
      } else if (w.startsWith("/") || w.startsWith(".")) {
        paths.add(w.replace(/\/+$/, ""));
      } else if (REQUIREMENT.test(w)) {
        requirements.add(w);
      }
    }
  }
  return { requirements: [...requirements].sort(), paths: [...paths].sort() };
}

/** Name and version of a wheel from its file name (PEP 427). Pure. */
export function parseWheelName(file: string): { name: string; version: string } | null {
  const m = /^([^-]+)-([^-]+)(?:-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/.exec(file);
  return m ? { name: m[1]!, version: m[2]! } : null;
}

async function pythonVersion(python: string, env: WheelCtx["env"]): Promise<string> {
  const execa = await loadExeca();
  const r = await execa(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { reject: false, env, stdin: "ignore" });
  if (r.exitCode !== 0)
    throw new PackageError(
      `cannot run ${python}: ${String(r.stderr || r.stdout).trim() || `exit status ${r.exitCode}`}`,
      "fetch --python needs Python 3 with pip (Debian: apt-get install python3-pip)",
    );
  return String(r.stdout).trim();
}

/**
 * Builds or downloads wheels for `requirements` and the `requirementFiles`, with their dependencies,
 * under `constraints` (upper-constraints.txt), into the wheelhouse; returns the updated index.
 */
export async function fetchWheels(
  ctx: WheelCtx,
  opts: { distro: DistroInfo; requirements: string[]; requirementFiles: string[]; constraints: string | null; python?: string },
): Promise<PackageIndex> {
  const execa = await loadExeca();
  if (ctx.offline) throw new PackageError("cannot fetch wheels offline", "run plugstack fetch --python where the Python package index is reachable");
  const bad = opts.requirements.filter((r) => !REQUIREMENT.test(r));
  if (bad.length)
    throw new PackageError(
      `invalid Python requirement${bad.length > 1 ? "s" : ""}: ${bad.map((b) => JSON.stringify(b)).join(", ")}`,
      "a requirement is a project name with optional [extras] and version constraints",
    );
  const python = opts.python ?? "python3";
  const env = { ...ctx.env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_INPUT: "1" };
  const version = await pythonVersion(python, env);
  const dir = packageCacheDir(ctx.cacheDir, opts.distro);
  const wheels = wheelhouseDir(ctx.cacheDir, opts.distro);
  await mkdir(wheels, { recursive: true });
  if (opts.requirements.length || opts.requirementFiles.length) {
    ctx.log.info(
      `building the wheelhouse ${wheels} (Python ${version}): ${opts.requirements.length} requirement(s), ${opts.requirementFiles.length} requirements file(s)${opts.constraints ? `, constrained by ${opts.constraints}` : ""}`,
    );
    const argv = [
      "-m",
      "pip",
      "wheel",
      "--wheel-dir",
      wheels,
      ...(opts.constraints ? ["-c", opts.constraints] : []),
      ...opts.requirementFiles.flatMap((f) => ["-r", f]),
      ...opts.requirements,
    ];
    const r = await execa(python, argv, { reject: false, env, stdin: "ignore", all: true });
    if (r.exitCode !== 0) {
      throw new PackageError(
        `${python} -m pip wheel failed (exit status ${r.exitCode}): ${String(r.all).trim().split("\n").slice(-6).join("\n")}`,
        "is the Python package index reachable (pip's own configuration, PIP_INDEX_URL) and does every requirement exist under the upper-constraints?",
      );
    }
  }
  const entries: CachedWheel[] = [];
  for (const f of (await readdir(wheels)).filter((f) => f.endsWith(".whl")).sort()) {
    const parsed = parseWheelName(f);
    if (!parsed) continue;
    const path = join(wheels, f);
    entries.push({ ...parsed, file: `wheels/${f}`, size: (await stat(path)).size, sha256: await sha256(path) });
  }
  return updatePackageIndex(dir, opts.distro, (index) => {
    if (index.python && index.python !== version)
      ctx.log.warn(`the wheelhouse ${wheels} also holds wheels for Python ${index.python}; this one is for ${version}`);
    return { ...index, python: version, wheels: entries };
  });
}

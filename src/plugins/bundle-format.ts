// The bundle file (CONTRACT 9): a plain tar holding
//   MANIFEST            sha256 of every other member (`sha256sum -c` format)
//   bundle.json         format version, which git bundle holds which commits
//   local.conf.lock     the lock the bundle was made for
//   git/<key>.bundle    one git bundle per repo: the locked commits (refs/pins)
//                       with their full history, and the tags in it
//   packages/<distro>/  the offline package cache, when there is one
// tar runs with argument arrays; names are checked before anything is extracted.
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { BundleError } from "../errors.ts";

const BUNDLE_FORMAT = "plugstack-bundle";
const BUNDLE_VERSION = 1;
export const MANIFEST = "MANIFEST";
export const META = "bundle.json";
export const LOCK_MEMBER = "local.conf.lock";

export interface BundledRepo {
  /** member holding the git bundle, e.g. git/heat-0123abcd.bundle */
  bundle: string;
  /** the URLs the lock names this repo by, as written there */
  urls: string[];
  /** the locked commits it holds (each as refs/pins/<sha>) */
  commits: string[];
}

export interface BundleMeta {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  repos: BundledRepo[];
  /** distro names under packages/ */
  packages: string[];
}

const MEMBER = /^(MANIFEST|bundle\.json|local\.conf\.lock|git\/[A-Za-z0-9._-]+\.bundle|packages\/[A-Za-z0-9._+-]+(\/[A-Za-z0-9._+~%:=-]+)*)$/;

/** Why `name` may not be a bundle member, or null. */
function checkMemberName(name: string): string | null {
  const bare = name.replace(/\/+$/, "");
  if (bare === "git" || bare === "packages") return null;
  if (!MEMBER.test(bare) || bare.split("/").some((part) => part === "." || part === "..")) return `unexpected member name ${JSON.stringify(name)}`;
  return null;
}

export function renderManifest(sums: ReadonlyMap<string, string>): string {
  return `${[...sums.keys()].sort().map((name) => `${sums.get(name)}  ${name}`).join("\n")}\n`;
}

export function parseManifest(text: string, file: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const [i, line] of text.split("\n").entries()) {
    if (line === "") continue;
    const m = /^([0-9a-f]{64}) [ *](\S+)$/.exec(line);
    if (!m || checkMemberName(m[2]!) || sums.has(m[2]!)) throw new BundleError(`${file}: ${MANIFEST} line ${i + 1} is malformed: ${JSON.stringify(line.slice(0, 120))}`, "the bundle is damaged; create it again");
    sums.set(m[2]!, m[1]!);
  }
  return sums;
}

export function renderMeta(meta: BundleMeta): string {
  const repos = [...meta.repos].sort((a, b) => (a.bundle < b.bundle ? -1 : 1)).map((r) => ({ bundle: r.bundle, urls: [...r.urls].sort(), commits: [...r.commits].sort() }));
  return `${JSON.stringify({ format: BUNDLE_FORMAT, version: BUNDLE_VERSION, repos, packages: [...meta.packages].sort() }, null, 2)}\n`;
}

export function parseMeta(text: string, file: string): BundleMeta {
  let doc: Partial<BundleMeta>;
  try {
    doc = JSON.parse(text) as Partial<BundleMeta>;
  } catch (e) {
    throw new BundleError(`${file}: ${META} is not valid JSON: ${(e as Error).message}`);
  }
  if (doc.format !== BUNDLE_FORMAT) throw new BundleError(`${file} is not a plugstack bundle (${META} has format ${JSON.stringify(doc.format)})`);
  if (doc.version !== BUNDLE_VERSION) {
    throw new BundleError(`${file}: bundle format version ${JSON.stringify(doc.version)} is not supported (this plugstack reads version ${BUNDLE_VERSION})`, "it was made by a newer plugstack: upgrade plugstack here, or create the bundle with this version");
  }
  const repos = Array.isArray(doc.repos) ? doc.repos : [];
  for (const r of repos) {
    const ok = typeof r?.bundle === "string" && !checkMemberName(r.bundle) && r.bundle.startsWith("git/") && Array.isArray(r.urls) && Array.isArray(r.commits) && r.commits.every((c) => /^[0-9a-f]{40}$/.test(String(c)));
    if (!ok) throw new BundleError(`${file}: ${META} has a malformed repo entry: ${JSON.stringify(r).slice(0, 200)}`);
  }
  const packages = Array.isArray(doc.packages) ? doc.packages.filter((p): p is string => typeof p === "string" && /^[A-Za-z0-9._+-]+$/.test(p)) : [];
  return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, repos, packages };
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) h.update(chunk);
  return h.digest("hex");
}

/** Regular files under `root`, as member names (sorted); anything else (symlinks, devices) is refused. */
export function listFiles(root: string, file: string, dir = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir)).sort()) {
    const name = dir ? `${dir}/${entry}` : entry;
    const st = lstatSync(join(root, name));
    if (st.isDirectory()) out.push(...listFiles(root, file, name));
    else if (st.isFile()) out.push(name);
    else throw new BundleError(`${file}: member ${name} is not a regular file`, "the bundle is damaged or was not made by plugstack; refusing it");
  }
  return out;
}

async function tar(args: string[], what: string, file: string): Promise<string> {
  const r = await execa("tar", args, { reject: false, stdin: "ignore", env: { LC_ALL: "C" }, extendEnv: true });
  if (r.exitCode !== 0) {
    const err = String(r.stderr).trim() || String(r.shortMessage ?? "");
    throw new BundleError(`cannot ${what} ${file}: tar failed (exit ${r.exitCode}): ${err}`, "check that the file is a complete plugstack bundle and that tar is installed");
  }
  return String(r.stdout);
}

/** Write `members` (relative to `dir`) into the tar `out`. */
export async function createTar(out: string, dir: string, members: readonly string[]): Promise<void> {
  await tar(["-c", "-f", out, "-C", dir, "--owner=0", "--group=0", "--numeric-owner", "--", ...members], "write", out);
}

/** Check every member's name and type (regular files and directories only), then extract into `into`. */
export async function extractTar(file: string, into: string): Promise<void> {
  const names = (await tar(["-t", "-f", file], "read", file)).split("\n").filter(Boolean);
  const long = (await tar(["-t", "-v", "-f", file], "read", file)).split("\n").filter(Boolean);
  if (names.length !== long.length) throw new BundleError(`${file}: cannot list its members unambiguously`, "refusing a bundle with odd member names");
  names.forEach((name, i) => {
    const bad = checkMemberName(name);
    if (bad) throw new BundleError(`${file}: ${bad}`, "the bundle was not made by plugstack; refusing it");
    const type = long[i]![0];
    if (type !== "-" && type !== "d") throw new BundleError(`${file}: member ${name} is not a regular file or directory (type ${type})`, "refusing links and devices in a bundle");
  });
  await tar(["-x", "-f", file, "-C", into, "--no-same-owner", "--no-same-permissions"], "extract", file);
}

// The bundle file (CONTRACT 9): a plain tar holding
//   MANIFEST            sha256 of every other member (`sha256sum -c` format)
//   bundle.json         format version, which git bundle holds which commits
//   local.conf.lock     the lock the bundle was made for
//   local.conf          the config it was made from (written on import when there is none)
//   git/<key>.bundle    one git bundle per repo: the locked commits (refs/pins)
//                       with their full history, and the tags in it
//   packages/<distro>/  the offline package cache, when there is one
// plugstack reads and writes the tar itself (no external tar): names, types,
// sizes and checksums are checked as each member streams in, before its
// bytes are written.
import { lstatSync, readdirSync, statSync } from "node:fs";
import { type FileHandle, mkdir, open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { BundleError } from "../errors.ts";
import { redact } from "../util/redact.ts";
import { isFullSha } from "../util/sha.ts";
import { compressionOf, TarFormatError, TarReader, TarWriter } from "../util/tar.ts";

const BUNDLE_FORMAT = "plugstack-bundle";
const BUNDLE_VERSION = 1;
export const MANIFEST = "MANIFEST";
export const META = "bundle.json";
export const LOCK_MEMBER = "local.conf.lock";
export const CONFIG_MEMBER = "local.conf";

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

const MEMBER = /^(MANIFEST|bundle\.json|local\.conf\.lock|local\.conf|git\/[A-Za-z0-9._-]+\.bundle|packages\/[A-Za-z0-9._+-]+(\/[A-Za-z0-9._+~%:=-]+)*)$/;

/** Why `name` may not be a bundle member, or null. */
function checkMemberName(name: string): string | null {
  const bare = name.replace(/\/+$/, "");
  if (bare === "git" || bare === "packages") return null;
  if (!MEMBER.test(bare) || bare.split("/").some((part) => part === "." || part === "..")) return `unexpected member name ${JSON.stringify(name)}`;
  return null;
}

function renderManifest(sums: ReadonlyMap<string, string>): string {
  return `${[...sums.keys()]
    .sort()
    .map((name) => `${sums.get(name)}  ${name}`)
    .join("\n")}\n`;
}

function parseManifest(text: string, file: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const [i, line] of text.split("\n").entries()) {
    if (line === "") continue;
    const m = /^([0-9a-f]{64}) [ *](\S+)$/.exec(line);
    if (!m || checkMemberName(m[2]!) || sums.has(m[2]!))
      throw new BundleError(`${file}: ${MANIFEST} line ${i + 1} is malformed: ${JSON.stringify(line.slice(0, 120))}`, "the bundle is damaged; create it again");
    sums.set(m[2]!, m[1]!);
  }
  return sums;
}

export function renderMeta(meta: BundleMeta): string {
  const repos = [...meta.repos]
    .sort((a, b) => (a.bundle < b.bundle ? -1 : 1))
    .map((r) => ({ bundle: r.bundle, urls: [...r.urls].map(redact).sort(), commits: [...r.commits].sort() }));
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
    throw new BundleError(
      `${file}: bundle format version ${JSON.stringify(doc.version)} is not supported (this plugstack reads version ${BUNDLE_VERSION})`,
      "it was made by a newer plugstack: upgrade plugstack here, or create the bundle with this version",
    );
  }
  const repos = Array.isArray(doc.repos) ? doc.repos : [];
  for (const r of repos) {
    const ok =
      typeof r?.bundle === "string" &&
      !checkMemberName(r.bundle) &&
      r.bundle.startsWith("git/") &&
      Array.isArray(r.urls) &&
      Array.isArray(r.commits) &&
      r.commits.every((c) => isFullSha(String(c)));
    if (!ok) throw new BundleError(`${file}: ${META} has a malformed repo entry: ${JSON.stringify(r).slice(0, 200)}`);
  }
  const packages = Array.isArray(doc.packages) ? doc.packages.filter((p): p is string => typeof p === "string" && /^[A-Za-z0-9._+-]+$/.test(p)) : [];
  return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, repos, packages };
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

/** Total bytes an import may unpack: $PLUGSTACK_BUNDLE_MAX (bytes, or with a K, M, G or T suffix), default 64G. */
export function bundleSizeCap(env: Record<string, string | undefined>): number {
  const raw = (env.PLUGSTACK_BUNDLE_MAX ?? "").trim();
  const m = /^(\d+)\s*([KMGT]?)i?B?$/i.exec(raw);
  if (!m) return 64 * 1024 ** 3;
  const unit = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2]!.toUpperCase() as "" | "K" | "M" | "G" | "T"];
  return Number(m[1]) * unit;
}

function sizeText(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${n} bytes`;
}

/**
 * Unpack the bundle `file` into `into`, trusting nothing: only an
 * uncompressed tar; MANIFEST must come first and is read before anything
 * else; each later member must be a regular file the MANIFEST lists (or a
 * directory holding one), is refused before a byte of it is written when it
 * is not, is streamed to disk while hashed, and must match its sha256; the
 * total stays under `maxBytes`. Returns the MANIFEST's checksums.
 */
export async function extractBundle(file: string, into: string, opts: { maxBytes: number }): Promise<Map<string, string>> {
  const refuse = (message: string, hint = "the bundle was not made by plugstack, or was altered; refusing it"): never => {
    throw new BundleError(`${file}: ${message}`, hint);
  };
  const fh = await open(file, "r");
  try {
    return await readBundle(file, fh, into, opts.maxBytes, refuse);
  } catch (e) {
    if (e instanceof TarFormatError)
      return refuse(`not a readable bundle: ${e.message}`, "the file is damaged or incomplete (a truncated copy?); copy it again");
    throw e;
  } finally {
    await fh.close();
  }
}

async function readBundle(
  file: string,
  fh: FileHandle,
  into: string,
  maxBytes: number,
  refuse: (message: string, hint?: string) => never,
): Promise<Map<string, string>> {
  const { size: fileSize } = await fh.stat();
  const head = new Uint8Array(6);
  await fh.read(head, 0, 6, 0);
  const packed = compressionOf(head);
  if (packed)
    refuse(
      `it is ${packed}-compressed; only an uncompressed tar (as \`plugstack bundle create\` writes) is accepted`,
      `decompress it first (e.g. \`${packed === "gzip" ? "gunzip" : packed === "bzip2" ? "bunzip2" : packed === "xz" ? "unxz" : "unzstd"}\`), then import the .tar it gives`,
    );
  if (fileSize > maxBytes + 1024 * 1024)
    refuse(
      `it is ${sizeText(fileSize)}, more than the ${sizeText(maxBytes)} an import may unpack`,
      "raise the limit with PLUGSTACK_BUNDLE_MAX (e.g. PLUGSTACK_BUNDLE_MAX=200G) if the bundle is trusted",
    );
  const reader = new TarReader(fh, fileSize);
  const dirs = new Set<string>();
  let sums: Map<string, string> | null = null;
  const seen = new Set<string>();
  let total = 0;
  for (;;) {
    const h = await reader.next();
    if (!h) break;
    const name = h.name.replace(/^\.\//, "");
    const bad = checkMemberName(name);
    if (bad) refuse(bad);
    if (h.type !== "file" && h.type !== "dir")
      refuse(`member ${name} is not a regular file or directory (${h.type}${h.linkName ? ` to ${h.linkName}` : ""})`, "refusing links and devices in a bundle");
    if (sums === null) {
      if (name !== MANIFEST || h.type !== "file")
        refuse(`its first member is ${name}, not ${MANIFEST}: not a plugstack bundle, or damaged`, "create it again with `plugstack bundle create`");
      if (h.size > 16 * 1024 * 1024) refuse(`${MANIFEST} is ${sizeText(h.size)}: too large to be one`);
      const chunks: Uint8Array[] = [];
      await reader.pipe((c) => void chunks.push(c));
      sums = parseManifest(Buffer.concat(chunks).toString("utf8"), file);
      for (const member of sums.keys()) for (let d = dirname(member); d !== "."; d = dirname(d)) dirs.add(d);
      for (const required of [META, LOCK_MEMBER]) if (!sums.has(required)) refuse(`it has no ${required}: not a plugstack bundle`);
      continue;
    }
    const bare = name.replace(/\/+$/, "");
    if (h.type === "dir") {
      if (!dirs.has(bare)) refuse(`member ${bare}/ is a directory no listed member is in`);
      await reader.skip();
      continue;
    }
    const expected = sums.get(bare);
    if (expected === undefined) refuse(`member ${bare} is not listed in ${MANIFEST}`, "the bundle was altered after it was made; refusing it");
    if (seen.has(bare)) refuse(`member ${bare} appears twice`);
    seen.add(bare);
    total += h.size;
    if (total > maxBytes)
      refuse(
        `its members add up to more than the ${sizeText(maxBytes)} an import may unpack`,
        "raise the limit with PLUGSTACK_BUNDLE_MAX (e.g. PLUGSTACK_BUNDLE_MAX=200G) if the bundle is trusted",
      );
    const path = join(into, bare);
    await mkdir(dirname(path), { recursive: true });
    const out = await open(path, "wx", 0o644);
    const hash = new Bun.CryptoHasher("sha256");
    try {
      await reader.pipe(async (c) => {
        hash.update(c);
        await out.write(c);
      });
    } catch (e) {
      if (e instanceof TarFormatError)
        refuse(`member ${bare} is cut short: ${e.message}`, "the file is damaged or incomplete (a truncated copy?); copy it again");
      throw e;
    } finally {
      await out.close();
    }
    const actual = hash.digest("hex");
    if (actual !== expected)
      refuse(
        `member ${bare} failed its checksum (sha256 ${actual.slice(0, 16)}..., ${MANIFEST} says ${expected!.slice(0, 16)}...)`,
        "the bundle was damaged or altered in transit; copy it again from its source",
      );
  }
  if (sums === null) return refuse(`it has no ${MANIFEST}: not a plugstack bundle, or damaged`, "create it again with `plugstack bundle create`");
  for (const name of sums.keys())
    if (!seen.has(name)) refuse(`member ${name} is listed in ${MANIFEST} but missing`, "the bundle is incomplete (a truncated copy?); copy it again");
  return sums;
}

/**
 * Write the bundle `out`: MANIFEST first (its checksums filled in once the
 * members are written and hashed), then each member streamed from its
 * source file. Returns the checksums.
 */
export async function writeBundle(out: string, members: readonly { name: string; path: string }[]): Promise<Map<string, string>> {
  const sized = members.map((m) => ({ ...m, size: statSync(m.path).size }));
  const placeholder = renderManifest(new Map(sized.map((m) => [m.name, "0".repeat(64)])));
  const fh = await open(out, "w", 0o644);
  try {
    const tar = new TarWriter(fh);
    const manifestAt = await tar.add(MANIFEST, Buffer.byteLength(placeholder), [Buffer.from(placeholder)]);
    const sums = new Map<string, string>();
    for (const m of sized) {
      const hash = new Bun.CryptoHasher("sha256");
      const chunks = (async function* () {
        for await (const c of Bun.file(m.path).stream()) {
          hash.update(c);
          yield c;
        }
      })();
      await tar.add(m.name, m.size, chunks);
      sums.set(m.name, hash.digest("hex"));
    }
    await tar.rewrite(manifestAt, Buffer.from(renderManifest(sums)));
    await tar.finish();
    await fh.sync();
    return sums;
  } finally {
    await fh.close();
  }
}

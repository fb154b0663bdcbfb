// "No tracked changes" without a git process, for a warm re-stack: what
// `git status --porcelain --untracked-files=no --ignore-submodules=all` says
// of a checkout, answered in-process only when the answer is certain, else
// left to git (checkout.ts).
//
// git's answer has two halves. Unstaged changes: git compares each index
// entry's recorded stat data with the file's (ie_match_stat), and so does
// this module, at least as strictly. Staged changes (the index against
// HEAD's tree) no stat shows: they are covered by a stamp. After git said
// "clean" the caller records the checkout's HEAD and its index file's
// identity (size, mtime, ctime, inode); while both are unchanged the index
// holds what it held then, so the staged half of git's answer still holds.
import { type BigIntStats, closeSync, existsSync, fstatSync, lstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { readHead } from "./git.ts";
import { type IndexEntry, parseIndex } from "./git-index.ts";

/** A checkout git found clean: its HEAD then, and the identity of its index file and packed-refs then. */
export interface CleanStamp {
  head: string;
  /** "size mtimeNs ctimeNs ino dev" of .git/index */
  index: string;
  /** the same of .git/packed-refs ("-" when there is none): a replace ref packed there changes what HEAD's tree is */
  refs: string;
}

function identity(st: BigIntStats): string {
  return `${st.size} ${st.mtimeNs} ${st.ctimeNs} ${st.ino} ${st.dev}`;
}

function fileIdentity(path: string): string {
  const st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  return st ? identity(st) : "-";
}

/**
 * The stamp of `dir` as it is now: null when this module could never answer
 * for it (no plain .git directory with a HEAD it can read, no index, replace
 * refs or grafts that change what HEAD's tree is without changing HEAD).
 */
export function currentStamp(dir: string): CleanStamp | null {
  const head = readHead(dir);
  if (!head) return null;
  const git = join(dir, ".git");
  if (existsSync(join(git, "refs", "replace")) || existsSync(join(git, "info", "grafts"))) return null;
  const index = fileIdentity(join(git, "index"));
  if (index === "-") return null;
  return { head, index, refs: fileIdentity(join(git, "packed-refs")) };
}

/** The same HEAD, index and packed-refs: nothing git's answer depends on moved between the two. */
export function sameStamp(a: CleanStamp, b: CleanStamp): boolean {
  return a.head === b.head && a.index === b.index && a.refs === b.refs;
}

/** The index file's bytes and its stat, from one open file (what was read is what was stat'ed). */
function readIndex(path: string): { bytes: Uint8Array; st: BigIntStats } | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    const before = fstatSync(fd, { bigint: true });
    const bytes = new Uint8Array(Number(before.size));
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, got);
      if (n <= 0) return null;
      got += n;
    }
    const after = fstatSync(fd, { bigint: true });
    return identity(before) === identity(after) ? { bytes, st: after } : null;
  } finally {
    closeSync(fd);
  }
}

const NS = 1_000_000_000n;
const U32 = 0xffffffffn;
const u32 = (v: bigint) => Number(v & U32);

/** (sec, nsec) of a timestamp in ns, as git stores it (seconds truncated to 32 bits). */
function timeOf(ns: bigint): [number, number] {
  return [u32(ns / NS), Number(ns % NS)];
}

/**
 * The worktree file of `e` as git recorded it (ce_match_stat_basic with
 * git's defaults, and stricter: the nanoseconds of mtime and ctime, inode,
 * owner, size, the file's type and its executable bit).
 */
function entryMatches(e: IndexEntry, st: BigIntStats): boolean {
  if (e.mode === 0o120000) {
    if (!st.isSymbolicLink()) return false;
  } else if (!st.isFile() || ((e.mode ^ Number(st.mode)) & 0o100) !== 0) return false;
  const [mSec, mNsec] = timeOf(st.mtimeNs);
  const [cSec, cNsec] = timeOf(st.ctimeNs);
  return (
    e.mtimeSec === mSec &&
    e.mtimeNsec === mNsec &&
    e.ctimeSec === cSec &&
    e.ctimeNsec === cNsec &&
    e.ino === u32(st.ino) &&
    e.uid === u32(st.uid) &&
    e.gid === u32(st.gid) &&
    e.size === u32(st.size)
  );
}

/**
 * True only when `dir` certainly has no tracked changes, staged or not, as
 * `git status --porcelain --untracked-files=no --ignore-submodules=all`
 * would say: its HEAD, index and packed-refs are as `stamp` recorded them
 * when git said so, and every entry of the index still matches its file by
 * stat. False means "ask git" (a change, or anything this cannot be sure
 * of: racily clean entries, flags git honours, extensions it must know).
 */
export function stillClean(dir: string, stamp: CleanStamp): boolean {
  const now = currentStamp(dir);
  if (!now || !sameStamp(now, stamp)) return false;
  const index = readIndex(join(dir, ".git", "index"));
  if (!index || identity(index.st) !== stamp.index) return false;
  const parsed = parseIndex(index.bytes, stamp.head.length === 64 ? 32 : 20);
  if ("unsure" in parsed) return false;
  const [indexSec, indexNsec] = timeOf(index.st.mtimeNs);
  const dirs = new Set<string>();
  for (const e of parsed.entries) {
    if (e.mode === 0o160000) continue; // a gitlink: --ignore-submodules=all
    if (e.mode !== 0o100644 && e.mode !== 0o100755 && e.mode !== 0o120000) return false;
    // racily clean: changed in the same tick as the index was written, git reads the content
    if (e.mtimeSec > indexSec || (e.mtimeSec === indexSec && e.mtimeNsec >= indexNsec)) return false;
    // a size of 0 that is not the empty blob: git smudged a racy entry, it differs
    if (e.size === 0 && !e.emptyBlob) return false;
    // every leading directory is a directory (git counts a path behind a symlink as deleted)
    for (let slash = e.path.indexOf("/"); slash > 0; slash = e.path.indexOf("/", slash + 1)) {
      const parent = e.path.slice(0, slash);
      if (dirs.has(parent)) continue;
      const st = lstatSync(join(dir, parent), { throwIfNoEntry: false });
      if (!st?.isDirectory()) return false;
      dirs.add(parent);
    }
    const st = lstatSync(join(dir, e.path), { bigint: true, throwIfNoEntry: false });
    if (!st || !entryMatches(e, st)) return false;
  }
  return true;
}

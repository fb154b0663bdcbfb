// git's index file (.git/index, "DIRC", versions 2, 3 and 4) read into the
// stat data of its entries, for the in-process "no tracked changes" check
// (clean-check.ts). Pure: bytes in, entries or the reason it cannot be sure
// out. Whatever this reader does not understand makes it unsure, never
// wrong: an unknown version, an extension git requires readers to know
// (split index `link`, sparse index `sdir`), and entries whose worktree git
// does not compare by stat (assume-unchanged, skip-worktree, intent-to-add)
// or that are in conflict (a stage other than 0).

/** One index entry's stat data as git recorded it (each field truncated to 32 bits, as git stores it). */
export interface IndexEntry {
  path: string;
  ctimeSec: number;
  ctimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  dev: number;
  ino: number;
  /** 0o100644, 0o100755, 0o120000 (symlink) or 0o160000 (gitlink) */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** the entry names the empty blob (a size of 0 then is not a smudged racy entry) */
  emptyBlob: boolean;
}

export type ParsedIndex = { entries: IndexEntry[] } | { unsure: string };

const EMPTY_BLOB = {
  20: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
  32: "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813",
} as const;

const ASSUME_VALID = 0x8000;
const EXTENDED = 0x4000;
const STAGE = 0x3000;
const NAME_MASK = 0x0fff;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function hex(bytes: Uint8Array, from: number, length: number): string {
  let out = "";
  for (let i = from; i < from + length; i++) out += (bytes[i] ?? 0).toString(16).padStart(2, "0");
  return out;
}

/** git's offset varint (varint.c): 7 bits a byte, each continuation adding one. */
function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } | null {
  let i = at;
  let c = bytes[i++];
  if (c === undefined) return null;
  let value = c & 127;
  while (c & 128) {
    c = bytes[i++];
    if (c === undefined || value > 0xffffff) return null;
    value = ((value + 1) << 7) | (c & 127);
  }
  return { value, next: i };
}

/** A path git itself would put in an index (verify_path): relative, no empty, `.` or `..` component. */
function plainPath(path: string): boolean {
  if (!path || path.startsWith("/") || path.endsWith("/")) return false;
  for (const part of path.split("/")) if (part === "" || part === "." || part === "..") return false;
  return true;
}

/**
 * The entries of an index file, or why it cannot be trusted. `hashBytes`:
 * 20 in a SHA-1 repository, 32 in a SHA-256 one (the length of HEAD's name).
 */
export function parseIndex(bytes: Uint8Array, hashBytes: 20 | 32): ParsedIndex {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - hashBytes; // the trailing checksum
  if (end < 12 || view.getUint32(0) !== 0x44495243) return { unsure: "not an index file" };
  const version = view.getUint32(4);
  if (version < 2 || version > 4) return { unsure: `index version ${version}` };
  const count = view.getUint32(8);
  const statEnd = 40; // ten 32-bit stat fields
  const flagsAt = statEnd + hashBytes;
  const entries: IndexEntry[] = [];
  let at = 12;
  let previous: Uint8Array = new Uint8Array(0); // v4: the previous entry's path
  for (let n = 0; n < count; n++) {
    if (at + flagsAt + 2 > end) return { unsure: "truncated index" };
    const flags = view.getUint16(at + flagsAt);
    if (flags & ASSUME_VALID) return { unsure: "an entry marked assume-unchanged" };
    if (flags & STAGE) return { unsure: "a conflict (an entry at a stage other than 0)" };
    let nameAt = at + flagsAt + 2;
    if (flags & EXTENDED) {
      if (version < 3) return { unsure: "an extended entry in a version 2 index" };
      if (nameAt + 2 > end) return { unsure: "truncated index" };
      // skip-worktree, intent-to-add or a bit this reader does not know
      if (view.getUint16(nameAt) !== 0) return { unsure: "an entry marked skip-worktree or intent-to-add" };
      nameAt += 2;
    }
    let nameBytes: Uint8Array;
    let next: number;
    if (version === 4) {
      const strip = readVarint(bytes, nameAt);
      if (!strip || strip.value > previous.length) return { unsure: "a bad path in the index" };
      const nul = bytes.indexOf(0, strip.next);
      if (nul < 0 || nul >= end) return { unsure: "truncated index" };
      const kept = previous.subarray(0, previous.length - strip.value);
      nameBytes = new Uint8Array(kept.length + nul - strip.next);
      nameBytes.set(kept);
      nameBytes.set(bytes.subarray(strip.next, nul), kept.length);
      next = nul + 1;
    } else {
      const nul = bytes.indexOf(0, nameAt);
      if (nul < 0 || nul >= end) return { unsure: "truncated index" };
      nameBytes = bytes.subarray(nameAt, nul);
      // the entry is padded with 1 to 8 NULs to a multiple of 8 bytes
      next = at + ((nameAt - at + nameBytes.length + 8) & ~7);
      if (next > end) return { unsure: "truncated index" };
    }
    const nameLength = flags & NAME_MASK;
    if (nameLength !== NAME_MASK && nameLength !== nameBytes.length) return { unsure: "a bad path length in the index" };
    let path: string;
    try {
      path = utf8.decode(nameBytes);
    } catch {
      return { unsure: "a path that is not UTF-8" };
    }
    if (!plainPath(path)) return { unsure: `an odd path in the index: ${JSON.stringify(path)}` };
    const u32 = (k: number) => view.getUint32(at + 4 * k);
    const size = u32(9);
    entries.push({
      path,
      ctimeSec: u32(0),
      ctimeNsec: u32(1),
      mtimeSec: u32(2),
      mtimeNsec: u32(3),
      dev: u32(4),
      ino: u32(5),
      mode: u32(6),
      uid: u32(7),
      gid: u32(8),
      size,
      emptyBlob: size === 0 && hex(bytes, at + statEnd, hashBytes) === EMPTY_BLOB[hashBytes],
    });
    previous = nameBytes;
    at = next;
  }
  // extensions: an upper-case first letter marks one a reader may skip
  while (at < end) {
    if (at + 8 > end) return { unsure: "truncated index extension" };
    const first = bytes[at]!;
    if (first < 0x41 || first > 0x5a) return { unsure: `index extension "${String.fromCharCode(...bytes.subarray(at, at + 4))}"` };
    at += 8 + view.getUint32(at + 4);
  }
  if (at !== end) return { unsure: "truncated index extension" };
  return { entries };
}

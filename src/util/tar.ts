// A small streaming reader and writer for uncompressed tar (ustar, with GNU
// long names and pax `path` records on reading), so bundles need no external
// `tar` and every member is seen before a byte of it is written anywhere.
// Leaf module: knows nothing of bundles; malformed input is a TarFormatError.
import type { FileHandle } from "node:fs/promises";

const BLOCK = 512;

export class TarFormatError extends Error {}

export type TarType = "file" | "dir" | "symlink" | "hardlink" | "char-device" | "block-device" | "fifo" | "other";

export interface TarHeader {
  name: string;
  type: TarType;
  /** the type flag as written ('0', '5', '2', ...) */
  flag: string;
  size: number;
  /** link target, for symlinks and hardlinks */
  linkName: string;
}

const TYPES: Record<string, TarType> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "5": "dir",
  "2": "symlink",
  "1": "hardlink",
  "3": "char-device",
  "4": "block-device",
  "6": "fifo",
};

/** What a file starts with when it is compressed, or null. */
export function compressionOf(head: Uint8Array): string | null {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return "bzip2";
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a) return "xz";
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  return null;
}

function text(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return new TextDecoder("utf-8", { fatal: false }).decode(end < 0 ? field : field.subarray(0, end));
}

function octal(block: Uint8Array, start: number, length: number, what: string): number {
  if ((block[start]! & 0x80) !== 0) throw new TarFormatError(`${what} is in base-256 (too large)`);
  const s = text(block, start, length).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`${what} is not an octal number: ${JSON.stringify(s)}`);
  const n = Number.parseInt(s, 8);
  if (!Number.isSafeInteger(n)) throw new TarFormatError(`${what} is too large`);
  return n;
}

function checksumOk(block: Uint8Array): boolean {
  let stored: number;
  try {
    stored = octal(block, 148, 8, "header checksum");
  } catch {
    return false;
  }
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === stored;
}

function pad(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/**
 * Reads a tar file member by member. After next() returns a header, call
 * pipe() (stream its bytes) or skip() before the next next().
 */
export class TarReader {
  private pos = 0;
  private pending = 0;
  constructor(
    private readonly fh: FileHandle,
    private readonly fileSize: number,
  ) {}

  private async readExactly(n: number): Promise<Uint8Array> {
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await this.fh.read(buf, got, n - got, this.pos + got);
      if (bytesRead === 0) throw new TarFormatError(`the file ends early (truncated at byte ${this.pos + got} of a ${n}-byte read)`);
      got += bytesRead;
    }
    this.pos += n;
    return buf;
  }

  private async body(size: number): Promise<Uint8Array> {
    if (size > 1024 * 1024) throw new TarFormatError(`an extended header of ${size} bytes is too large`);
    const data = await this.readExactly(size);
    this.pos += pad(size);
    return data;
  }

  /** The next member's header, or null at the end of the archive. */
  async next(): Promise<TarHeader | null> {
    if (this.pending) throw new TarFormatError("internal: the previous member was not read");
    let longName: string | null = null;
    for (;;) {
      if (this.pos + BLOCK > this.fileSize) {
        if (this.pos >= this.fileSize) throw new TarFormatError("the archive has no end marker (truncated)");
        throw new TarFormatError(`the file ends early (truncated inside a header at byte ${this.pos})`);
      }
      const block = await this.readExactly(BLOCK);
      if (block.every((b) => b === 0)) return null;
      if (!checksumOk(block)) throw new TarFormatError(`bad header checksum at byte ${this.pos - BLOCK} (not a tar file, or damaged)`);
      const flag = String.fromCharCode(block[156]!);
      const size = octal(block, 124, 12, "member size");
      if (flag === "L") {
        longName = text(await this.body(size), 0, size);
        continue;
      }
      if (flag === "x") {
        const records = new TextDecoder().decode(await this.body(size));
        const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(records);
        if (path) longName = path[1]!;
        continue;
      }
      if (flag === "g") {
        await this.body(size);
        continue;
      }
      const magic = text(block, 257, 6);
      const prefix = magic.startsWith("ustar") ? text(block, 345, 155) : "";
      const name = longName ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100));
      const type = TYPES[flag] ?? "other";
      // links and devices carry no data in a well-formed archive; whatever
      // size they claim is skipped past
      this.pending = size;
      return { name, type, flag, size, linkName: text(block, 157, 100) };
    }
  }

  /** Stream the current member's bytes to `sink`, in chunks. */
  async pipe(sink: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
    let left = this.pending;
    const chunk = 1024 * 1024;
    while (left > 0) {
      const data = await this.readExactly(Math.min(chunk, left));
      await sink(data);
      left -= data.length;
    }
    this.pos += pad(this.pending);
    this.pending = 0;
  }

  async skip(): Promise<void> {
    this.pos += this.pending + pad(this.pending);
    this.pending = 0;
  }
}

function header(name: string, size: number, flag = "0"): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const enc = new TextEncoder();
  const put = (s: string, start: number, length: number) => block.set(enc.encode(s).subarray(0, length), start);
  const num = (n: number, start: number, length: number) => put(`${n.toString(8).padStart(length - 1, "0")}\0`, start, length);
  put(name, 0, 100);
  num(0o644, 100, 8);
  num(0, 108, 8);
  num(0, 116, 8);
  num(size, 124, 12);
  num(0, 136, 12); // mtime 0: the same content gives the same bytes
  block.fill(32, 148, 156);
  put(flag, 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  put("root", 265, 32);
  put("root", 297, 32);
  let sum = 0;
  for (const b of block) sum += b;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return block;
}

/** Headers for `name`: a GNU long-name record first when it does not fit in 100 bytes. */
function headersFor(name: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(name);
  if (bytes.length <= 100) return [header(name, size)];
  const body = new Uint8Array(bytes.length + 1 + pad(bytes.length + 1));
  body.set(bytes);
  return [header("././@LongLink", bytes.length + 1, "L"), body, header(new TextDecoder().decode(bytes.subarray(0, 100)), size)];
}

/** Writes an uncompressed tar member by member (regular files only; owner root, mode 0644, mtime 0). */
export class TarWriter {
  private pos = 0;
  constructor(private readonly fh: FileHandle) {}

  private async write(data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, this.pos + done);
      done += bytesWritten;
    }
    this.pos += data.length;
  }

  /** A member of `size` bytes from `chunks`; returns the offset of its data. */
  async add(name: string, size: number, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number> {
    for (const h of headersFor(name, size)) await this.write(h);
    const at = this.pos;
    let n = 0;
    for await (const c of chunks) {
      n += c.length;
      if (n > size) throw new TarFormatError(`${name} grew while it was being written`);
      await this.write(c);
    }
    if (n !== size) throw new TarFormatError(`${name} changed size while it was being written (${n} of ${size} bytes)`);
    await this.write(new Uint8Array(pad(size)));
    return at;
  }

  /** Overwrite the data of a member added earlier (same length). */
  async rewrite(at: number, data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, at + done);
      done += bytesWritten;
    }
  }

  async finish(): Promise<void> {
    await this.write(new Uint8Array(BLOCK * 2));
  }
}

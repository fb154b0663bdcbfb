import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { compressionOf, TarReader, TarWriter } from "../../src/util/tar.ts";
import { tempDir } from "../helpers/git.ts";

const tmp = tempDir("plugstack-tar-");
afterAll(() => tmp.cleanup());

const members: [string, string][] = [
  ["MANIFEST", "first\n"],
  ["empty", ""],
  ["git/exactly-512", "x".repeat(512)],
  [`packages/bookworm/${"long-name-".repeat(14)}.deb`, "a member whose name needs a GNU long-name record\n"],
];

async function write(path: string): Promise<void> {
  const fh = await open(path, "w");
  const w = new TarWriter(fh);
  for (const [name, body] of members) await w.add(name, Buffer.byteLength(body), [Buffer.from(body)]);
  await w.finish();
  await fh.close();
}

describe("TarWriter and TarReader", () => {
  test("what plugstack writes, GNU tar lists and plugstack reads back, member by member", async () => {
    const path = join(tmp.path, "round.tar");
    await write(path);
    const listed = Bun.spawnSync(["tar", "-t", "-f", path]).stdout.toString().trim().split("\n");
    expect(listed).toEqual(members.map(([n]) => n));
    const fh = await open(path, "r");
    const r = new TarReader(fh, (await fh.stat()).size);
    const got: [string, string][] = [];
    for (let h = await r.next(); h; h = await r.next()) {
      const chunks: Uint8Array[] = [];
      await r.pipe((c) => void chunks.push(c));
      got.push([h.name, Buffer.concat(chunks).toString()]);
    }
    await fh.close();
    expect(got).toEqual(members);
  });

  test("the same members give the same bytes (no timestamps)", async () => {
    await write(join(tmp.path, "a.tar"));
    await Bun.sleep(1100);
    await write(join(tmp.path, "b.tar"));
    expect(
      Buffer.compare(Buffer.from(await Bun.file(join(tmp.path, "a.tar")).arrayBuffer()), Buffer.from(await Bun.file(join(tmp.path, "b.tar")).arrayBuffer())),
    ).toBe(0);
  });

  test("a truncated archive is an error, not an early end", async () => {
    const path = join(tmp.path, "cut.tar");
    await write(path);
    const bytes = await Bun.file(path).arrayBuffer();
    writeFileSync(path, Buffer.from(bytes).subarray(0, 1024 + 100));
    const fh = await open(path, "r");
    const r = new TarReader(fh, 1124);
    const err = await (async () => {
      for (let h = await r.next(); h; h = await r.next()) await r.pipe(() => undefined);
    })().catch((e) => e);
    await fh.close();
    expect(String(err)).toMatch(/ends early|truncated/);
  });
});

// [first bytes, compression]
const heads: [number[], string | null][] = [
  [[0x1f, 0x8b, 8, 0, 0, 0], "gzip"],
  [[0x42, 0x5a, 0x68, 0x39, 0, 0], "bzip2"],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0], "xz"],
  [[0x28, 0xb5, 0x2f, 0xfd, 0, 0], "zstd"],
  [[0x4d, 0x41, 0x4e, 0x49, 0x46, 0x45], null],
];
describe("compressionOf", () => {
  for (const [bytes, kind] of heads) test(String(kind), () => expect(compressionOf(Uint8Array.from(bytes))).toBe(kind));
});

// `npm run release`: one binary per release target in dist/release/ (or --out DIR),
// each gzip-compressed (plugstack-<version>-<target>.gz), and SHA256SUMS
// beside them (`sha256sum -c SHA256SUMS` checks a download).
// Bun fetches each target's runtime from the npm registry (@oven/bun-linux-*)
// the first time and keeps it in its install cache.
//   bun scripts/release.ts [--no-bytecode] [--no-minify] [--out DIR] [TARGET...]
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { buildBinary, packageVersion, ROOT } from "./build.ts";

/** Every Linux target Bun can compile for: glibc x64 (AVX2 and baseline), arm64, and their musl builds. */
export const RELEASE_TARGETS = ["linux-x64", "linux-x64-baseline", "linux-arm64", "linux-x64-musl", "linux-x64-musl-baseline", "linux-arm64-musl"] as const;

const sha256 = (data: Uint8Array) => new Bun.CryptoHasher("sha256").update(data).digest("hex");
const mib = (n: number) => `${(n / (1 << 20)).toFixed(1)} MiB`;

async function main(argv: string[]): Promise<void> {
  const usage = "usage: bun scripts/release.ts [--no-bytecode] [--no-minify] [--out DIR] [TARGET...]";
  const outAt = argv.indexOf("--out");
  if (outAt >= 0 && !argv[outAt + 1]) throw new Error(`--out needs a directory; ${usage}`);
  const out = outAt >= 0 ? resolve(argv[outAt + 1]!) : join(ROOT, "dist", "release");
  const rest = outAt >= 0 ? argv.filter((_, i) => i !== outAt && i !== outAt + 1) : argv;
  const bytecode = !rest.includes("--no-bytecode");
  const minify = !rest.includes("--no-minify");
  const unknown = rest.filter((a) => a.startsWith("-") && a !== "--no-bytecode" && a !== "--no-minify");
  if (unknown.length) throw new Error(`unknown option ${unknown.join(" ")}; ${usage}`);
  const asked = rest.filter((a) => !a.startsWith("-"));
  for (const t of asked) {
    if (!(RELEASE_TARGETS as readonly string[]).includes(t)) throw new Error(`unknown target ${t}; targets: ${RELEASE_TARGETS.join(", ")}`);
  }
  const targets = asked.length ? asked : [...RELEASE_TARGETS];
  const version = await packageVersion();
  if (outAt < 0)
    rmSync(out, { recursive: true, force: true }); // dist/release is ours to replace
  else if (existsSync(out) && readdirSync(out).length) throw new Error(`--out ${out} is not empty; give a new or empty directory`);
  mkdirSync(out, { recursive: true });
  const sums: string[] = [];
  for (const target of targets) {
    const name = `plugstack-${version}-${target}`;
    const raw = join(out, name);
    const built = await buildBinary({ outfile: raw, target, bytecode, minify });
    const gz = gzipSync(await Bun.file(raw).bytes(), { level: 9 });
    await Bun.write(`${raw}.gz`, gz);
    rmSync(raw);
    sums.push(`${sha256(gz)}  ${name}.gz`);
    console.error(`${name}.gz  ${mib(gz.length)} (commit ${built.commit.slice(0, 12)})`);
  }
  await Bun.write(join(out, "SHA256SUMS"), `${sums.sort((a, b) => a.slice(66).localeCompare(b.slice(66))).join("\n")}\n`);
  const files = readdirSync(out).sort();
  console.error(`wrote ${files.length} files to ${out}: ${files.map((f) => `${f} (${mib(statSync(join(out, f)).size)})`).join(", ")}`);
}

if (import.meta.main) {
  try {
    await main(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}

// Size and start-up of the compiled binary, built four ways (minifier on/off,
// --bytecode on/off), timed with hyperfine in the same run; ratios are against
// the plain build (no minifier, no bytecode).
//   bun scripts/bench/startup.ts [--runs N]
// Commands timed: `--version` (the lazy entry alone) and `plan --offline
// --json` of the bundled example (loads every module and evaluates localrc).
import { cpSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildBinary, ROOT } from "../build.ts";

const runsAt = process.argv.indexOf("--runs");
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 30;
if (!Bun.which("hyperfine")) {
  console.error("hyperfine is not installed (apt-get install hyperfine)");
  process.exit(1);
}

const VARIANTS = [
  { name: "plain", minify: false, bytecode: false },
  { name: "minify", minify: true, bytecode: false },
  { name: "bytecode", minify: false, bytecode: true },
  { name: "minify+bytecode", minify: true, bytecode: true },
] as const;

const work = mkdtempSync(join(tmpdir(), "plugstack-bench-startup-"));
try {
  cpSync(join(ROOT, "examples"), join(work, "examples"), { recursive: true });
  const rows: { name: string; size: number; gz: number; times: number[] }[] = [];
  for (const v of VARIANTS) {
    const outfile = join(work, v.name.replace("+", "-"));
    await buildBinary({ outfile, minify: v.minify, bytecode: v.bytecode });
    rows.push({ name: v.name, size: statSync(outfile).size, gz: gzipSync(await Bun.file(outfile).bytes(), { level: 9 }).length, times: [] });
  }
  const commands = [["--version"], ["plan", "--offline", "--json", "-c", "examples/local.conf", "--dest", join(work, "dest")]];
  for (const args of commands) {
    const json = join(work, "out.json");
    const cmds = VARIANTS.map((v) => `${join(work, v.name.replace("+", "-"))} ${args.join(" ")}`);
    const r = Bun.spawnSync(["hyperfine", "-N", "--warmup", "3", "--runs", String(runs), "--export-json", json, ...cmds], {
      cwd: work,
      stdout: "ignore",
      stderr: "pipe",
    });
    if (r.exitCode !== 0) throw new Error(`hyperfine failed: ${r.stderr.toString()}`);
    const results = (await Bun.file(json).json()).results as { median: number }[];
    for (const [i, res] of results.entries()) rows[i]!.times.push(res.median);
  }
  const base = rows[0]!;
  const mib = (n: number) => `${(n / (1 << 20)).toFixed(1)} MiB`;
  const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
  console.log(`load average ${(await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ")}; median of ${runs} runs`);
  console.log("| build | size | gzip -9 | `--version` | vs plain | `plan --offline --json` | vs plain |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${mib(r.size)} | ${mib(r.gz)} | ${ms(r.times[0]!)} | ${(base.times[0]! / r.times[0]!).toFixed(2)}x | ${ms(r.times[1]!)} | ${(base.times[1]! / r.times[1]!).toFixed(2)}x |`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

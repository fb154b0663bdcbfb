// Start-up scenario (`npm run bench -- --startup`): `plugstack --version` and
// `plugstack --help` against a hello-world program compiled in the same run
// with the same `bun build --compile` flags (scripts/build.ts: minifier and
// --bytecode). The programs are started in turn, so load hits them alike;
// the median of the runs is reported. (scripts/bench/startup.ts compares the
// four build variants with hyperfine.)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../build.ts";
import { type BenchOptions, type BenchRow, median } from "./table.ts";

function wall(cmd: string[]): number {
  const t0 = performance.now();
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${r.exitCode}): ${r.stderr.toString()}`);
  return ms;
}

export async function benchStartup(opts: BenchOptions): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "plugstack-bench-start-"));
  try {
    const src = join(dir, "hello.ts");
    writeFileSync(src, 'console.log("hello");\n');
    const hello = join(dir, "hello");
    await buildBinary({ outfile: hello, entry: src });
    const runs = opts.smoke ? 2 : Math.max(20, opts.runs);
    const cases = { hello: [hello], "--version": [opts.bin, "--version"], "--help": [opts.bin, "--help"] };
    const times: Record<string, number[]> = { hello: [], "--version": [], "--help": [] };
    for (const cmd of Object.values(cases)) wall(cmd); // warm the page cache
    for (let i = 0; i < runs; i++) for (const [k, cmd] of Object.entries(cases)) times[k]!.push(wall(cmd));
    const base = median(times.hello!);
    opts.log(
      `startup: ${Object.entries(times)
        .map(([k, v]) => `${k} ${median(v).toFixed(1)}ms`)
        .join(", ")} (median of ${runs})`,
    );
    return ["--version", "--help"].map((k) => ({
      scenario: "startup",
      n: "-",
      figure: `plugstack ${k}`,
      value: median(times[k]!),
      baselineName: "hello world, same flags",
      baseline: base,
      unit: "ms" as const,
      goal: { limit: 1.5 * base, text: "<= 1.50" },
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

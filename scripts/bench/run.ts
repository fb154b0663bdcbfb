// `npm run bench`: plugstack's benchmarks, one flag per scenario (none: all).
//
//   npm run bench -- [--dispatch] [--memory] [--restack] [--fetch] [--library] [--merge] [--startup]
//                    [--n 10,50,200] [--runs N] [--bin PATH] [--smoke]
//
// Every figure is printed next to a baseline measured in the same run, with
// their ratio and the goal of the issue for it; nothing is asserted.
// --smoke runs each scenario at a tiny size once: it proves the benchmarks
// still run (the test suite does this), its figures mean nothing.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchDispatch, benchMemory } from "./dispatch.ts";
import { benchFetch } from "./fetch.ts";
import { benchStartup } from "./launch.ts";
import { benchLibrary } from "./library.ts";
import { benchMerge } from "./merge.ts";
import { benchRestack } from "./restack.ts";
import { type BenchOptions, type BenchRow, renderTable } from "./table.ts";

const SCENARIOS: Record<string, { about: string; run: (o: BenchOptions) => Promise<BenchRow[]> }> = {
  dispatch: { about: "warm stack of N no-op plugins vs a bare bash loop over the same hooks (N = plugins)", run: benchDispatch },
  memory: { about: "peak RSS of a warm stack at the largest N vs the smallest (default 200 vs 10)", run: benchMemory },
  restack: { about: "cold vs lock/cache/checkouts present (N = plugins)", run: benchRestack },
  fetch: { about: "cold stack's fetch through a throttling proxy vs serial git clone; warm runs' connections (N = plugins)", run: benchFetch },
  startup: { about: "--version and --help vs a hello world compiled with the same flags", run: benchStartup },
  merge: { about: "[[post-config]] merge vs one iniset per option (N = options over 20 files)", run: benchMerge },
  library: { about: "µs per call of the library's hot functions vs a bare bash function (N = services)", run: benchLibrary },
};

const { values } = parseArgs({
  options: {
    ...Object.fromEntries(Object.keys(SCENARIOS).map((k) => [k, { type: "boolean" as const }])),
    n: { type: "string" },
    runs: { type: "string" },
    bin: { type: "string", default: join(import.meta.dir, "..", "..", "dist", "plugstack") },
    smoke: { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
const flags = values as Record<string, string | boolean | undefined>;
if (flags.help) {
  console.log("npm run bench -- [--<scenario>...] [--n 10,50,200] [--runs N] [--bin PATH] [--smoke]\nscenarios (none given: all):");
  for (const [k, s] of Object.entries(SCENARIOS)) console.log(`  --${k.padEnd(10)} ${s.about}`);
  process.exit(0);
}
const chosen = Object.keys(SCENARIOS).filter((k) => flags[k]);
const bin = String(flags.bin);
if (!existsSync(bin)) {
  const build = Bun.spawnSync([process.execPath, join(import.meta.dir, "..", "build.ts")], { stdout: "inherit", stderr: "inherit" });
  if (build.exitCode !== 0) process.exit(build.exitCode ?? 1);
}
const smoke = Boolean(flags.smoke);
const opts: BenchOptions = {
  smoke,
  runs: flags.runs ? Number(flags.runs) : smoke ? 1 : 3,
  sizes: typeof flags.n === "string" ? flags.n.split(",").map(Number) : undefined,
  bin,
  log: (line) => process.stderr.write(`${line}\n`),
};
const rows: BenchRow[] = [];
for (const k of chosen.length ? chosen : Object.keys(SCENARIOS)) rows.push(...(await SCENARIOS[k]!.run(opts)));
const load = (await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ");
console.log(
  `plugstack bench${smoke ? " (smoke: tiny sizes, figures mean nothing)" : ""}: ${new Date().toISOString().slice(0, 16)}Z, ${navigator.hardwareConcurrency} cores, load average ${load}; median (dispatch, memory, restack, fetch, startup) or best (library, merge) of ${opts.runs} runs`,
);
console.log(renderTable(rows));

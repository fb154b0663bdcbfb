// CI smoke run of `npm run bench`: every scenario runs at a tiny size, once,
// against the compiled binary, and prints its rows in the table. No timing is
// asserted (figures at this size mean nothing); see scripts/bench/run.ts.
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");
const BIN = join(ROOT, "dist", "plugstack");

test("npm run bench -- --smoke: every scenario runs and reports its rows in one table", () => {
  expect(existsSync(BIN)).toBe(true); // npm test builds it first
  const help = Bun.spawnSync([process.execPath, "scripts/bench/run.ts", "--help"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const scenarios = [...help.stdout.toString().matchAll(/^ {2}--(\w+)/gm)].map((m) => m[1]!);
  expect(scenarios).toContain("restack");
  const r = Bun.spawnSync([process.execPath, "scripts/bench/run.ts", "--smoke", "--bin", BIN], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const out = r.stdout.toString();
  if (r.exitCode !== 0) console.error(r.stderr.toString());
  expect(r.exitCode).toBe(0);
  const lines = out.split("\n");
  expect(lines[1]).toMatch(/^\| scenario +\| N +\| figure +\| value +\| baseline +\| baseline value +\| ratio +\| goal +\| met +\|$/);
  for (const s of scenarios) {
    const rows = lines.filter((l) => l.startsWith(`| ${s} `));
    expect(rows.length, `rows of scenario ${s}`).toBeGreaterThan(0);
    // every row has a figure, a baseline and a numeric ratio (a difference
    // between two sizes, e.g. dispatch's cost per added plugin, may come out
    // below zero at smoke sizes)
    for (const row of rows) expect(row.split("|")[7]!.trim()).toMatch(/^-?\d+\.\d+$/);
  }
}, 180000);

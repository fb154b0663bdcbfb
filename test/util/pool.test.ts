// The default parallelism of fetches (--jobs not given), by machine size.
import { describe, expect, test } from "bun:test";
import { defaultJobs } from "../../src/util/pool.ts";

const GiB = 2 ** 30;

describe("defaultJobs: 4 per core, 4 to 16, at most one per 256 MiB of memory", () => {
  const rows: [string, number, number, number][] = [
    ["1 core, 1 GiB", 1, 1 * GiB, 4],
    ["1 core, 512 MiB", 1, 0.5 * GiB, 2],
    ["1 core, 256 MiB (at least 2)", 1, 0.25 * GiB, 2],
    ["2 cores, 24 GiB", 2, 24 * GiB, 8],
    ["2 cores, 1.5 GiB", 2, 1.5 * GiB, 6],
    ["4 cores, 16 GiB", 4, 16 * GiB, 16],
    ["64 cores, 256 GiB (capped)", 64, 256 * GiB, 16],
  ];
  for (const [name, cpus, mem, want] of rows) {
    test(name, () => expect(defaultJobs(cpus, mem)).toBe(want));
  }
  test("this machine: a whole number from 2 to 16", () => {
    const n = defaultJobs();
    expect(Number.isInteger(n) && n >= 2 && n <= 16).toBe(true);
  });
});

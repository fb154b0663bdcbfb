// An error no command caught is reported as plugstack's, without Bun's own
// crash report (minified source lines, "Bun v..."), which used to land in a
// hook's output tail when a callback of the stack shell crashed.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";

const crash = join(import.meta.dir, "..", "..", "src", "cli", "crash.ts");

function run(body: string) {
  const r = Bun.spawnSync([process.execPath, "-e", `import { installCrashReport } from ${JSON.stringify(crash)};\ninstallCrashReport();\n${body}`], {
    stderr: "pipe",
    stdout: "pipe",
  });
  return { code: r.exitCode, stderr: r.stderr.toString() };
}

describe("installCrashReport", () => {
  test.each([
    ["a throw in a timer", 'setTimeout(() => { throw new Error("late boom"); }, 1);'],
    ["a rejected promise nobody awaits", 'Promise.reject(new Error("late boom"));'],
  ])("%s: one plugstack report, exit 1, no Bun crash report", (_name, body) => {
    const r = run(body);
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith("error: internal error (a bug in plugstack, please report it): late boom\n");
    expect(r.stderr).not.toMatch(/^Bun v\d/m);
    expect(r.stderr).not.toMatch(/^\s*\^\s*$/m);
    expect(r.stderr.split("late boom").length - 1).toBe(2); // the message and the stack's first line
  });
});

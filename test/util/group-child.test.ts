// startGroupChild once a signal is stopping plugstack: a step that went on
// after its own child was stopped (the host probe answers "nothing" then)
// must not start the stack shell. Run in a bun of its own: the flag is the
// process's, for good.
import { expect, test } from "bun:test";
import { join } from "node:path";

const SRC = join(import.meta.dir, "..", "..", "src", "util");

test("once a signal is stopping plugstack, no new child process starts", () => {
  const script = [
    `import { startGroupChild } from ${JSON.stringify(join(SRC, "group-child.ts"))};`,
    `import { markStopping } from ${JSON.stringify(join(SRC, "processes.ts"))};`,
    'const before = startGroupChild(["true"], { cwd: "/", env: {} });',
    "console.log(`before: ${(await before.exited).code}`);",
    "markStopping();",
    'try { startGroupChild(["true"], { cwd: "/", env: {} }); console.log("after: started"); } catch (e) { console.log(`after: ${e.message}`); }',
  ].join("\n");
  const r = Bun.spawnSync([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  expect(r.stdout.toString()).toBe("before: 0\nafter: plugstack is stopping: true not started\n");
});

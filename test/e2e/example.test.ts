// The README's first command: the bundled example stacks with no root, when
// the packages its plugins declare are already installed (none is installed
// again: a `sudo` on PATH that records its calls is never run).
import { afterAll, expect, test } from "bun:test";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, tempDir } from "../helpers/git.ts";
import { BIN, ROOT, runBinary } from "./harness.ts";

const work = tempDir("plugstack-example-");
afterAll(() => work.cleanup());

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

test("every example plugin declares its OS packages in files/debs, files/rpms and bindep.txt", () => {
  for (const plugin of readdirSync(join(ROOT, "examples/plugins"))) {
    const files = join(ROOT, "examples/plugins", plugin, "devstack/files");
    for (const f of [`debs/${plugin}`, `rpms/${plugin}`, "bindep.txt"]) expect(existsSync(join(files, f)), `${plugin}: ${f}`).toBe(true);
  }
});

test(`the example stacks without root and installs nothing that is present${asRoot ? " (run as uid 65534)" : ""}`, async () => {
  // a private copy the unprivileged user can write to; the binary beside it
  const dir = join(work.path, "repo");
  cpSync(join(ROOT, "examples"), join(dir, "examples"), { recursive: true });
  const bin = join(dir, "plugstack");
  cpSync(BIN, bin);
  const shims = join(dir, "shims");
  mkdirSync(shims);
  writeFileSync(join(shims, "sudo"), `#!/bin/sh\necho "$*" >> ${join(dir, "sudo-calls")}\nexit 1\n`);
  chmodSync(join(shims, "sudo"), 0o755);
  const port = await freePort();
  console.error(`example on port ${port}`);
  const wrapper: string[] = [];
  if (asRoot) {
    const chownAll = (p: string) => {
      chownSync(p, NOBODY, NOBODY);
      for (const e of readdirSync(p, { withFileTypes: true })) (e.isDirectory() ? chownAll : (q: string) => chownSync(q, NOBODY, NOBODY))(join(p, e.name));
    };
    chownSync(work.path, NOBODY, NOBODY);
    chownAll(dir);
    wrapper.push("setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--");
  }
  // PLUGSTACK_HOST_SETUP empty: as unset, the default a user has (the harness otherwise sets it False)
  const env = { PATH: `${shims}:${process.env.PATH ?? "/usr/bin:/bin"}`, DEVSTACK_LOCAL_CONFIG: `HELLO_PORT=${port}`, PLUGSTACK_HOST_SETUP: "" };
  const args = ["-c", "examples/local.conf", "--dest", ".dest"];
  const stack = await runBinary(bin, ["stack", ...args, "-v"], { cwd: dir, env, wrapper });
  expect(stack.code, stack.stderr).toBe(0);
  expect(stack.stderr).toContain(`hello answers on http://127.0.0.1:${port}/`);
  expect(stack.stderr).toMatch(/already installed.*python3/);
  expect(existsSync(join(dir, "sudo-calls"))).toBe(false);
  for (const cmd of ["unstack", "clean"]) {
    const r = await runBinary(bin, [cmd, ...args], { cwd: dir, env, wrapper });
    expect(r.code, r.stderr).toBe(0);
  }
  expect(existsSync(join(dir, "sudo-calls"))).toBe(false);
});

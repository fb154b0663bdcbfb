// Every bash file under src/shell parses (bash -n); every library file is
// registered in index.ts; loading the library prints nothing. shellcheck runs
// over every shell file of the repository in test/scripts/lint.test.ts.
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { libraryFiles, renderLibrary } from "../../src/shell/index.ts";
import { makeSandbox, runScript } from "./helpers.ts";

const SHELL_DIR = join(import.meta.dir, "../../src/shell");

function shFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? shFiles(join(dir, e.name)) : e.name.endsWith(".sh") ? [join(dir, e.name)] : [],
  );
}

const files = shFiles(SHELL_DIR).sort();
const sb = makeSandbox();
afterAll(() => sb.cleanup());

describe("bash -n", () => {
  test.each(files.map((f) => [relative(SHELL_DIR, f), f]))("%s parses", (_name, file) => {
    const r = Bun.spawnSync(["bash", "-n", file], { stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
  });
});

describe("the library", () => {
  test("every src/shell/*.sh except the driver is a library file", () => {
    const onDisk = readdirSync(SHELL_DIR)
      .filter((f) => f.endsWith(".sh") && f !== "driver.sh")
      .sort();
    expect(libraryFiles.map((f) => f.name).sort()).toEqual(onDisk);
  });

  test("control, distro and system load first", () => {
    expect(libraryFiles.slice(0, 3).map((f) => f.name)).toEqual(["control.sh", "distro.sh", "system.sh"]);
  });

  test("renderLibrary loads silently under errexit/nounset and marks every file loaded", () => {
    const r = runScript(sb.root, `set -eu\nsource /dev/stdin <<'PLUGSTACK_LIB'\n${renderLibrary()}PLUGSTACK_LIB\necho "loaded=\${#_PS_LIB_LOADED[@]}"\n`);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`loaded=${libraryFiles.length}\n`);
    expect(r.code).toBe(0);
  });

  test("each entry file loads silently under errexit/nounset", () => {
    for (const entry of ["functions", "functions-common", "inc/ini-config", "inc/meta-config", "inc/python", "inc/async"]) {
      const r = runScript(sb.root, `set -eu\nsource ${join(sb.top, entry)}\ndeclare -F iniset die git_clone >/dev/null && echo ok\n`);
      expect({ entry, out: r.stdout, err: r.stderr, code: r.code }).toEqual({ entry, out: "ok\n", err: "", code: 0 });
    }
  });
});

// npm run lint in the suite: biome finds nothing in the TypeScript (lint rules,
// formatting, import order), shellcheck finds nothing in any shell file of the
// repository (tests and fixture plugins included); a failure shows the tools'
// own findings.
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runBiome, runShellcheck, shellFiles } from "../../scripts/lint.ts";
import { tempDir } from "../helpers/git.ts";

const hasShellcheck = Bun.which("shellcheck") !== null;
if (!hasShellcheck) console.log("shellcheck is not installed: the shell files are not checked here (.ci/run installs it)");

describe("biome", () => {
  test("finds nothing in src, test and scripts", () => {
    const r = runBiome();
    if (!r.ok) console.log(r.output);
    expect({ ok: r.ok, output: r.ok ? "" : r.output }).toEqual({ ok: true, output: "" });
  }, 60_000);
});

describe("shellcheck", () => {
  const files = shellFiles();

  test("checks every .sh, the plugin files DevStack sources, and extensionless bash scripts", () => {
    expect(files).toContain("src/shell/driver.sh");
    expect(files).toContain("src/base/hooks.sh");
    expect(files).toContain(".ci/run");
    expect(files).toContain("examples/plugins/hello-service/devstack/settings");
    expect(files).toContain("test/compat/fixtures/fx-core/devstack/override-defaults");
    expect(files).toContain("test/compat/fixtures/fx-core/devstack/lib/fx-core");
    expect(files.filter((f) => /\.(ts|md|json|conf|py)$/.test(f))).toEqual([]);
  });

  test.skipIf(!hasShellcheck)(
    "finds nothing in any of them",
    () => {
      const r = runShellcheck(files)!;
      if (!r.ok) console.log(r.output);
      expect({ ok: r.ok, output: r.ok ? "" : r.output }).toEqual({ ok: true, output: "" });
    },
    120_000,
  );

  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  test.skipIf(!hasShellcheck)("reports a finding with file and line, under the repository's settings", () => {
    // the same .shellcheckrc, so SC2034 (a global shared with other files) is not a finding and the unquoted $1 is
    copyFileSync(join(import.meta.dir, "../../.shellcheckrc"), join(tmp.path, ".shellcheckrc"));
    mkdirSync(join(tmp.path, "devstack"));
    writeFileSync(join(tmp.path, "devstack/settings"), "SHARED=1\nls $1\n");
    const r = runShellcheck(["devstack/settings"], tmp.path)!;
    expect(r.ok).toBe(false);
    expect(r.output).toContain("devstack/settings:2:4: note: Double quote to prevent globbing and word splitting. [SC2086]");
    expect(r.output).not.toContain("SC2034");
  });
});

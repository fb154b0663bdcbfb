// DISTRO is computed twice: in TypeScript (packages/distro.ts), which picks
// the `# dist:`/`# not:` lines of package lists and names the offline package
// cache, and in bash (shell/distro.sh), which plugins read as $DISTRO. On
// every os-release fixture the stack shell's $DISTRO (stackrc) must be the
// name TypeScript uses; where DevStack names the distro, GetDistro must name
// it the same, and where it does not, GetDistro dies as DevStack's does.
// Real bash sources the real library.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { detectDistro } from "../../src/packages/distro.ts";
import { makeSandbox, q, runLib, runScript } from "./helpers.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures", "os-release");
const sb = makeSandbox();
afterAll(() => sb.cleanup());

const roots = readdirSync(FIXTURES).sort();

// The fixtures DevStack's GetDistro cannot name (it dies there)
const UNNAMED = new Set(["alpine-3.20", "arch", "gentoo"]);

/** The os-release file bash reads for a fixture root: etc/ first, as both sides look. */
function osReleaseOf(root: string): string {
  const etc = join(root, "etc", "os-release");
  return existsSync(etc) ? etc : join(root, "usr", "lib", "os-release");
}

describe("DISTRO: packages/distro.ts and shell/distro.sh agree", () => {
  test("the fixtures cover distros DevStack names and some it does not", () => {
    expect(roots).toContain("debian-12");
    for (const n of UNNAMED) expect(roots).toContain(n);
  });

  for (const name of roots) {
    test(name, async () => {
      const root = join(FIXTURES, name);
      const ts = await detectDistro({ root });
      const env = { PLUGSTACK_OS_RELEASE: osReleaseOf(root) };
      // the stack shell: stackrc sets DISTRO before any plugin runs
      const shell = runScript(sb.root, `set -eu\nsource ${q(join(sb.top, "stackrc"))}\necho "DISTRO=$DISTRO"`, { env });
      expect({ code: shell.code, stdout: shell.stdout }).toEqual({ code: 0, stdout: `DISTRO=${ts.distro}\n` });
      // GetDistro, as plugins call it: the same name, or DevStack's death on a distro it does not name
      const r = runLib(sb, 'GetDistro && echo "DISTRO=$DISTRO"', { env });
      if (!UNNAMED.has(name)) {
        expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: `DISTRO=${ts.distro}\n`, stderr: "" });
      } else {
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain("Unable to determine DISTRO");
      }
    });
  }
});

// Which local.conf a command reads when -c is not given: ./local.conf, else
// the nearest one in a parent directory. The search stops at the first
// directory that is a git work tree's root (it holds .git) or is $HOME, after
// looking there, so a stray file above a project or above home is never used.
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const CONFIG_NAME = "local.conf";

/** The nearest local.conf from `cwd` upwards, or undefined. */
export function findConfigFile(cwd: string, home: string | undefined): string | undefined {
  const stopAt = home ? resolve(home) : undefined;
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONFIG_NAME);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    if (existsSync(join(dir, ".git")) || dir === stopAt) return undefined;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

// A context for plugin tests: fixture git environment, silent log, a cache in a temp dir.
import { join } from "node:path";
import type { Ctx } from "../../src/context.ts";
import { silentLog } from "../../src/log.ts";
import { fixtureEnv } from "../helpers/git.ts";

export function testCtx(root: string, over: Partial<Ctx> = {}): Ctx {
  return {
    cwd: root,
    env: { ...fixtureEnv },
    cacheDir: join(root, "cache"),
    log: silentLog(),
    offline: false,
    jobs: 2,
    ...over,
  };
}

/** A log that records messages (info/warn/...) for assertions. */
export function recordingLog(): { log: Ctx["log"]; lines: string[] } {
  const lines: string[] = [];
  const log = silentLog();
  log.setReporters([{ log: (obj) => void lines.push(`${obj.type}: ${obj.args.map(String).join(" ")}`) }]);
  log.level = 5;
  return { log, lines };
}

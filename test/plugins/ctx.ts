// A context for plugin tests: fixture git environment, silent log, a cache in
// a temp dir; and the per-file fixture of the tests that fetch from a real
// `git daemon`.
import { afterAll, beforeAll } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "../../src/context.ts";
import type { PluginSpec } from "../../src/plugins/spec.ts";
import { fixtureEnv, type GitServer, startGitDaemon, tempDir } from "../helpers/git.ts";
import { silentLog } from "../helpers/log.ts";

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

/** The PluginSpec an `enable_plugin NAME URL [REF]` line at position `order` of `file` gives (on line order + 1). */
export function pluginSpec(file: string, name: string, url: string, ref: string | undefined, order: number): PluginSpec {
  return { name, url, ref: ref ?? "master", refGiven: ref !== undefined, order, file, line: order + 1 };
}

export interface DaemonCase {
  /** a fresh directory for this case, `<tmp>/case-<k>` */
  root: string;
  ctx: Ctx;
  /** the case's number: repos it serves are named `<name>-<k>` */
  k: number;
  /** where to build the served repo `name` of this case */
  served(name: string): string;
  /** its git:// URL */
  url(name: string): string;
}

export interface DaemonSuite {
  /** the file's temp dir, removed after its tests */
  tmp: string;
  /** the directory the daemon serves */
  srv: string;
  /** git:// URL of `<srv>/<name>` */
  urlFor(name: string): string;
  newCase(): DaemonCase;
}

/**
 * For a test file whose tests fetch over git://: a temp dir, and a real
 * `git daemon` serving `<tmp>/srv` from before the file's tests until after
 * them (both registered here as beforeAll/afterAll).
 */
export function gitDaemonSuite(opts: { prefix?: string; startTimeoutMs?: number } = {}): DaemonSuite {
  const tmp = tempDir(opts.prefix);
  const srv = join(tmp.path, "srv");
  let daemon: GitServer | undefined;
  beforeAll(async () => {
    mkdirSync(srv);
    daemon = await startGitDaemon(srv);
  }, opts.startTimeoutMs);
  afterAll(async () => {
    await daemon?.stop();
    tmp.cleanup();
  });
  let cases = 0;
  const urlFor = (name: string): string => {
    if (!daemon) throw new Error("fixture: the git daemon is not running (urlFor outside a test?)");
    return daemon.urlFor(name);
  };
  return {
    tmp: tmp.path,
    srv,
    urlFor,
    newCase() {
      const k = ++cases;
      const root = join(tmp.path, `case-${k}`);
      mkdirSync(root);
      return { root, ctx: testCtx(root), k, served: (name) => join(srv, `${name}-${k}`), url: (name) => urlFor(`${name}-${k}`) };
    },
  };
}

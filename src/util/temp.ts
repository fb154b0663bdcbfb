// Temp folders named after the process that made them
// (`plugstack-<kind>-<pid>-XXXXXX`), removed when it exits, and swept by
// the next plugstack when that process died without cleaning up (SIGKILL).
// Leaf module.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onExitCleanup, pidAlive } from "./processes.ts";

/** $TMPDIR from `env`, else the system's. */
export function tempRoot(env: Record<string, string | undefined> = process.env): string {
  return env.TMPDIR || tmpdir();
}

export interface TempDir {
  path: string;
  /** remove it now (idempotent) */
  remove(): void;
}

/** A private (0700) temp folder for `kind` (letters and dashes), removed at exit at the latest. */
export function makeTempDir(kind: string, env?: Record<string, string | undefined>): TempDir {
  const path = mkdtempSync(join(tempRoot(env), `plugstack-${kind}-${process.pid}-`));
  const remove = () => rmSync(path, { recursive: true, force: true });
  const forget = onExitCleanup(remove);
  return {
    path,
    remove: () => {
      remove();
      forget();
    },
  };
}

const OURS = /^plugstack-[a-z]+(?:-[a-z]+)*-(\d+)-[A-Za-z0-9]{6}$/;
/** Folders of plugstack versions that did not put the pid in the name: stale after this long. */
const LEGACY = /^plugstack-(localrc|plan|apt)-[A-Za-z0-9]{6}$/;
const LEGACY_AGE_MS = 60 * 60_000;

/** Remove temp folders of plugstack processes that are gone; returns what was removed. */
export function sweepStaleTemp(env?: Record<string, string | undefined>): string[] {
  const root = tempRoot(env);
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const e of entries) {
    const m = OURS.exec(e);
    let stale = false;
    if (m) stale = Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
    else if (LEGACY.test(e)) {
      try {
        stale = Date.now() - statSync(join(root, e)).mtimeMs > LEGACY_AGE_MS;
      } catch {
        stale = false;
      }
    }
    if (!stale) continue;
    try {
      rmSync(join(root, e), { recursive: true, force: true });
      removed.push(join(root, e));
    } catch {
      // another user's, or in use: leave it
    }
  }
  return removed;
}

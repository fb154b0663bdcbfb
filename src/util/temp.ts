// Temp names, all carrying the pid of the process that made them, so the
// next plugstack can sweep what a process killed without cleaning up
// (SIGKILL) left: temp folders under $TMPDIR (`plugstack-<kind>-<pid>-XXXXXX`,
// removed when the process exits) and temp siblings, the names a file or
// directory is built under before it is renamed into place
// (`.<name>.plugstack-tmp-<pid>-XXXXXX`). Leaf module.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { onExitCleanup, pidAlive } from "./processes.ts";

/** $TMPDIR from `env`, else the system's. */
function tempRoot(env: Record<string, string | undefined> = process.env): string {
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

const SIBLING = /^\.(.+)\.plugstack-tmp-(\d+)-[a-z0-9]{6}$/;

/** A name beside `path` to build it under, then rename into place: `.<name>.plugstack-tmp-<pid>-XXXXXX`. */
export function tempSibling(path: string): string {
  const random = Math.random().toString(36).slice(2, 8).padEnd(6, "0");
  return join(dirname(path), `.${basename(path)}.plugstack-tmp-${process.pid}-${random}`);
}

/** True for a name tempSibling makes (a file or folder never to be taken as complete). */
export function isTempSibling(name: string): boolean {
  return SIBLING.test(basename(name));
}

/** The name a temp sibling of `of` has (any target when `of` is undefined) whose process is gone: a killed run's leftover. */
export function isOrphanTempSibling(name: string, of?: string): boolean {
  const m = SIBLING.exec(name);
  if (!m || (of !== undefined && m[1] !== of)) return false;
  const pid = Number(m[2]);
  return pid !== process.pid && !pidAlive(pid);
}

/** Removes the temp siblings of `path` whose process is gone (a killed run's leftovers). */
export function sweepTempSiblings(path: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const e of entries) {
    if (isOrphanTempSibling(e, basename(path))) rmSync(join(dirname(path), e), { recursive: true, force: true });
  }
}

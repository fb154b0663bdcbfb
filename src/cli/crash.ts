// An error that no command caught (a throw in a timer, a rejected promise
// nobody awaited) would make Bun print its own crash report: lines of the
// minified bundle with a caret, then "Bun v1.x (Linux x64)". Inside a stack
// run those lines land in a hook's output tail. This reports such an error
// as plugstack's own, once, and exits 1.
import { redact } from "../util/redact.ts";

let installed = false;

/** Reports `e` as a bug in plugstack and exits 1. */
export function reportCrash(e: unknown): never {
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(redact(`error: internal error (a bug in plugstack, please report it): ${err.message}\n${err.stack ?? ""}\n`));
  process.exit(1);
}

/** Route uncaught exceptions and unhandled rejections to plugstack's report. */
export function installCrashReport(): void {
  if (installed) return;
  installed = true;
  process.on("uncaughtException", reportCrash);
  process.on("unhandledRejection", reportCrash);
}

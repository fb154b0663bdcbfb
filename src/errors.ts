// Every error a user can cause, each with a hint. The CLI prints message +
// hint; a plain Error reaching the CLI is a bug and is printed with its stack.
// Messages and hints never carry URL credentials: they are redacted here.
import { redact } from "./util/redact.ts";

export class PlugstackError extends Error {
  /** process exit status the CLI uses for this error */
  readonly exitCode: number = 1;
  /** the `code` of this error in the --json envelope (class names do not survive minifying) */
  readonly code: string = "error";
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(printable(redact(message)));
    this.hint = hint === undefined ? undefined : printable(redact(hint));
    this.name = new.target.name;
  }
}

/** Control characters (a config's binary bytes) shown as \xNN, never sent raw to a terminal. */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the control characters it makes visible
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

const SYSTEM_ERRORS: Record<string, [string, string]> = {
  ENOSPC: ["no space left on the device", "free some space there (or point TMPDIR, --cache-dir or DEST at a larger file system), then run the command again"],
  EDQUOT: ["the disk quota is exhausted", "free some space within your quota, then run the command again"],
  EROFS: ["the file system is read-only", "point TMPDIR, --cache-dir or DEST at a writable directory"],
  EACCES: ["permission denied", "run plugstack as a user who may write there, or point TMPDIR, --cache-dir or DEST elsewhere"],
  EPERM: ["operation not permitted", "run plugstack as a user who may write there, or point TMPDIR, --cache-dir or DEST elsewhere"],
  ENAMETOOLONG: ["a file name is too long", "use shorter paths (DEST, --cache-dir) or names"],
  EMFILE: ["too many open files", "raise the limit (ulimit -n) or lower --jobs"],
  EIO: ["an input/output error from the device", "check the disk (dmesg), then run the command again"],
};

/**
 * A system error a user's machine or input can cause (a full disk, a
 * read-only or forbidden directory), as a PlugstackError naming the file
 * (the error's own path, else `path`) and a fix; null for anything else (a bug).
 */
export function fromSystemError(e: unknown, path?: string): PlugstackError | null {
  if (!(e instanceof Error) || e instanceof PlugstackError) return null;
  const err = e as NodeJS.ErrnoException & { dest?: string };
  const known = err.code ? SYSTEM_ERRORS[err.code] : undefined;
  if (!known) return null;
  const at = err.path ?? path;
  const where = at ? ` (${err.syscall ? `${err.syscall} ` : ""}${at}${err.dest ? ` -> ${err.dest}` : ""})` : "";
  return new PlugstackError(`${known[0]}${where}`, known[1]);
}

/** Bad command-line usage (exit 2). */
export class UsageError extends PlugstackError {
  override readonly code: string = "usage";
  override readonly exitCode = 2;
}

/** Bad local.conf / localrc content (exit 2); names file:line. */
export class ConfigError extends PlugstackError {
  override readonly code: string = "config";
  override readonly exitCode = 2;
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | undefined,
    hint?: string,
  ) {
    super(`${file}${line ? `:${line}` : ""}: ${message}`, hint);
  }
}

/** A git or cache operation failed for a plugin or repo. */
export class FetchError extends PlugstackError {
  readonly url: string;
  override readonly code: string = "fetch";
  /** what git itself printed, when a git command failed (redacted) */
  gitMessage?: string;
  constructor(
    message: string,
    url: string,
    readonly ref?: string,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, hint);
    if (options?.cause !== undefined) this.cause = options.cause;
    this.url = redact(url);
  }
}

/** The lockfile is unreadable, or does not match the config under --locked. */
export class LockError extends PlugstackError {
  override readonly code: string = "lock";
}

/** Package lists, bindep files, distro detection or the installer failed. */
export class PackageError extends PlugstackError {
  override readonly code: string = "package";
}

/** A parse error in a bindep file (exit 2, as a usage/parse error). */
export class BindepParseError extends PackageError {
  override readonly code: string = "bindep-parse";
  override readonly exitCode = 2;
}

/** A checkout under $DEST would lose work, or is otherwise in the way. */
export class CheckoutError extends PlugstackError {
  override readonly code: string = "checkout";
}

/** Plugin dependency problems (plugin_requires / define_plugin / cycles). */
export class OrderError extends PlugstackError {
  override readonly code: string = "order";
  override readonly exitCode = 2;
}

/** A hook failed inside the stack shell. */
export class HookError extends PlugstackError {
  override readonly code: string = "hook";
  constructor(
    message: string,
    readonly detail: {
      plugin?: string;
      mode?: string;
      phase?: string;
      file?: string;
      line?: number;
      status: number;
      logPath?: string;
      tail?: string[];
    },
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** A bundle file is unreadable, tampered with, or lacks what its lock needs. */
export class BundleError extends PlugstackError {
  override readonly code: string = "bundle";
}

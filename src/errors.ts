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
    super(redact(message));
    this.hint = hint === undefined ? undefined : redact(hint);
    this.name = new.target.name;
  }
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
  constructor(
    message: string,
    url: string,
    readonly ref?: string,
    hint?: string,
  ) {
    super(message, hint);
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

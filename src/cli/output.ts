// The one machine contract and the one place errors become exit codes.
//
// With --json every command prints exactly one envelope on stdout, on
// success and on failure (schema/plugstack-1.schema.json describes it):
//
//   { "schema": "plugstack/1", "command": "bundle create", "ok": true, "exitCode": 0,
//     "result": { ... } | null,
//     "errors": [{ "code": "config", "message": "...", "file": "...", "line": 3, "hint": "..." }],
//     "warnings": [{ "code": "warning", "message": "...", "file": null, "line": null, "hint": null }] }
//
// How a command uses it:
//
//   run: ({ args }) =>
//     runAction("check", args, async (io) => {
//       io.log.warn("...");            // stderr; with --json also in "warnings"
//       io.result({ findings });       // the envelope's "result" (last call wins)
//       io.issue("errors", { code: "typo", message, file, line }); // an entry, not printed
//       if (!io.json) process.stdout.write(text);
//       return findings.length ? 1 : 0; // the exit code (undefined = 0)
//     }),
//
// A thrown PlugstackError becomes one report on stderr plus, with --json, an
// entry of "errors" (code = the error class: usage, config, fetch, lock,
// package, checkout, order, hook, bundle; "internal" for a bug). Names in
// results: durations are integer milliseconds called `...Ms`; the same
// concept has the same name in every command (`config`, `dest`, `cacheDir`,
// `lockPath`, `lockChanges`, `status`, `runs` keyed by mode).
import { ConfigError, fromSystemError, HookError, PlugstackError } from "../errors.ts";
import { createLog, type Log } from "../log.ts";
import { redact } from "../util/redact.ts";
import { sweepStaleTemp } from "../util/temp.ts";
import { useColor } from "./color.ts";
import { installSignalHandlers, stoppingFor } from "./signals.ts";
import { stderrTerminal } from "./terminal.ts";

const SCHEMA_ID = "plugstack/1";

/** An entry of "errors" or "warnings": code is a kebab-case word (usage, config, typo, ...). */
export interface JsonError {
  code: string;
  message: string;
  file: string | null;
  line: number | null;
  hint: string | null;
}

export type JsonIssue = Pick<JsonError, "code" | "message"> & Partial<JsonError>;

export interface Envelope {
  schema: typeof SCHEMA_ID;
  command: string;
  ok: boolean;
  exitCode: number;
  result: Record<string, unknown> | null;
  errors: JsonError[];
  warnings: JsonError[];
}

export interface OutputFlags {
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export interface CliIO {
  /** the command as typed, e.g. "bundle create" */
  command: string;
  json: boolean;
  verbose: boolean;
  quiet: boolean;
  /** colours and glyphs on stderr */
  color: boolean;
  /** when the process started, on the performance.now() clock (0): a run's wall time counts from here */
  startedAt: number;
  /** stderr; warnings are also collected for the envelope */
  log: Log;
  /** set the envelope's result (the last call wins) */
  result(value: Record<string, unknown>): void;
  /** add an entry to the envelope's errors or warnings without printing it (print it yourself for humans) */
  issue(list: "errors" | "warnings", entry: JsonIssue): void;
}

function fullIssue(i: JsonIssue): JsonError {
  return { code: i.code, message: redact(i.message), file: i.file ?? null, line: i.line ?? null, hint: i.hint ? redact(i.hint) : null };
}

/** The envelope as JSON text (what --json prints on stdout). */
function renderEnvelope(e: Envelope): string {
  return `${JSON.stringify(e, null, 2)}\n`;
}

/** The envelope code of an error: its class's `code` (config, usage, ...), "internal" for a bug. */
function errorCode(e: unknown): string {
  return e instanceof PlugstackError ? e.code : "internal";
}

function jsonError(e: unknown): JsonError {
  const err = e instanceof Error ? e : new Error(String(e));
  let file: string | null = null;
  let line: number | null = null;
  if (e instanceof ConfigError) {
    file = e.file;
    line = e.line ?? null;
  } else if (e instanceof HookError) {
    file = e.detail.file ?? null;
    line = e.detail.line ?? null;
  }
  const hint = e instanceof PlugstackError ? (e.hint ?? null) : null;
  return { code: errorCode(e), message: redact(err.message), file, line, hint: hint && redact(hint) };
}

function exitCodeOf(e: unknown): number {
  return e instanceof PlugstackError ? e.exitCode : 1;
}

function reportError(e: unknown, log: Log, verbose: boolean): void {
  if (e instanceof PlugstackError) {
    log.error(redact(e.message));
    if (e.hint) log.info(`hint: ${redact(e.hint)}`);
    if (verbose && e.cause instanceof Error) log.debug(`caused by: ${redact(e.cause.message)}`);
    if (verbose && e.stack) log.debug(e.stack);
    return;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  log.error(`internal error (a bug in plugstack, please report it): ${err.message}`);
  stderrTerminal().print(`${err.stack ?? ""}\n`);
}

/** The stderr log of a command, collecting warnings into `warnings`. */
function createCliLog(flags: OutputFlags, warnings: JsonError[]): Log {
  const term = stderrTerminal();
  return createLog({
    verbose: flags.verbose,
    quiet: flags.quiet,
    color: useColor(process.stderr),
    onWarn: (m) => warnings.push(fullIssue({ code: "warning", message: m })),
    stream: { write: (s) => term.print(s) },
  });
}

/** Runs a command body: one error report, one envelope with --json, one exit code. */
// biome-ignore lint/suspicious/noConfusingVoidType: a body that ends without `return` is Promise<void>, which is exit code 0
export async function runAction(command: string, flags: OutputFlags, body: (io: CliIO) => Promise<number | void>): Promise<void> {
  const warnings: JsonError[] = [];
  const errors: JsonError[] = [];
  let result: Record<string, unknown> | null = null;
  const io: CliIO = {
    command,
    json: !!flags.json,
    verbose: !!flags.verbose,
    quiet: !!flags.quiet,
    color: useColor(process.stderr),
    startedAt: 0, // performance.now() counts from the start of the process
    log: createCliLog(flags, warnings),
    result(value) {
      result = value;
    },
    issue(list, entry) {
      (list === "errors" ? errors : warnings).push(fullIssue(entry));
    },
  };
  let exitCode: number;
  installSignalHandlers();
  sweepStaleTemp();
  try {
    exitCode = (await body(io)) ?? 0;
  } catch (e) {
    // stopped by a signal: the signal handler says where, once
    if (stoppingFor()) return;
    stderrTerminal().clear();
    const err = fromSystemError(e) ?? e;
    reportError(err, io.log, io.verbose);
    errors.push(jsonError(err));
    exitCode = exitCodeOf(err);
  }
  stderrTerminal().clear();
  if (io.json) process.stdout.write(renderEnvelope({ schema: SCHEMA_ID, command, ok: exitCode === 0, exitCode, result, errors, warnings }));
  process.exitCode = exitCode;
}

/** A usage error found before a command ran (main.ts): stderr, and the envelope with --json. */
export function reportUsageError(command: string, json: boolean, e: PlugstackError, usage: string): number {
  const log = createCliLog({}, []);
  log.error(e.message);
  if (e.hint) log.info(`hint: ${e.hint}`);
  stderrTerminal().print(`${usage}\n`);
  if (json)
    process.stdout.write(renderEnvelope({ schema: SCHEMA_ID, command, ok: false, exitCode: e.exitCode, result: null, errors: [jsonError(e)], warnings: [] }));
  return e.exitCode;
}

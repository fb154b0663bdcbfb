// One consola instance, writing to stderr so stdout stays machine-readable.
// Plain lines (no glyphs, no colour, no blank lines) unless `color` is on:
// `warning: ...` and `error: ...` prefixes, other levels print the message.
import { formatWithOptions } from "node:util";
import { type ConsolaInstance, type ConsolaReporter, createConsola, type LogObject } from "consola";

export type Log = ConsolaInstance;

export interface LogOptions {
  verbose?: boolean;
  quiet?: boolean;
  /** glyphs and ANSI colours (the CLI decides: TTY, NO_COLOR, FORCE_COLOR, --color) */
  color?: boolean;
  /** called with the text of every warning (the JSON envelope collects them) */
  onWarn?: (message: string) => void;
  /** default process.stderr */
  stream?: { write(s: string): unknown };
}

const GLYPH: Record<string, [string, string]> = {
  info: ["ℹ", "36"],
  start: ["◐", "35"],
  success: ["✔", "32"],
  ready: ["✔", "32"],
  warn: ["⚠", "33"],
  error: ["✖", "31"],
  fatal: ["✖", "31"],
  debug: ["⚙", "90"],
  trace: ["⚙", "90"],
};

function text(obj: LogObject): string {
  return formatWithOptions({ colors: false }, ...obj.args);
}

function reporter(opts: LogOptions): ConsolaReporter {
  const stream = opts.stream ?? process.stderr;
  return {
    log(obj) {
      const msg = text(obj);
      if (obj.type === "warn") opts.onWarn?.(msg);
      let line: string;
      if (opts.color) {
        const [glyph, code] = GLYPH[obj.type] ?? ["", "0"];
        line = glyph ? `\x1b[${code}m${glyph}\x1b[0m ${msg}` : msg;
      } else if (obj.type === "warn") line = `warning: ${msg}`;
      else if (obj.type === "error" || obj.type === "fatal") line = `error: ${msg}`;
      else line = msg;
      stream.write(`${line}\n`);
    },
  };
}

export function createLog(opts: LogOptions = {}): Log {
  const level = opts.quiet ? 1 : opts.verbose ? 4 : 3;
  return createConsola({ level, reporters: [reporter(opts)] });
}

// One consola instance, writing to stderr so stdout stays machine-readable.
import { createConsola, type ConsolaInstance } from "consola";

export type Log = ConsolaInstance;

export function createLog(opts: { verbose?: boolean; quiet?: boolean; color?: boolean } = {}): Log {
  const level = opts.quiet ? 1 : opts.verbose ? 4 : 3;
  const noColor = opts.color === false || !!process.env.NO_COLOR;
  return createConsola({
    level,
    stdout: process.stderr,
    stderr: process.stderr,
    formatOptions: { colors: !noColor, date: false, compact: true },
  });
}

/** A silent logger for tests and library use. */
export function silentLog(): Log {
  return createConsola({ level: -999 });
}

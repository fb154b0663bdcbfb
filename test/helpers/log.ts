// A logger for assertions on what plugstack told the user.
import { createConsola } from "consola";
import type { Log } from "../../src/log.ts";

/** A logger that records every message, as "<type>: <args>", at every level. */
export function recordingLog(): { log: Log; lines: string[] } {
  const lines: string[] = [];
  const log = createConsola({
    level: 5,
    reporters: [{ log: (o) => void lines.push(`${o.type}: ${o.args.map(String).join(" ")}`) }],
  });
  return { log, lines };
}

/** A logger that says nothing (for tests that assert on results, not messages). */
export function silentLog(): Log {
  return createConsola({ level: -999 });
}

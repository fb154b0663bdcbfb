// The one JSON shape every --json output has (schema plugstack/1), also on
// failure: {schema, command, ok, exitCode, result, errors, warnings}.
import { ConfigError, PlugstackError } from "../errors.ts";
import type { Log } from "../log.ts";
import { runAction } from "./shared.ts";

export interface EnvelopeIssue {
  code: string;
  message: string;
  file?: string;
  line?: number;
  hint?: string;
}

export interface Envelope {
  schema: "plugstack/1";
  command: string;
  ok: boolean;
  exitCode: number;
  result: unknown;
  errors: EnvelopeIssue[];
  warnings: EnvelopeIssue[];
}

export interface CommandOutcome {
  exitCode: number;
  result: unknown;
  errors?: EnvelopeIssue[];
  warnings?: EnvelopeIssue[];
}

export function renderEnvelope(command: string, o: CommandOutcome): Envelope {
  return { schema: "plugstack/1", command, ok: o.exitCode === 0, exitCode: o.exitCode, result: o.result, errors: o.errors ?? [], warnings: o.warnings ?? [] };
}

/** An error as an envelope entry: its class as the code, file and line when it has them. */
export function issueFromError(e: unknown): EnvelopeIssue {
  if (e instanceof PlugstackError) {
    const where = e instanceof ConfigError ? { file: e.file, ...(e.line ? { line: e.line } : {}) } : {};
    return { code: e.name, message: e.message, ...where, ...(e.hint ? { hint: e.hint } : {}) };
  }
  return { code: "InternalError", message: e instanceof Error ? e.message : String(e) };
}

/**
 * Runs a command body as runAction does; with `json`, prints the envelope on
 * stdout, on success and on failure (the human error still goes to stderr).
 */
export async function runEnvelopeAction(command: string, flags: { json?: boolean; verbose?: boolean }, body: (log: Log) => Promise<CommandOutcome>): Promise<void> {
  let printed = false;
  await runAction(flags.verbose, async (log) => {
    try {
      const outcome = await body(log);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(renderEnvelope(command, outcome), null, 2)}\n`);
        printed = true;
      }
      return outcome.exitCode;
    } catch (e) {
      if (flags.json && !printed) {
        const exitCode = e instanceof PlugstackError ? e.exitCode : 1;
        process.stdout.write(`${JSON.stringify(renderEnvelope(command, { exitCode, result: null, errors: [issueFromError(e)] }), null, 2)}\n`);
      }
      throw e;
    }
  });
}

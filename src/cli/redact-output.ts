// Everything plugstack prints goes through redact(): a URL credential that
// reached a message, a table or JSON output is shown as *** (CONTRACT 11).
import { redact } from "../util/redact.ts";

type Write = typeof process.stdout.write;

function wrap(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream) as Write;
  const write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString("utf8") : null;
    const clean = text === null ? text : redact(text);
    return (original as (c: unknown, ...r: unknown[]) => boolean)(clean === null || clean === text ? chunk : clean, ...rest);
  }) as Write;
  stream.write = write;
}

let installed = false;

/** Route stdout and stderr of this process through redact(). */
export function redactProcessOutput(): void {
  if (installed) return;
  installed = true;
  wrap(process.stdout);
  wrap(process.stderr);
}

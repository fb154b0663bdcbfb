// The one worker pool: run an async function over a list, a few at a time,
// and collect every outcome (a failure does not stop the others). `combine`
// turns the failures of such a run into one error. Leaf module: imports only
// errors.ts.
import { FetchError, PlugstackError } from "../errors.ts";

/** Run `fn` over `items`, at most `jobs` at a time; results in input order. */
export async function pool<T, R>(items: readonly T[], jobs: number, fn: (item: T, i: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await fn(items[i]!, i) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}

/** One error for several failed plugins (the first one's class when there is only one). */
export function combine(errors: unknown[]): unknown {
  if (errors.length === 1) return errors[0];
  const msgs = errors.map((e) => `  - ${e instanceof Error ? e.message.replaceAll("\n", "\n    ") : String(e)}`);
  const hints = [...new Set(errors.map((e) => (e instanceof PlugstackError ? e.hint : undefined)).filter(Boolean))];
  const first = errors.find((e) => e instanceof FetchError) as FetchError | undefined;
  return new FetchError(`${errors.length} plugins failed:\n${msgs.join("\n")}`, first?.url ?? "", first?.ref, hints.join("; ") || undefined);
}

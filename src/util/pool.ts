// The one worker pool: run an async function over a list, a few at a time,
// and collect every outcome (a failure does not stop the others). `combine`
// turns the failures of such a run into one error. `defaultJobs` is how many
// fetches run at once unless --jobs says. Leaf module: imports only errors.ts.
import { availableParallelism, totalmem } from "node:os";
import { FetchError, PlugstackError } from "../errors.ts";

/**
 * Fetches at once when --jobs is not given: 4 per CPU core, at least 4 and
 * at most 16, and no more than one per 256 MiB of memory (at least 2).
 * A fetch mostly waits on the network (round trips, the server's rate per
 * connection), so several per core overlap; each also costs this machine CPU
 * (index-pack, checkout) and memory (index-pack of a large pack), so the
 * count follows the cores and the memory; 16 caps what one run asks of one
 * server. (A 2-core machine: 8, every plugin of a typical stack at once.)
 */
export function defaultJobs(cpus = availableParallelism(), memoryBytes = totalmem()): number {
  return Math.min(16, Math.max(4, 4 * cpus), Math.max(2, Math.floor(memoryBytes / 2 ** 28)));
}

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

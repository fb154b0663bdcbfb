// Time as a parameter: code that waits (retry backoff, lock polling) takes a
// Clock, real time by default, so tests can pass one that records the waits
// instead of sleeping through them.

export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
  /** resolve after `ms` milliseconds */
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => Bun.sleep(ms),
};

/** A duration for messages: "300ms", "1.5s", "600s". */
export function renderDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  return s < 10 ? `${Number(s.toFixed(1))}s` : `${Math.round(s)}s`;
}

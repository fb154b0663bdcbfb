// A clock for tests of code that waits (retry backoff, lock polling): sleep
// returns at once and moves the clock on, and every wait is recorded, so a
// test asserts the schedule without spending it.
import type { Clock } from "../../src/util/clock.ts";

export interface FakeClock extends Clock {
  /** every sleep asked for, in ms, in order */
  sleeps: number[];
}

/** A clock starting at `start` ms; `onSleep` runs before each sleep returns (e.g. to bring a server up). */
export function fakeClock(opts: { start?: number; onSleep?: (ms: number, count: number) => void | Promise<void> } = {}): FakeClock {
  let now = opts.start ?? 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    async sleep(ms: number) {
      sleeps.push(ms);
      now += ms;
      await opts.onSleep?.(ms, sleeps.length);
    },
  };
}

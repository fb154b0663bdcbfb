// The error a synchronous call throws, for tests that look into it.
import { expect } from "bun:test";

/** What `fn` throws, asserted to be a `type` (the test fails when it throws nothing or something else). */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, fn: () => unknown): E {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  return caught as E;
}

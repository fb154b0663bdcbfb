// DEST's lock (CONTRACT 9): a second run waits for the first, as long as it
// takes unless PLUGSTACK_LOCK_TIMEOUT says otherwise, saying who holds DEST;
// --no-wait fails at once. The waits run on a fake clock: no test sleeps.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { destLockPath, withDestLock } from "../../src/stack/dest-lock.ts";
import { fakeClock } from "../helpers/clock.ts";
import { tempDir } from "../helpers/git.ts";
import { recordingLog } from "../helpers/log.ts";

const tmp = tempDir("plugstack-dest-lock-");
afterAll(() => tmp.cleanup());

/** A DEST held by pid 1 (alive on every Linux machine), as another plugstack run would hold it. */
function heldDest(name: string): string {
  const dest = join(tmp.path, name);
  mkdirSync(dest, { recursive: true });
  writeFileSync(destLockPath(dest), JSON.stringify({ pid: 1, host: hostname(), command: "plugstack stack", since: "then" }));
  return dest;
}

test("by default a second run waits, however long, says who holds DEST, and runs once it is free", async () => {
  const dest = heldDest("wait");
  const { log, lines } = recordingLog();
  // the holder finishes after 12 minutes, past the 10 minutes other locks wait at most
  const clock = fakeClock({ onSleep: (_ms, n) => void (n === 2_880 && rmSync(destLockPath(dest))) });
  const ran = await withDestLock({ env: {}, log, clock }, dest, {}, async () => "ran");
  expect(ran).toBe("ran");
  expect(clock.sleeps).toHaveLength(2_880);
  expect(new Set(clock.sleeps)).toEqual(new Set([250]));
  expect(lines).toEqual([`info: waiting for DEST ${dest}: in use by pid 1 on ${hostname()} (plugstack stack, since then)`]);
});

test("PLUGSTACK_LOCK_TIMEOUT=5: gives up after 5 s of waiting, naming the holder", async () => {
  const dest = heldDest("timeout");
  const clock = fakeClock();
  const err = await withDestLock({ env: { PLUGSTACK_LOCK_TIMEOUT: "5" }, log: recordingLog().log, clock }, dest, {}, async () => "ran").catch((e) => e);
  expect(err.message).toBe(`timed out after 5s waiting for DEST ${dest}: locked by pid 1 on ${hostname()} (plugstack stack, since then)`);
  expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(5250);
});

test("--no-wait fails at once with the hint to wait", async () => {
  const dest = heldDest("nowait");
  const clock = fakeClock();
  const err = await withDestLock({ env: {}, log: recordingLog().log, clock }, dest, { noWait: true }, async () => "ran").catch((e) => e);
  expect(clock.sleeps).toEqual([]);
  expect(err.message).toBe(`DEST ${dest} is in use by pid 1 on ${hostname()} (plugstack stack, since then)`);
  expect(err.hint).toContain("run without --no-wait to wait for it");
});

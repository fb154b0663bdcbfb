// src/cli/progress.ts renders the fetch events (tested here, beside fetch).
import { describe, expect, test } from "bun:test";
import { createProgress, type ProgressStream } from "../../src/cli/progress.ts";
import type { FetchProgress } from "../../src/plugins/fetch.ts";
import { Screen } from "../helpers/screen.ts";

function sink(isTTY: boolean): ProgressStream & { out: string } {
  return {
    out: "",
    isTTY,
    write(s: string) {
      this.out += s;
    },
  };
}

const events: FetchProgress[] = [
  { plugin: "heat", state: "queued" },
  { plugin: "ironic", state: "queued" },
  { plugin: "heat", state: "fetching", detail: "https://opendev.org/openstack/heat" },
  { plugin: "heat", state: "resolving", detail: "master" },
  { plugin: "heat", state: "checking-out" },
  { plugin: "ironic", state: "fetching" },
  { plugin: "heat", state: "done", detail: "cloned 3f2a1c0 (master)" },
  { plugin: "ironic", state: "failed", detail: "ref nope not found" },
];

function play(stream: ProgressStream, opts: { color?: boolean; quiet?: boolean } = {}) {
  let t = 0;
  const p = createProgress({ stream, tickMs: 0, now: () => t, ...opts });
  for (const e of events) {
    t += 100;
    p.update(e);
  }
  p.done();
}

describe("createProgress", () => {
  test("not a terminal: one line per state change, no escapes", () => {
    const s = sink(false);
    play(s);
    expect(s.out).toBe(
      [
        "heat: fetching https://opendev.org/openstack/heat",
        "heat: resolving master",
        "heat: checking-out",
        "ironic: fetching",
        "heat: done cloned 3f2a1c0 (master) (0.4s)",
        "ironic: failed ref nope not found (0.2s)",
        "",
      ].join("\n"),
    );
  });

  test("terminal: running fetches are the live region; each finished one is printed once above it and stays", () => {
    const screen = new Screen();
    const s = Object.assign(sink(true), { write: (x: string) => screen.write(x) });
    let t = 0;
    const p = createProgress({ stream: s, tickMs: 0, now: () => t, color: false });
    const seen: string[][] = [];
    for (const e of events) {
      t += 100;
      p.update(e);
      seen.push(screen.lines());
    }
    // while heat and ironic run, both are live lines with their elapsed time
    expect(seen[5]).toEqual(["- heat                 checking-out 0.3s", "- ironic               fetching 0.0s"]);
    // heat finished: printed above the region, which now holds ironic only
    expect(seen[6]).toEqual(["heat: done cloned 3f2a1c0 (master) (0.4s)", "- ironic               fetching 0.1s"]);
    p.done();
    expect(screen.lines()).toEqual(["heat: done cloned 3f2a1c0 (master) (0.4s)", "ironic: failed ref nope not found (0.2s)"]);
  });

  test("colour when asked: glyphs and colours on finished lines", () => {
    const s = sink(true);
    play(s, { color: true });
    expect(s.out).toContain("\x1b[32m✓\x1b[0m");
    expect(s.out).toContain("\x1b[31m✗\x1b[0m");
  });

  test("--quiet prints nothing", () => {
    const s = sink(true);
    play(s, { quiet: true });
    expect(s.out).toBe("");
  });
});

import { describe, expect, test } from "bun:test";
import { collectTimings, findFailure, formatMs, renderTimings } from "../../src/stack/report.ts";
import { parseEventLine } from "../../src/stack/shell.ts";

const ev = (at: number, ...f: string[]) => parseEventLine(f.join("\t"), at);

describe("collectTimings", () => {
  test("steps and per-plugin sums", () => {
    const t = collectTimings([
      ev(0, "step-start", "stack install"),
      ev(1, "hook-start", "a", "plugin.sh", "/a", "stack install"),
      ev(11, "hook-end", "a", "plugin.sh", "/a", "stack install"),
      ev(11, "hook-start", "b", "plugin.sh", "/b", "stack install"),
      ev(31, "hook-end", "b", "plugin.sh", "/b", "stack install"),
      ev(32, "step-end", "stack install"),
      ev(32, "step-start", "stack extra"),
      ev(33, "hook-start", "a", "plugin.sh", "/a", "stack extra"),
      ev(38, "hook-end", "a", "plugin.sh", "/a", "stack extra"),
      ev(40, "step-end", "stack extra"),
    ]);
    expect(t.steps).toEqual([
      { name: "stack install", ms: 32 },
      { name: "stack extra", ms: 8 },
    ]);
    expect(t.plugins).toEqual([
      { name: "a", ms: 15 },
      { name: "b", ms: 20 },
    ]);
    expect(renderTimings(t, 40)).toContain("stack install");
  });
});

describe("findFailure", () => {
  test("ERR trap record wins over the hook's file", () => {
    const f = findFailure(
      [
        ev(0, "hook-start", "a", "plugin.sh", "/d/a/devstack/plugin.sh", "stack install"),
        ev(1, "error", "3", "/d/a/devstack/lib/x", "42", "false", "a", "stack install"),
        ev(2, "exit", "3", "a", "stack install", "/d/a/devstack/plugin.sh"),
      ],
      3,
    );
    expect(f).toMatchObject({ status: 3, plugin: "a", step: "stack install", file: "/d/a/devstack/lib/x", line: 42, command: "false" });
  });
  test("die's record wins", () => {
    const f = findFailure(
      [ev(0, "hook-start", "a", "settings", "/s", "source"), ev(1, "die", "1", "/s", "7", "no way"), ev(2, "exit", "1", "a", "source", "/s")],
      1,
    );
    expect(f).toMatchObject({ plugin: "a", step: "source", file: "/s", line: 7, message: "no way" });
  });
  test("exit 1 without a trap record names the hook file", () => {
    const f = findFailure([ev(0, "hook-start", "a", "settings", "/s", "source"), ev(2, "exit", "1", "a", "source", "/s")], 1);
    expect(f).toMatchObject({ plugin: "a", step: "source", file: "/s" });
    expect(f.line).toBeUndefined();
  });
  test("an earlier error of a finished hook is forgotten", () => {
    const f = findFailure(
      [
        ev(0, "hook-start", "a", "plugin.sh", "/a", "x"),
        ev(1, "error", "1", "/a", "3", "false", "a", "x"),
        ev(1, "hook-end", "a", "plugin.sh", "/a", "x"),
        ev(2, "hook-start", "b", "plugin.sh", "/b", "x"),
        ev(3, "exit", "1", "b", "x", "/b"),
      ],
      1,
    );
    expect(f).toMatchObject({ plugin: "b", file: "/b" });
    expect(f.line).toBeUndefined();
  });
});

describe("formatMs", () => {
  const rows: [number, string][] = [
    [5, "5ms"],
    [1500, "1.5s"],
    [61_000, "1m1s"],
  ];
  for (const [ms, s] of rows) test(`${ms}`, () => expect(formatMs(ms)).toBe(s));
});

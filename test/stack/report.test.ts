import { describe, expect, test } from "bun:test";
import { collectTimings, computePhases, findFailure, formatMs, renderPhaseTable } from "../../src/stack/report.ts";
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
  });
});

describe("computePhases: rows add up to the wall time", () => {
  const shell = [
    ev(1000.4, "step-start", "source"),
    ev(1000.6, "hook-start", "a", "settings", "/a", "source"),
    ev(1010.2, "hook-end", "a", "settings", "/a", "source"),
    ev(1010.3, "step-end", "source"),
    ev(1010.3, "step-start", "stack install"),
    ev(1011, "hook-start", "a", "plugin.sh", "/a", "stack install"),
    ev(1211, "hook-end", "a", "plugin.sh", "/a", "stack install"),
    ev(1211, "hook-start", "b", "plugin.sh", "/b", "stack install"),
    ev(1511.7, "hook-end", "b", "plugin.sh", "/b", "stack install"),
    ev(1512, "step-end", "stack install"),
  ];
  const fetch = new Map([
    ["a", { started: 100.2, ended: 300.9 }],
    ["b", { started: 100.4, ended: 500.1 }],
  ]);

  test("a whole run: preparation, fetch, steps with per-plugin cells, wrap-up; total = wall time", () => {
    const p = computePhases({ startedAt: 0, endedAt: 1600.2, fetch, events: shell });
    expect(p.totalMs).toBe(1600);
    expect(p.rows.map((r) => [r.name, r.ms])).toEqual([
      ["preparation", 600],
      ["fetch", 400],
      ["source", 10],
      ["stack install", 502],
      ["wrap-up", 88],
    ]);
    expect(p.rows.reduce((n, r) => n + r.ms, 0)).toBe(p.totalMs);
    expect(p.rows.find((r) => r.name === "fetch")!.plugins).toEqual({ a: 201, b: 400 });
    expect(p.rows.find((r) => r.name === "stack install")!.plugins).toEqual({ a: 200, b: 301 });
  });

  test("after a failure: the open step and hook count up to the end, marked failed", () => {
    const cut = shell.slice(0, 8); // b's hook never ends
    const p = computePhases({ startedAt: 0, endedAt: 1300, fetch, events: cut, failed: true });
    const last = p.rows.at(-1)!;
    expect(last).toMatchObject({ name: "stack install", ms: 290, failed: true, plugins: { a: 200, b: 89 } });
    expect(p.rows.reduce((n, r) => n + r.ms, 0)).toBe(1300);
  });

  test("no shell at all (failed while fetching): preparation and fetch only", () => {
    const p = computePhases({ startedAt: 0, endedAt: 700, fetch: new Map([["a", { started: 100 }]]), events: [], failed: true });
    expect(p.rows.map((r) => [r.name, r.ms])).toEqual([
      ["preparation", 100],
      ["fetch", 600],
    ]);
  });

  test("the table: plugins across, empty cells blank, totals per plugin", () => {
    const text = renderPhaseTable(computePhases({ startedAt: 0, endedAt: 1600.2, fetch, events: shell }));
    expect(text.split("\n")).toEqual([
      "phase           time      a      b",
      "preparation    600ms",
      "fetch          400ms  201ms  400ms",
      "source          10ms    9ms",
      "stack install  502ms  200ms  301ms",
      "wrap-up         88ms",
      "total           1.6s  410ms  701ms",
    ]);
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

// Truthful progress, on a real terminal: plugstack runs inside tmux (a real
// pseudo-terminal) and the screen is captured many times while it runs. The
// live line shows the running step and plugin with a ticking elapsed time;
// finished lines (fetches, steps with durations, echo_summary) appear above it
// and no captured finished line ever disappears or changes. Piped, the same
// run prints plain lines without escapes or glyphs; -v prints each
// echo_summary once; the table's total is the wall time, also after a failure.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/git.ts";
import { BIN, plugstack } from "./harness.ts";

let work: ReturnType<typeof tempDir>;
const tmux = Bun.which("tmux");
const noTmux = tmux ? "" : "tmux is not installed, so there is no real terminal to test in (.ci/run installs it)";
if (noTmux) console.log(`[skip] progress on a real terminal: ${noTmux}`);
let sessions = 0;

function plugin(name: string, script: string): string {
  const dir = join(work.path, "plugins", name);
  mkdirSync(join(dir, "devstack"), { recursive: true });
  writeFileSync(join(dir, "devstack", "plugin.sh"), script);
  return dir;
}

function conf(name: string, plugins: string[]): string {
  const path = join(work.path, `${name}.conf`);
  writeFileSync(
    path,
    ["[[local|localrc]]", `DEST=${join(work.path, `dest-${name}`)}`, ...plugins.map((p) => `enable_plugin ${p} ${join(work.path, "plugins", p)}`), ""].join(
      "\n",
    ),
  );
  return path;
}

beforeAll(() => {
  work = tempDir("plugstack-term-");
  plugin("slow", ['if [[ "$1" == stack && "$2" == install ]]; then', '    echo_summary "slow is installing"', "    sleep 2.5", "fi", ""].join("\n"));
  plugin("quick", ['if [[ "$1" == stack && "$2" == post-config ]]; then', '    echo_summary "quick configures"', "    sleep 1", "fi", ""].join("\n"));
  plugin("bad", ['if [[ "$1" == stack && "$2" == extra ]]; then', "    sleep 1", "    false", "fi", ""].join("\n"));
});
afterAll(() => work.cleanup());

/** Runs `args` in a tmux window and captures the screen every 150 ms until it ends. */
async function inTmux(args: string[], env: Record<string, string>): Promise<string[][]> {
  const session = `ps11-${process.pid}-${sessions++}`;
  const done = join(work.path, `done-${session}`);
  // PLUGSTACK_HOST_SETUP=False as in binaryEnv: no sudo set-up or general prerequisites on this machine
  const exports = Object.entries({ HOME: work.path, PATH: process.env.PATH ?? "/usr/bin:/bin", TERM: "xterm-256color", PLUGSTACK_HOST_SETUP: "False", ...env })
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
  const cmd = `cd ${JSON.stringify(work.path)} && env -i ${exports} ${BIN} ${args.map((a) => JSON.stringify(a)).join(" ")}; echo "EXIT=$?" > ${done}; sleep 600`;
  const started = Bun.spawnSync([tmux!, "new-session", "-d", "-s", session, "-x", "150", "-y", "100", cmd]);
  expect(started.exitCode).toBe(0);
  const shots: string[][] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const cap = Bun.spawnSync([tmux!, "capture-pane", "-p", "-t", session]);
      shots.push(
        cap.stdout
          .toString()
          .split("\n")
          .map((l) => l.trimEnd())
          .filter((l, j, all) => l !== "" || all.slice(j).some((x) => x.trim())),
      );
      if (await Bun.file(done).exists()) break;
      await Bun.sleep(150);
    }
    // one more after the end
    await Bun.sleep(200);
    shots.push(
      Bun.spawnSync([tmux!, "capture-pane", "-p", "-t", session])
        .stdout.toString()
        .split("\n")
        .map((l) => l.trimEnd()),
    );
    shots.at(-1)!.push((await Bun.file(done).text()).trim());
  } finally {
    Bun.spawnSync([tmux!, "kill-session", "-t", session]);
  }
  return shots;
}

/** The live region: the trailing lines that start with a spinner (colour on) or "- " (colour off). */
function finishedPart(shot: string[]): string[] {
  const lines = [...shot];
  while (lines.length && (lines.at(-1) === "" || /^([⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] |- )/.test(lines.at(-1)!))) lines.pop();
  return lines;
}

describe.skipIf(!!noTmux)("on a real terminal (tmux)", () => {
  for (const [title, env] of [
    ["with colour", { FORCE_COLOR: "1" }],
    ["with NO_COLOR", { NO_COLOR: "1" }],
  ] as const) {
    test(`${title}: a live line with ticking times; finished lines stay; table total = wall time`, async () => {
      const path = conf(`tty-${title.replace(/\W/g, "")}`, ["slow", "quick"]);
      const shots = await inTmux(["stack", "-c", path], env);
      const last = shots.at(-1)!;
      expect(last.join("\n")).toContain("EXIT=0");
      // the live line named the running step and plugin, and its time went up
      const live = shots.flatMap((s) => s.filter((l) => /stack install · slow plugin\.sh/.test(l)));
      expect(live.length).toBeGreaterThan(3);
      const times = live.map((l) =>
        Number(
          /\[(\d+(?:\.\d+)?)(ms|s)\]/
            .exec(l)!
            .slice(1, 3)
            .reduce((v, u) => String(Number(v) * (u === "s" ? 1000 : 1))),
        ),
      );
      expect(Math.max(...times)).toBeGreaterThan(Math.min(...times) + 1000);
      // no finished line ever disappears or changes: each capture's finished part is a prefix of the next one's
      for (let i = 1; i < shots.length; i++) {
        const before = finishedPart(shots[i - 1]!);
        const after = shots[i]!;
        expect(after.slice(0, before.length)).toEqual(before);
      }
      const text = last.join("\n");
      // steps with durations, echo_summary once, the table with plugin columns and the total
      expect(text).toMatch(/stack install {2}2\.\ds/);
      expect(text.split("slow is installing").length - 1).toBe(1);
      expect(text).toMatch(/^phase +time +slow +quick$/m);
      const total = /^total +(\d+\.\d)s/m.exec(text);
      const done = /stack done in (\d+\.\d)s/.exec(text);
      expect(total?.[1]).toBe(done?.[1]);
      if (title === "with NO_COLOR") expect(text).not.toMatch(/[✔✓⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ℹ]/);
      else expect(text).toContain("✔ stack install");
    }, 60_000);
  }

  test("after a failure the table is printed too, up to the failing hook", async () => {
    const path = conf("tty-fail", ["slow", "bad"]);
    const shots = await inTmux(["stack", "-c", path], { NO_COLOR: "1" });
    const text = shots.at(-1)!.join("\n");
    expect(text).toContain("EXIT=1");
    expect(text).toMatch(/^stack extra \(failed\) +\d/m);
    expect(text).toMatch(/^total +\d/m);
    expect(text).toContain("error: plugin bad failed during stack extra");
    for (let i = 1; i < shots.length; i++) expect(shots[i]!.slice(0, finishedPart(shots[i - 1]!).length)).toEqual(finishedPart(shots[i - 1]!));
  }, 60_000);
});

describe("not a terminal", () => {
  test("plain lines: no escape codes, no glyphs; durations on step lines; the table", async () => {
    const path = conf("piped", ["quick"]);
    const r = await plugstack(["stack", "-c", path], { cwd: work.path, env: { NO_COLOR: "" } });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("\x1b");
    expect(r.stderr).not.toMatch(/[✔✓⠋ℹ◐]/);
    expect(r.stderr).toMatch(/^stack post-config {2}1\.\ds$/m);
    expect(r.stderr).toMatch(/^quick: done linked -> /m);
    expect(r.stderr).toMatch(/^total +\d/m);
  }, 30_000);

  test("-v prints each echo_summary once (the hook's output carries it)", async () => {
    const path = conf("verbose", ["quick"]);
    const r = await plugstack(["stack", "-c", path, "-v"], { cwd: work.path });
    expect(r.code).toBe(0);
    expect(r.stderr.split("quick configures").length - 1).toBe(1);
  }, 30_000);

  test("--json: the phases of the table, in integer ms, adding up to totalMs", async () => {
    const path = conf("json", ["quick"]);
    const r = await plugstack(["stack", "-c", path, "--json"], { cwd: work.path });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout).result;
    const sum = result.phases.reduce((n: number, p: { ms: number }) => n + p.ms, 0);
    expect(sum).toBe(result.totalMs);
    for (const p of result.phases) expect(Number.isInteger(p.ms)).toBe(true);
    expect(result.phases.map((p: { name: string }) => p.name)).toContain("fetch");
    expect(result.runs.stack.status).toBe("ok");
  }, 30_000);
});

// Concurrency: three stacks on one DEST run one after the other (the others
// wait and name the holder), --no-wait fails at once for stack, unstack and
// clean, and ten fetches into one cache all succeed and leave it verified.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, tempDir } from "../helpers/git.ts";
import { makePlugin, plugstack, writeConf } from "../repro/helpers.ts";
import { leftovers, startBinary, waitFor } from "./helpers.ts";

setDefaultTimeout(120_000);

const tmp = tempDir("plugstack-concurrency-");
afterAll(() => tmp.cleanup());

describe("one DEST, several runs", () => {
  const root = join(tmp.path, "dest-lock");
  const calls = join(root, "calls");
  const dest = join(root, "dest");
  const env = { PLUGSTACK_CACHE: join(root, "cache"), PS_CALLS: calls };
  // stack install: "begin", a pause, "end": overlapping runs would interleave them
  makePlugin(join(root, "srv", "slow"), "slow", {
    extra: [
      'if [[ "$1 $2" == "stack install" ]]; then echo "begin $PPID" >> "$PS_CALLS.order"',
      "  if [[ -n ${PS_HOLD:-} ]]; then for _ in $(seq 600); do [[ -e $PS_HOLD ]] && break; sleep 0.2; done; else sleep 1; fi",
      '  echo "end $PPID" >> "$PS_CALLS.order"; fi',
    ],
  });
  const conf = writeConf(join(root, "conf"), [`enable_plugin slow file://${join(root, "srv", "slow")}`]);

  test("3 stacks at once: each waits for the one holding DEST, names it, and all succeed one at a time", async () => {
    const first = await plugstack(["lock", "-c", conf], { cwd: root, env });
    expect(first.code).toBe(0);
    const runs = [0, 1, 2].map(() => startBinary(["stack", "-c", conf, "--dest", dest], { cwd: root, env }));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    for (const r of results) expect(r.stderr).not.toContain("internal error");
    const waited = results.filter((r) => /waiting for DEST .*: in use by pid \d+ on \S+ \(.*stack -c .*\)/.test(r.stderr));
    expect(waited.length).toBeGreaterThanOrEqual(1);
    const order = readFileSync(`${calls}.order`, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(" ")[0]);
    expect(order).toEqual(["begin", "end", "begin", "end", "begin", "end"]);
    expect(leftovers(dest)).toEqual([]);
  });

  test("--no-wait: stack, unstack and clean fail at once naming the holder; the running stack is untouched", async () => {
    const lines = () => (existsSync(`${calls}.order`) ? readFileSync(`${calls}.order`, "utf8").split("\n").length : 0);
    const before = lines();
    const release = join(root, "release");
    const holder = startBinary(["stack", "-c", conf, "--dest", dest], { cwd: root, env: { ...env, PS_HOLD: release } });
    expect(await waitFor(() => lines() > before, 60_000)).toBe(true);
    for (const cmd of ["stack", "unstack", "clean"]) {
      const r = await plugstack([cmd, "-c", conf, "--dest", dest, "--no-wait"], { cwd: root, env });
      expect({ cmd, code: r.code }).toEqual({ cmd, code: 1 });
      expect(r.stderr).toContain(`DEST ${dest} is in use by pid ${holder.pid}`);
      expect(r.stderr).toContain("--no-wait");
    }
    writeFileSync(release, "");
    const h = await holder.done;
    expect({ code: h.code, stderr: h.stderr }).toMatchObject({ code: 0 });
    expect(
      readFileSync(`${calls}.order`, "utf8")
        .trim()
        .split("\n")
        .slice(-2)
        .map((l) => l.split(" ")[0]),
    ).toEqual(["begin", "end"]);
  });
});

describe("one cache, ten fetches", () => {
  test("10 concurrent fetches of the same lock all succeed; verify --full is clean", async () => {
    const root = join(tmp.path, "cache-fetch");
    const names = ["a", "b", "c"];
    for (const n of names) makeRepo(join(root, "srv", n), { commits: 3, tags: { "1.0.0": 1 } });
    const conf = writeConf(
      join(root, "conf"),
      names.map((n) => `enable_plugin ${n} file://${join(root, "srv", n)}`),
    );
    const env = { PLUGSTACK_CACHE: join(root, "cache") };
    // lock into a throwaway cache: the ten fetches start from an empty one
    expect((await plugstack(["lock", "-c", conf, "--cache-dir", join(root, "cache-lock")], { cwd: root, env })).code).toBe(0);
    const runs = Array.from({ length: 10 }, () => startBinary(["fetch", "-c", conf], { cwd: root, env }));
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const v = await plugstack(["verify", "--full", "-c", conf], { cwd: root, env });
    expect({ code: v.code, out: v.stdout + v.stderr }).toMatchObject({ code: 0 });
    expect(leftovers(join(root, "cache"))).toEqual([]);
  });
});

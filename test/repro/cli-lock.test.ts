// `plugstack lock`, `lock --update`, `--locked` and `verify`/`status` drift,
// with the compiled binary against plugins served by git daemon.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addBranch, addCommit, addTag, deleteBranch, type makeRepo, rewriteTip } from "../helpers/git.ts";
import { gitDaemonSuite } from "../plugins/ctx.ts";
import { makePlugin, plugstack, writeConf } from "./helpers.ts";

setDefaultTimeout(30_000); // git and the compiled binary on a loaded 2-core machine

const { tmp, srv, urlFor } = gitDaemonSuite({ prefix: "plugstack-cli-lock-", startTimeoutMs: 30_000 });
let heat: ReturnType<typeof makeRepo>;
let ironic: ReturnType<typeof makeRepo>;
let conf: string;
let cfg: string;
const env = () => ({ PLUGSTACK_CACHE: join(tmp, "cache") });
const run = (...args: string[]) => plugstack([...args, "-c", conf], { cwd: cfg, env: env() });

beforeAll(async () => {
  heat = makePlugin(join(srv, "heat"), "heat", { commits: 2 });
  addBranch(heat.dir, "stable/2023.1", heat.commits[0]!);
  ironic = makePlugin(join(srv, "ironic"), "ironic");
  cfg = join(tmp, "cfg");
  conf = writeConf(cfg, [`DEST=${join(tmp, "dest")}`, `enable_plugin heat ${urlFor("heat")}`, `enable_plugin ironic ${urlFor("ironic")} stable/2023.1`]);
  addBranch(ironic.dir, "stable/2023.1", ironic.commits[0]!);
}, 30_000);

const short = (sha: string) => sha.slice(0, 7);

describe("plugstack lock", () => {
  test("writes local.conf.lock and prints what was added; a second run says the lock is up to date", async () => {
    const r = await run("lock");
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`heat    added ${short(heat.commits[1]!)} (master)\nironic  added ${short(ironic.commits[0]!)} (stable/2023.1)\n`);
    const lock = readFileSync(`${conf}.lock`, "utf8");
    expect(lock).toContain(`commit = "${heat.commits[1]}"`);
    const again = await run("lock");
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`lock is up to date (${conf}.lock)\n`);
    expect(readFileSync(`${conf}.lock`, "utf8")).toBe(lock);
  });

  test("upstream moves: plain lock keeps the commit, lock --update NAME moves it and prints old -> new", async () => {
    const next = addCommit(heat.dir);
    expect((await run("lock")).stdout).toBe(`lock is up to date (${conf}.lock)\n`);
    const r = await run("lock", "--update", "heat");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`heat  ${short(heat.commits[1]!)} -> ${short(next)} (master)\n`);
    expect(readFileSync(`${conf}.lock`, "utf8")).toContain(`commit = "${next}"`);
  });

  test("a force-push upstream is reported as rewritten history", async () => {
    const before = readFileSync(`${conf}.lock`, "utf8").match(/commit = "([0-9a-f]{40})"/)![1]!;
    const rewritten = rewriteTip(heat.dir, "master");
    const r = await run("lock", "--update");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `heat  ${short(before)} -> ${short(rewritten)} (master)  [history rewritten upstream: ${short(before)} is not an ancestor of ${short(rewritten)}]\n`,
    );
  });

  test("a ref that vanished upstream: exit 1, the successors named, the old entry kept", async () => {
    addTag(ironic.dir, "2023.1-eol", { at: ironic.commits[0]! });
    addBranch(ironic.dir, "unmaintained/2023.1", ironic.commits[0]!);
    deleteBranch(ironic.dir, "stable/2023.1");
    const before = readFileSync(`${conf}.lock`, "utf8");
    const r = await run("lock", "--update", "ironic");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `ironic: ref stable/2023.1 vanished from ${urlFor("ironic")}; kept the locked ${short(ironic.commits[0]!)} (still in the cache). successors: 2023.1-eol, unmaintained/2023.1`,
    );
    expect(r.stderr).toContain(`Change the REF of enable_plugin ironic (${conf}:4)`);
    expect(readFileSync(`${conf}.lock`, "utf8")).toBe(before);
    addBranch(ironic.dir, "stable/2023.1", ironic.commits[0]!); // restore for the next tests
  });

  test("names without --update, and unknown names, are usage errors (exit 2)", async () => {
    const r = await run("lock", "heat");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("plugin names need --update");
    const u = await run("lock", "--update", "nova");
    expect(u.code).toBe(2);
    expect(u.stderr).toContain("nova is not enabled in the config");
  });

  test("a lock of an unknown future version is a clear error", async () => {
    const good = readFileSync(`${conf}.lock`, "utf8");
    writeFileSync(`${conf}.lock`, good.replace("version = 1", "version = 7"));
    try {
      const r = await run("lock");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${conf}.lock: lock format version 7 is not supported (this plugstack reads version 1)`);
      expect(r.stderr).toContain("upgrade plugstack");
    } finally {
      writeFileSync(`${conf}.lock`, good);
    }
  });
});

describe("--locked with an edited local.conf", () => {
  test("lock, fetch and stack fail listing every difference; nothing is written", async () => {
    const good = readFileSync(conf, "utf8");
    const lock = readFileSync(`${conf}.lock`, "utf8");
    const extra = makePlugin(join(srv, "extra"), "extra");
    writeFileSync(
      conf,
      good
        .replace(`${urlFor("ironic")} stable/2023.1`, `${urlFor("ironic")} master`)
        .replace(/^enable_plugin heat .*$/m, `enable_plugin extra ${urlFor("extra")}`),
    );
    try {
      for (const cmd of [
        ["lock", "--locked"],
        ["fetch", "--locked"],
        ["stack", "--locked"],
        ["stack", "--frozen"],
      ]) {
        const r = await run(...cmd);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("does not match the config");
        expect(r.stderr).toContain("extra: enabled in the config but not in the lock");
        expect(r.stderr).toContain("ironic: ref is master in the config but stable/2023.1 in the lock");
        expect(r.stderr).toContain("heat: in the lock but not enabled in the config");
      }
      expect(readFileSync(`${conf}.lock`, "utf8")).toBe(lock);
      const v = await run("verify");
      expect(v.code).toBe(1);
      expect(v.stdout).toContain("DRIFT extra: enabled in the config but not in the lock");
    } finally {
      writeFileSync(conf, good);
    }
    expect(extra.commits).toHaveLength(1);
  }, 60_000);
});

// Honest exit codes and messages: localrc typos and syntax errors at their
// local.conf line (no internal files), zero plugins warned about, --locked
// failing when a checkout stays off its locked commit, git failures wrapped
// with plugin, local.conf:LINE, redacted URL, git's message and a hint per
// cause, and `bundle create --dry-run` writing nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { git, makeRepo, startHttpBackend, tempDir } from "../helpers/git.ts";
import { BIN, plugstack, runBinary } from "./harness.ts";

let work: ReturnType<typeof tempDir>;
const run = (args: string[], env: Record<string, string> = {}) =>
  plugstack(args, { cwd: work.path, env: { PLUGSTACK_CACHE: join(work.path, "cache"), ...env } });

function conf(name: string, localrc: string[]): string {
  const path = join(work.path, `${name}.conf`);
  writeFileSync(path, ["# a comment line", "[[local|localrc]]", `DEST=${join(work.path, `dest-${name}`)}`, ...localrc, ""].join("\n"));
  return path;
}

beforeAll(() => {
  work = tempDir("plugstack-honest-");
});
afterAll(() => work.cleanup());

describe("localrc mistakes are usage errors at their local.conf line", () => {
  test("a misspelt function (enable_plugn) is exit 2 at its line, with did-you-mean, not a silent success", async () => {
    const path = conf("typo", ["A=1", "enable_plugn alpha https://example.invalid/alpha"]);
    for (const cmd of ["stack", "plan"]) {
      const r = await run([cmd, "-c", path]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${path}:5: enable_plugn: command not found while evaluating localrc; did you mean enable_plugin?`);
      expect(r.stderr).not.toContain("stack done");
    }
  });

  test("an if without fi names the line of the if, and no temporary file", async () => {
    const path = conf("unclosed", ["A=1", "if [[ $A == 1 ]]; then", "  B=2", "", "C=3"]);
    const r = await run(["plan", "-c", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:5: bash cannot parse the localrc text: this line opens a block that is never closed`);
    expect(r.stderr).not.toMatch(/plugstack-localrc|driver\.sh/);
  });

  test("a runtime error that ends bash names its line and its message, and no `exit` hint", async () => {
    const path = conf("unbound", ["A=1", "set -u", "echo $NOT_SET_ANYWHERE", "B=2"]);
    const r = await run(["plan", "-c", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:6: the localrc text stopped the evaluation (bash exited with status 1): NOT_SET_ANYWHERE: unbound variable`);
    expect(r.stderr).not.toContain("`exit` there");
    expect(r.stderr).not.toMatch(/plugstack-localrc|driver\.sh/);
  });

  test("an exit in localrc is named at its line, with the exit hint", async () => {
    const path = conf("exits", ["A=1", "[[ -n $A ]] && exit 4"]);
    const r = await run(["plan", "-c", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:5: the localrc text stopped the evaluation (bash exited with status 4)`);
    expect(r.stderr).toContain("`exit` there ends the whole run");
  });

  test("a misspelt library function in a plugin's settings fails the run naming file:line and the function it meant", async () => {
    const dir = join(work.path, "plugins", "typoplug", "devstack");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "settings"), "MY=1\nenable_servce typoplug-api\n");
    const path = conf("settings-typo", [`enable_plugin typoplug ${join(work.path, "plugins", "typoplug")}`]);
    const r = await run(["stack", "-c", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("devstack/settings:2 (exit status 127)");
    expect(r.stderr).toContain("enable_servce: command not found; did you mean enable_service?");
  });

  test("no plugin enabled is a warning on stack and plan (and in the JSON envelope)", async () => {
    const path = conf("empty", ["A=1"]);
    const s = await run(["stack", "-c", path]);
    expect(s.code).toBe(0);
    expect(s.stderr).toContain(`warning: no plugin is enabled in ${path}`);
    const p = await run(["plan", "-c", path, "--json"]);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).warnings.map((w: { message: string }) => w.message)).toContainEqual(expect.stringContaining("no plugin is enabled"));
  });
});

describe("locked runs", () => {
  test("--locked and --frozen exit 1 when a checkout with local changes stays off its locked commit", async () => {
    const repo = makeRepo(join(work.path, "repos", "alpha"), { commits: 2 });
    const path = conf("locked", [`enable_plugin alpha ${repo.dir}`]);
    expect((await run(["stack", "-c", path])).code).toBe(0);
    const checkout = join(work.path, "dest-locked", "alpha");
    git(checkout, "checkout", "-q", "--detach", "HEAD~1");
    appendFileSync(join(checkout, "README"), "local work\n");
    for (const flag of ["--locked", "--frozen"]) {
      const r = await run(["stack", "-c", path, flag]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("--locked: a checkout is not at the locked commit");
      expect(r.stderr).toContain(`alpha: ${checkout} is at ${repo.commits[0]!.slice(0, 7)}, the lock says ${repo.commits[1]!.slice(0, 7)}`);
    }
    const plain = await run(["stack", "-c", path]);
    expect(plain.code).toBe(0); // unlocked: kept with a warning, as before
  });
});

describe("git failures name plugin, local.conf:LINE, the redacted URL, git's message and a hint per cause", () => {
  test("connection refused", async () => {
    const port = await closedPort();
    const path = conf("refused", ["A=1", `enable_plugin alpha http://user:s3cret@127.0.0.1:${port}/alpha.git`]);
    const r = await run(["lock", "-c", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plugin alpha (${path}:5): cannot fetch http://***@127.0.0.1:${port}/alpha.git (ref master)`);
    expect(r.stderr).toMatch(/git: fatal: unable to access .*(Failed to connect|Connection refused|Couldn't connect)/);
    expect(r.stderr).toContain("hint: connection refused:");
    expect(r.stderr).not.toContain("s3cret");
    expect(r.stderr).not.toContain("tmp-");
  });

  test("not found (404) and authentication, from a real git http-backend", async () => {
    const base = join(work.path, "served");
    makeRepo(join(base, "alpha.git"), { bare: true, commits: 1 });
    const server = await startHttpBackend(base, { basicAuth: { user: "u", password: "right" } });
    try {
      const auth = conf("auth", [`enable_plugin alpha ${server.urlFor("alpha.git")}`]);
      const a = await run(["lock", "-c", auth]);
      expect(a.code).toBe(1);
      expect(a.stderr).toContain(`plugin alpha (${auth}:4): cannot fetch ${server.urlFor("alpha.git")}`);
      expect(a.stderr).toContain("hint: authentication:");
      const missing = conf("missing", [`enable_plugin alpha ${server.urlFor("nope.git").replace("://", "://u:right@")}`]);
      const m = await run(["lock", "-c", missing]);
      expect(m.code).toBe(1);
      expect(m.stderr).toContain("cannot fetch http://***@");
      expect(m.stderr).toContain("hint: not found:");
      expect(m.stderr).not.toContain("right@");
    } finally {
      await server.stop();
    }
  });

  const noNetns =
    Bun.spawnSync(["unshare", "-n", "true"]).exitCode === 0 ? "" : "unshare -n is not permitted here, so the DNS case cannot run without the network";
  if (noNetns) console.log(`[skip] git failures, DNS: ${noNetns}`);
  test.skipIf(!!noNetns)("DNS, inside a network namespace with no network (nothing leaves the machine)", async () => {
    const path = conf("dns", [`enable_plugin alpha https://plugins.example.invalid/alpha.git`]);
    const r = await runBinary(BIN, ["lock", "-c", path], {
      cwd: work.path,
      env: { PLUGSTACK_CACHE: join(work.path, "cache"), PLUGSTACK_GIT_RETRIES: "1" },
      wrapper: ["unshare", "-n"],
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plugin alpha (${path}:4): cannot fetch https://plugins.example.invalid/alpha.git`);
    expect(r.stderr).toContain("hint: DNS:");
  });
});

describe("bundle create --dry-run", () => {
  test("writes neither the lock nor the bundle, and says what the bundle would hold", async () => {
    const repo = makeRepo(join(work.path, "repos", "beta"), { commits: 1 });
    const path = conf("bundle", [`enable_plugin beta ${repo.dir}`]);
    const r = await run(["bundle", "create", "out.bundle", "-c", path, "--dry-run", "--json"]);
    expect(r.code).toBe(0);
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(existsSync(join(work.path, "out.bundle"))).toBe(false);
    const result = JSON.parse(r.stdout).result;
    expect(result).toMatchObject({ dryRun: true, file: join(work.path, "out.bundle") });
    expect(result.lockChanges).toEqual([expect.objectContaining({ kind: "added", name: "beta" })]);
    expect(result.entries.map((e: { name: string; commit: string }) => [e.name, e.commit])).toEqual([["beta", repo.commits[0]]]);
    const text = await run(["bundle", "create", "out.bundle", "-c", path, "--dry-run"]);
    expect(text.code).toBe(0);
    expect(text.stderr).toContain("were not written");
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(existsSync(join(work.path, "out.bundle"))).toBe(false);
  });
});

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

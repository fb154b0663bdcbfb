// Network faults on 127.0.0.1: a server that accepts and never answers (the
// per-command timeout stops git and says so), a refused https port (retried
// with backoff, then a hint), and a git daemon killed mid-transfer (retried;
// nothing half-fetched is trusted; the next fetch completes).
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { freePort, git, makeRepo, spawnGitDaemon, tempDir } from "../helpers/git.ts";
import { plugstack, writeConf } from "../repro/helpers.ts";
import { processTree } from "./helpers.ts";

setDefaultTimeout(120_000);

const tmp = tempDir("plugstack-netfaults-");
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  tmp.cleanup();
});

let n = 0;
function setup(url: string) {
  const root = join(tmp.path, `case-${++n}`);
  const conf = writeConf(join(root, "conf"), [`enable_plugin p ${url}`]);
  return { root, conf, env: { PLUGSTACK_CACHE: join(root, "cache"), PLUGSTACK_GIT_TIMEOUT: "3" } };
}

function listen(onConnection: (s: Socket) => void): Promise<number> {
  const server = createServer(onConnection);
  servers.push(server);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
}

describe("network faults", () => {
  test("a server that accepts and never answers: each try times out, then one error with a hint", async () => {
    const held: Socket[] = [];
    const port = await listen((s) => void held.push(s));
    for (const url of [`git://127.0.0.1:${port}/p`, `http://127.0.0.1:${port}/p`]) {
      const c = setup(url);
      const r = await plugstack(["fetch", "-c", c.conf, "--timeout", "2", "--retries", "2"], { cwd: c.root, env: c.env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("attempt 1 of 2");
      expect(r.stderr).toContain("timed out after 2s");
      // the second try starts clean: the stopped first try left no half-made clone in its way
      expect(r.stderr).not.toContain("already exists");
      expect(
        r.stderr
          .trimEnd()
          .split("\n")
          .filter((l) => l.startsWith("error:"))
          .join("\n"),
      ).toContain("timed out after 2s");
      expect(r.stderr).toContain("hint:");
      expect(r.stderr).not.toContain("internal error");
    }
    for (const s of held) s.destroy();
  });

  test("a refused https port: retried with backoff, then an error with a hint", async () => {
    const port = await freePort();
    const c = setup(`https://127.0.0.1:${port}/p`);
    const r = await plugstack(["fetch", "-c", c.conf, "--retries", "2"], { cwd: c.root, env: c.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("failed (attempt 1 of 2), retrying");
    expect(r.stderr).toContain("hint: connection refused");
  });

  test("the git daemon is killed mid-transfer: nothing partial is trusted; the next fetch completes", async () => {
    const srv = join(tmp.path, "srv");
    const repo = makeRepo(join(srv, "big"), { commits: 1 });
    // incompressible content, so the pack takes a while to send
    mkdirSync(join(repo.dir, "data"), { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(join(repo.dir, "data", `blob-${i}`), randomBytes(512 * 1024));
    git(repo.dir, "add", "-A");
    git(repo.dir, "commit", "-q", "-m", "data");
    const daemonPort = await freePort();
    let daemon = spawnGitDaemon(srv, daemonPort);
    let killAfter = 256 * 1024;
    let killed = 0;
    let dead = false;
    // a relay in front of the daemon that kills the daemon itself once
    // `killAfter` bytes of its answer went through
    const port = await listen((client) => {
      let sent = 0;
      const upstream = createConnection({ host: "127.0.0.1", port: daemonPort });
      client.on("data", (d) => upstream.write(d));
      upstream.on("data", (d) => {
        client.write(d);
        sent += d.length;
        if (killAfter > 0 && sent > killAfter && !dead) {
          // the daemon and the upload-pack it forked for this connection
          dead = true;
          killed++;
          for (const p of [daemon.pid, ...processTree(daemon.pid)]) {
            try {
              process.kill(p, "SIGKILL");
            } catch {}
          }
        }
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      upstream.on("close", end);
      upstream.on("error", end);
      client.on("close", end);
      client.on("error", end);
    });
    await Bun.sleep(300);
    const c = setup(`git://127.0.0.1:${port}/big`);
    const r = await plugstack(["fetch", "-c", c.conf, "--retries", "2"], { cwd: c.root, env: c.env });
    expect({ killed, stderr: r.stderr }).toMatchObject({ killed: 1 });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr).toMatch(/attempt 1 of 2/);
    expect(readdirSync(join(c.root, "cache", "git")).filter((e) => !e.endsWith(".plugstack-lock"))).toEqual([]);
    // the daemon is back and nobody kills it: the same command completes
    killAfter = 0;
    await daemon.exited;
    daemon = spawnGitDaemon(srv, daemonPort);
    await Bun.sleep(500);
    const again = await plugstack(["fetch", "-c", c.conf], { cwd: c.root, env: c.env });
    expect({ code: again.code, stderr: again.stderr }).toMatchObject({ code: 0 });
    const v = await plugstack(["verify", "--full", "-c", c.conf], { cwd: c.root, env: c.env });
    expect({ code: v.code, out: v.stdout }).toMatchObject({ code: 0 });
    daemon.kill();
  });
});

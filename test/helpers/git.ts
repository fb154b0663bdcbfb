// Real git fixtures for every test suite: repos built in temp dirs, served
// over file:// and over a real `git daemon` (or `git http-backend`) on
// 127.0.0.1. No mocks: these run the git binary.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { collectOutput } from "./process.ts";

/** Environment for fixture git commands: no user/system config, fixed identity. */
export const fixtureEnv: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Fixture Author",
  GIT_AUTHOR_EMAIL: "author@example.invalid",
  GIT_COMMITTER_NAME: "Fixture Author",
  GIT_COMMITTER_EMAIL: "author@example.invalid",
  GIT_TERMINAL_PROMPT: "0",
  LC_ALL: "C",
};

/** Run git synchronously in `cwd`; throws with git's stderr on failure. Returns trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd, env: fixtureEnv, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    throw new Error(`fixture: git ${args.join(" ")} (in ${cwd}) failed: ${r.stderr.toString()}`);
  }
  return r.stdout.toString().trim();
}

/** Async git, for talking to a server running in this same process (startHttpBackend). */
export async function gitAsync(cwd: string, ...args: string[]): Promise<string> {
  const r = await collectOutput(Bun.spawn(["git", ...args], { cwd, env: fixtureEnv, stdout: "pipe", stderr: "pipe" }));
  if (r.code !== 0) throw new Error(`fixture: git ${args.join(" ")} (in ${cwd}) failed: ${r.stderr}`);
  return r.stdout.trim();
}

export interface TempDir {
  path: string;
  cleanup(): void;
}

/** A fresh temp directory; call cleanup() (e.g. in afterEach/afterAll). */
export function tempDir(prefix = "plugstack-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export interface CommitSpec {
  message?: string;
  /** path -> content; written before committing */
  files?: Record<string, string>;
}

export interface RepoOptions {
  /** initial branch name (default "master") */
  branch?: string;
  /** files of the first commit (default a README) */
  files?: Record<string, string>;
  /** number of commits, or one spec per commit (default 1) */
  commits?: number | CommitSpec[];
  /** tag name -> index of the commit it points at (annotated tags) */
  tags?: Record<string, number>;
  /** create a bare repo at `dir` (history built in a scratch clone) */
  bare?: boolean;
}

export interface Repo {
  dir: string;
  /** file:// URL of the repo */
  url: string;
  branch: string;
  /** SHAs of the commits made, oldest first */
  commits: string[];
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/** Create a repo at `dir` with commits and tags. Returns the commit SHAs. */
export function makeRepo(dir: string, opts: RepoOptions = {}): Repo {
  const branch = opts.branch ?? "master";
  const specs: CommitSpec[] =
    typeof opts.commits === "number" || opts.commits === undefined
      ? Array.from({ length: opts.commits ?? 1 }, (_, i) => ({ message: `commit ${i + 1}` }))
      : opts.commits;
  const work = opts.bare ? `${dir}.work` : dir;
  mkdirSync(work, { recursive: true });
  git(work, "init", "-q", "-b", branch);
  git(work, "config", "user.name", "Fixture Author");
  git(work, "config", "user.email", "author@example.invalid");
  git(work, "config", "commit.gpgsign", "false");
  git(work, "config", "tag.gpgsign", "false");
  git(work, "config", "gc.auto", "0");
  const commits: string[] = [];
  specs.forEach((spec, i) => {
    const files = spec.files ?? (i === 0 ? (opts.files ?? { README: "fixture\n" }) : { [`file-${i + 1}`]: `${i + 1}\n` });
    commits.push(addCommit(work, { message: spec.message ?? `commit ${i + 1}`, files }));
  });
  for (const [name, index] of Object.entries(opts.tags ?? {})) {
    const at = commits[index];
    if (!at) throw new Error(`fixture: tag ${name} points at commit ${index}, which does not exist`);
    addTag(work, name, { at });
  }
  if (opts.bare) {
    git(dirname(dir), "clone", "-q", "--bare", work, dir);
    git(dir, "config", "gc.auto", "0");
    rmSync(work, { recursive: true, force: true });
  }
  return { dir, url: `file://${dir}`, branch, commits };
}

/** Commit files (default: a new file) on the current branch; returns the SHA. */
export function addCommit(dir: string, spec: CommitSpec = {}): string {
  const files = spec.files ?? { [`change-${Date.now()}-${Math.random().toString(36).slice(2)}`]: "x\n" };
  writeFiles(dir, files);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", spec.message ?? "change");
  return git(dir, "rev-parse", "HEAD");
}

/** Tag a commit (default HEAD); annotated unless `lightweight`. */
export function addTag(dir: string, name: string, opts: { at?: string; lightweight?: boolean } = {}): void {
  const at = opts.at ?? "HEAD";
  if (opts.lightweight) git(dir, "tag", name, at);
  else git(dir, "tag", "-a", "-m", `tag ${name}`, name, at);
}

/** Create a branch at a commit (default HEAD) without switching to it. */
export function addBranch(dir: string, name: string, at = "HEAD"): void {
  git(dir, "branch", name, at);
}

export function deleteBranch(dir: string, name: string): void {
  git(dir, "branch", "-D", name);
}

/** Switch the working tree to `branch`, creating it at HEAD if missing (an existing branch keeps its commits). */
export function switchBranch(dir: string, branch: string): void {
  const exists = Bun.spawnSync(["git", "-C", dir, "show-ref", "--verify", "--quiet", `refs/heads/${branch}`]).exitCode === 0;
  git(dir, "switch", "-q", ...(exists ? [] : ["-c"]), branch);
}

/** Drop every object no ref points at (reflogs expired first), as a server's gc after a force-push does. */
export function pruneUnreferenced(dir: string): void {
  git(dir, "reflog", "expire", "--expire=now", "--all");
  git(dir, "gc", "-q", "--prune=now");
}

/** Make `branch` the repo's default (what `ls-remote --symref` reports as HEAD). */
export function setDefaultBranch(dir: string, branch: string): void {
  git(dir, "symbolic-ref", "HEAD", `refs/heads/${branch}`);
}

/**
 * Force-push style rewrite: replace the tip of `branch` (checked out in a
 * non-bare repo) with a new commit on top of its parent. The old tip becomes
 * unreachable upstream. Returns the new SHA.
 */
export function rewriteTip(dir: string, branch: string, spec: CommitSpec = {}): string {
  git(dir, "switch", "-q", branch);
  git(dir, "reset", "-q", "--hard", "HEAD~1");
  return addCommit(dir, { message: spec.message ?? "rewritten", files: spec.files });
}

export function headOf(dir: string): string {
  return git(dir, "rev-parse", "HEAD");
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

/** Wait until something listens on 127.0.0.1:`port`; fail when `proc` exits first. */
export async function waitForPort(port: number, timeoutMs: number, proc: { exitCode: number | null }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`fixture: server exited (${proc.exitCode}) before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: "127.0.0.1", port }, () => {
        s.end();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await Bun.sleep(25);
  }
  throw new Error(`fixture: nothing listening on 127.0.0.1:${port} after ${timeoutMs}ms`);
}

export interface GitServer {
  port: number;
  /** URL of the repo at `<baseDir>/<name>` */
  urlFor(name: string): string;
  stop(): Promise<void>;
  /** startGitDaemon with `verbose`: the repos asked for so far, one per request (clone, fetch, ls-remote), from the daemon's own log */
  requests?(): string[];
}

/** A `git daemon` serving every repo under `baseDir` on 127.0.0.1:`port`, not waited for (startGitDaemon waits). `verbose`: it logs each request on stderr (piped). */
export function spawnGitDaemon(baseDir: string, port: number, opts: { verbose?: boolean } = {}) {
  return Bun.spawn(
    [
      "git",
      "daemon",
      ...(opts.verbose ? ["--verbose"] : []),
      "--export-all",
      "--reuseaddr",
      `--base-path=${baseDir}`,
      "--listen=127.0.0.1",
      `--port=${port}`,
      baseDir,
    ],
    {
      env: fixtureEnv,
      stdout: "ignore",
      stderr: opts.verbose ? "pipe" : "ignore",
    },
  );
}

/**
 * Serve every repo under `baseDir` with a real `git daemon` on 127.0.0.1.
 * `verbose`: keep the daemon's log, so `requests()` lists every repo asked
 * for (each network git operation is one "Request upload-pack" line).
 */
export async function startGitDaemon(baseDir: string, opts: { verbose?: boolean } = {}): Promise<GitServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const proc = spawnGitDaemon(baseDir, port, opts);
    let log = "";
    const drained =
      proc.stderr instanceof ReadableStream
        ? (async () => {
            for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) log += new TextDecoder().decode(chunk);
          })()
        : Promise.resolve();
    try {
      await waitForPort(port, 5000, proc);
    } catch (e) {
      proc.kill();
      if (attempt < 3) continue; // port taken in between: try another
      throw e;
    }
    return {
      port,
      urlFor: (name) => `git://127.0.0.1:${port}/${name}`,
      stop: async () => {
        proc.kill();
        await proc.exited;
        await drained;
      },
      ...(opts.verbose ? { requests: () => [...log.matchAll(/Request (?:upload-pack|upload-archive|receive-pack) for '([^']*)'/g)].map((m) => m[1]!) } : {}),
    };
  }
}

/**
 * Serve every repo under `baseDir` over smart HTTP: `git http-backend` behind
 * a tiny CGI bridge running in this process, so clients must be async
 * (gitAsync, or plugstack's own runner), never spawnSync.
 */
export async function startHttpBackend(baseDir: string, opts: { basicAuth?: { user: string; password: string } } = {}): Promise<GitServer> {
  const wanted = opts.basicAuth ? `Basic ${Buffer.from(`${opts.basicAuth.user}:${opts.basicAuth.password}`).toString("base64")}` : null;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      if (wanted && req.headers.get("authorization") !== wanted) {
        return new Response("authentication required\n", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="plugstack-test"' } });
      }
      const url = new URL(req.url);
      const body = req.body ? new Uint8Array(await req.arrayBuffer()) : undefined;
      const cgi = Bun.spawn(["git", "http-backend"], {
        env: {
          ...fixtureEnv,
          GIT_PROJECT_ROOT: baseDir,
          GIT_HTTP_EXPORT_ALL: "1",
          REQUEST_METHOD: req.method,
          PATH_INFO: decodeURIComponent(url.pathname),
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers.get("content-type") ?? "",
          CONTENT_LENGTH: String(body?.length ?? 0),
          HTTP_CONTENT_ENCODING: req.headers.get("content-encoding") ?? "",
          GIT_PROTOCOL: req.headers.get("git-protocol") ?? "",
          REMOTE_ADDR: "127.0.0.1",
        },
        stdin: body ?? "ignore",
        stdout: "pipe",
        stderr: "ignore",
      });
      const out = new Uint8Array(await new Response(cgi.stdout).arrayBuffer());
      await cgi.exited;
      return cgiResponse(out);
    },
  });
  const port = server.port as number;
  return {
    port,
    urlFor: (name) => `http://127.0.0.1:${port}/${name}`,
    stop: async () => {
      await server.stop(true);
    },
  };
}

/** Split CGI output into headers and body. */
function cgiResponse(out: Uint8Array): Response {
  let split = -1;
  let sepLen = 0;
  for (let i = 0; i < out.length - 1; i++) {
    if (out[i] === 10 && out[i + 1] === 10) [split, sepLen] = [i, 2];
    else if (out[i] === 13 && out[i + 1] === 10 && out[i + 2] === 13 && out[i + 3] === 10) [split, sepLen] = [i, 4];
    if (split >= 0) break;
  }
  if (split < 0) return new Response("bad CGI output", { status: 502 });
  const headers = new Headers();
  let status = 200;
  for (const line of new TextDecoder().decode(out.subarray(0, split)).split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key.toLowerCase() === "status") status = Number.parseInt(value, 10);
    else headers.append(key, value);
  }
  return new Response(out.subarray(split + sepLen), { status, headers });
}

/**
 * Waits past the current second. Files written in the same second as
 * their index are racily clean to git (built without USE_NSEC it compares
 * seconds), and git rewrites such an index at each look: a user's runs
 * come seconds apart, so a test that writes repos and then runs plugstack
 * at once waits for the next second first.
 */
export const nextSecond = () => Bun.sleep(1100);

// The one way plugstack runs git (CONTRACT 11): argument arrays, no prompts,
// ssh in batch mode, a protocol allow-list, no hooks, no submodules, and a
// hard offline switch that refuses network commands before they start.
import { type Dirent, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Ctx } from "../context.ts";
import { FetchError } from "../errors.ts";
import { loadExeca } from "../util/execa-lazy.ts";
import { splitUrl } from "../util/git-url.ts";
import { trackGroup } from "../util/processes.ts";
import { shellQuote } from "../util/quote.ts";
import { redact, splitCredentials } from "../util/redact.ts";
import { isFullSha } from "../util/sha.ts";

/** What the git runner needs from the context. */
export type GitCtx = Pick<Ctx, "env" | "offline">;

export interface GitOptions {
  /** working directory (the repo) */
  cwd?: string;
  /**
   * The URL or path this command talks to. Required for commands that may use
   * the network (clone, fetch, ls-remote, ...): offline mode refuses them
   * unless the remote is local.
   */
  remote?: string;
  /** repo URL and ref shown in errors (default: remote, else cwd) */
  repo?: string;
  ref?: string;
  /** text written to git's stdin */
  input?: string;
  /** kill git after this long (network commands) */
  timeoutMs?: number;
  /** extra environment for this call */
  env?: Record<string, string>;
  /** extra settings for this call, each `KEY=VALUE` (git's `-c`) */
  config?: readonly string[];
}

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Subcommands that can reach a remote. (`git remote update|prune|show` can
 * too: plugstack never runs those; `remote add|set-url` are local.)
 */
const NETWORK_COMMANDS = new Set(["clone", "fetch", "ls-remote", "pull", "push", "archive", "fetch-pack"]);

/** Options put before every subcommand. */
export const GIT_SAFETY_CONFIG: readonly string[] = [
  "protocol.allow=never",
  "protocol.https.allow=always",
  "protocol.http.allow=always",
  "protocol.ssh.allow=always",
  "protocol.git.allow=always",
  "protocol.file.allow=always",
  "core.hooksPath=/dev/null",
  "core.fsmonitor=false",
  // checkouts under $DEST belong to DevStack's stack user when plugstack runs
  // as root; with hooks and fsmonitor off, reading them is safe
  "safe.directory=*",
  "submodule.recurse=false",
  "fetch.recurseSubmodules=false",
  "advice.detachedHead=false",
  "init.defaultBranch=master",
  // the housekeeping a fetch may start (`gc --auto`) runs before git exits,
  // not detached: nothing git starts outlives plugstack, and nothing writes
  // in a mirror once its lock is released (see clearKilledWrites in cache.ts)
  "gc.autoDetach=false",
  "maintenance.autoDetach=false",
].flatMap((kv) => ["-c", kv]);

/** Variables that would point git at another repo than the one we name. */
const REPO_SELECTING_VARS = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_COMMON_DIR",
  "GIT_NAMESPACE",
  "GIT_PREFIX",
  "GIT_CEILING_DIRECTORIES",
  "GIT_SSH",
];

/** The environment git runs with: the caller's, made non-interactive. */
export function gitEnv(env: GitCtx["env"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !REPO_SELECTING_VARS.includes(k)) out[k] = v;
  out.GIT_TERMINAL_PROMPT = "0";
  out.GCM_INTERACTIVE = "never";
  out.GIT_SSH_COMMAND = `${env.GIT_SSH_COMMAND || "ssh"} -o BatchMode=yes`;
  out.LC_ALL = "C";
  return out;
}

/**
 * True when `url` names something on this machine: a file:// URL or a path.
 * `host:path` (scp-like, a colon before any slash) is ssh.
 */
export function isLocalUrl(url: string): boolean {
  const f = splitUrl(url);
  return f.form === "path" || (f.form === "url" && f.transport === "file");
}

/** Throws before any network command when offline (local remotes are fine). */
function assertNetworkAllowed(ctx: GitCtx, what: string, remote: string, ref?: string): void {
  if (!ctx.offline || isLocalUrl(remote)) return;
  throw new FetchError(
    `offline: not allowed to ${what} ${remote}`,
    remote,
    ref,
    "this needs the network. Fill the cache on a connected machine (`plugstack fetch`, or `plugstack bundle create` there and `plugstack bundle import` here), or run without --offline/--frozen and OFFLINE=True",
  );
}

/** Readable form of a git command line for messages (without the safety -c options). */
export function renderGitCommand(args: readonly string[]): string {
  return ["git", ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : shellQuote(a))).join(" ");
}

/** One hint per cause of a failed git command, judged from git's stderr (first match wins). */
const HINTS: [RegExp, string][] = [
  [
    /could not read (Username|Password)|Authentication failed|terminal prompts disabled|returned error: 40[13]/i,
    "authentication: the remote asks for credentials and plugstack never prompts. Put a token in the URL (it is redacted everywhere), or configure a credential helper or ssh key",
  ],
  [
    /Host key verification failed|Permission denied \(publickey/i,
    "ssh authentication: ssh runs in batch mode; add the host key to known_hosts and load a key (ssh-agent) first",
  ],
  [
    /No space left on device|Disk quota exceeded/i,
    "the disk is full: free some space (or point --cache-dir or DEST at a larger file system), then run the command again",
  ],
  [
    /Could not resolve host|Name or service not known|Temporary failure in name resolution|nodename nor servname/i,
    "DNS: the host name does not resolve; check its spelling in the URL and this machine's DNS (or use --offline with a filled cache)",
  ],
  [
    /Connection refused|Failed to connect to|Couldn't connect to server/i,
    "connection refused: nothing answers at that host and port; check the URL's host and port, and that the server is up (or use --offline with a filled cache)",
  ],
  [
    /timed out|Operation too slow|Connection timed out/i,
    "timeout: the remote did not answer in time; retry, raise --timeout (fetch), or check the network and proxy",
  ],
  [
    /Network is unreachable|No route to host|unable to connect/i,
    "the network is unreachable from here; check the connection, or use --offline with a filled cache",
  ],
  [
    /returned error: 404|Repository not found|not found|does not appear to be a git repository/i,
    "not found: the server has no repository at that path; check the URL of enable_plugin in local.conf",
  ],
  [/transport '.*' not allowed/i, "only https, http, ssh, git and file transports are allowed"],
  [/dubious ownership/i, "the directory belongs to another user; run plugstack as that user, or fix the ownership"],
];

function hintFor(stderr: string): string | undefined {
  return HINTS.find(([re]) => re.test(stderr))?.[1];
}

/**
 * A credential helper that answers from the environment of this one git
 * command: credentials in a URL reach git only this way, never in its
 * arguments, so no repo's config (remote.origin.url) ever stores them.
 * It answers only for the host the URL named.
 */
const CREDENTIAL_HELPER =
  '!f() { test "$1" = get || exit 0; h=; while IFS= read -r l && test -n "$l"; do case $l in host=*) h=${l#host=};; esac; done; ' +
  'test "$h" = "$PLUGSTACK_GIT_CRED_HOST" || exit 0; printf "username=%s\\n" "$PLUGSTACK_GIT_CRED_USER"; ' +
  'test -z "${PLUGSTACK_GIT_CRED_PASS+x}" || printf "password=%s\\n" "$PLUGSTACK_GIT_CRED_PASS"; }; f';

interface Stripped {
  args: string[];
  config: string[];
  env: Record<string, string>;
}

/** Arguments with URL credentials taken out, and the helper set-up that hands them to git. */
function takeCredentials(args: readonly string[]): Stripped {
  const out: Stripped = { args: [], config: [], env: {} };
  for (const a of args) {
    const s = splitCredentials(a);
    out.args.push(s.url);
    if (s.username === undefined || out.config.length) continue;
    const host = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(s.url)?.[1] ?? "";
    out.config = ["-c", "credential.helper=", "-c", `credential.helper=${CREDENTIAL_HELPER}`];
    out.env = {
      PLUGSTACK_GIT_CRED_HOST: host,
      PLUGSTACK_GIT_CRED_USER: s.username,
      ...(s.password !== undefined ? { PLUGSTACK_GIT_CRED_PASS: s.password } : {}),
    };
  }
  return out;
}

/** Run git; returns the result whatever the exit status (offline refusal still throws). */
export async function tryGit(ctx: GitCtx, givenArgs: readonly string[], opts: GitOptions = {}): Promise<GitResult> {
  const execa = await loadExeca();
  const cred = takeCredentials(givenArgs);
  const args = cred.args;
  const sub = args[0] ?? "";
  if (sub.startsWith("-")) throw new Error(`internal: git arguments must start with the subcommand, not ${sub}`);
  if (NETWORK_COMMANDS.has(sub)) {
    if (opts.remote === undefined) throw new Error(`internal: git ${sub} run without naming its remote`);
    assertNetworkAllowed(ctx, sub, opts.remote, opts.ref);
  }
  // A network command runs in its own process group: git hands the transfer
  // to helpers (git-remote-http, ssh) that hold its pipes, so a timeout or a
  // signal must stop the whole group, not only git.
  const network = NETWORK_COMMANDS.has(sub);
  const config = (opts.config ?? []).flatMap((kv) => ["-c", kv]);
  const child = execa("git", [...GIT_SAFETY_CONFIG, ...cred.config, ...config, ...args], {
    cwd: opts.cwd,
    env: { ...gitEnv(ctx.env), ...opts.env, ...cred.env },
    extendEnv: false,
    reject: false,
    input: opts.input,
    stdin: opts.input === undefined ? "ignore" : undefined,
    stripFinalNewline: false,
    detached: network,
  });
  const pid = child.pid;
  const untrack = network && pid ? trackGroup(pid) : () => undefined;
  let timedOut = false;
  const stop = (signal: NodeJS.Signals) => {
    try {
      if (pid) process.kill(network ? -pid : pid, signal);
    } catch {
      // ended already
    }
  };
  let forceTimer: ReturnType<typeof setTimeout> | undefined;
  // SIGTERM first: git removes a half-made clone directory on it
  const timer =
    opts.timeoutMs && pid
      ? setTimeout(() => {
          timedOut = true;
          stop("SIGTERM");
          forceTimer = setTimeout(() => stop("SIGKILL"), 3000);
        }, opts.timeoutMs)
      : undefined;
  let r: Awaited<typeof child>;
  try {
    r = await child;
  } finally {
    clearTimeout(timer);
    clearTimeout(forceTimer);
    untrack();
  }
  if (timedOut) {
    const repo = opts.repo ?? opts.remote ?? opts.cwd ?? "";
    throw new FetchError(
      `${renderGitCommand(args)} timed out after ${Math.round((opts.timeoutMs ?? 0) / 1000)}s (${repo})`,
      repo,
      opts.ref,
      "the remote did not answer in time; retry later or check the network",
    );
  }
  if (r.exitCode === undefined && r.signal) {
    const repo = opts.repo ?? opts.remote ?? opts.cwd ?? "";
    throw new FetchError(`${renderGitCommand(args)} was stopped by ${r.signal} (${repo})`, repo, opts.ref, "git was interrupted; run the command again");
  }
  if (r.exitCode === undefined && r.failed) {
    throw new FetchError(`cannot run git: ${r.shortMessage ?? r.message}`, opts.repo ?? "", opts.ref, "install git and make sure it is on PATH");
  }
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout ?? ""), stderr: redact(String(r.stderr ?? "")) };
}

/** Run git; a non-zero exit raises FetchError with the command, the repo and git's stderr. Returns stdout without the final newline. */
export async function runGit(ctx: GitCtx, args: readonly string[], opts: GitOptions = {}): Promise<string> {
  const r = await tryGit(ctx, args, opts);
  if (r.exitCode !== 0) throw gitFailure(args.map(redact), opts, r);
  return r.stdout.replace(/\n$/, "");
}

/** The last `n` lines of `text`, saying how many came before (git can print hundreds, e.g. on a full disk). */
function lastLines(text: string, n: number): string {
  const lines = text.split("\n");
  if (lines.length <= n) return text;
  return [`(${lines.length - n} earlier lines of git's output left out)`, ...lines.slice(-n)].join("\n");
}

/** The error for a failed git command. */
function gitFailure(args: readonly string[], opts: GitOptions, r: GitResult): FetchError {
  const repo = opts.repo ?? opts.remote ?? opts.cwd ?? "";
  const where = opts.cwd ? ` in ${opts.cwd}` : "";
  const about = repo && repo !== opts.cwd ? ` (repo ${repo}${opts.ref ? `, ref ${opts.ref}` : ""})` : "";
  const stderr = lastLines(r.stderr.trim(), 12) || "(git printed nothing on stderr)";
  const e = new FetchError(`${renderGitCommand(args)} failed with exit status ${r.exitCode}${where}${about}:\n${stderr}`, repo, opts.ref, hintFor(r.stderr));
  e.gitMessage = stderr;
  return e;
}

/** True when git exits 0. */
export async function gitSucceeds(ctx: GitCtx, args: readonly string[], opts: GitOptions = {}): Promise<boolean> {
  return (await tryGit(ctx, args, opts)).exitCode === 0;
}

/** Abbreviation used in messages. */
export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 7) : "-";
}

/** A file under `dir/.git` without its final newline; "absent" when there is none, null when it cannot be read (a .git file, a directory, no permission, ...). */
function readGitFile(dir: string, name: string): string | "absent" | null {
  try {
    return readFileSync(join(dir, ".git", name), "utf8").replace(/\n$/, "");
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? "absent" : null;
  }
}

/** The object name `packed` (the text of a packed-refs file) gives for the ref `name`, as written there; null when it has none. */
export function packedRef(packed: string, name: string): string | null {
  for (const line of packed.split("\n")) {
    const space = line.indexOf(" ");
    if (space > 0 && line.slice(space + 1) === name) return line.slice(0, space);
  }
  return null;
}

/** A branch or other ref name HEAD may point at, as git would have written it. */
const REF_NAME = /^refs\/(?:[A-Za-z0-9_+@-][A-Za-z0-9._+@-]*\/)*[A-Za-z0-9_+@-][A-Za-z0-9._+@-]*$/;

/**
 * The commit HEAD names, read from the files git keeps (no git process): a
 * detached HEAD, or `ref: NAME` resolved through the loose ref and then
 * packed-refs. null when it cannot be sure: a `.git` file (worktrees,
 * submodules), a reftable repo, a symbolic ref pointing at another, an
 * unborn branch, a loose ref that exists but cannot be read, anything odd.
 * The caller asks git then.
 */
export function readHead(dir: string): string | null {
  const head = readGitFile(dir, "HEAD");
  if (head === null || head === "absent") return null;
  if (isFullSha(head)) return head;
  const ref = /^ref: (.*)$/.exec(head)?.[1];
  if (!ref || !REF_NAME.test(ref) || ref.endsWith(".lock") || ref.includes("..")) return null;
  if (existsSync(join(dir, ".git", "reftable"))) return null;
  const loose = readGitFile(dir, ref);
  if (loose !== "absent") return loose !== null && isFullSha(loose) ? loose : null;
  const packed = readGitFile(dir, "packed-refs");
  const sha = packed === null || packed === "absent" ? null : packedRef(packed, ref);
  return sha !== null && isFullSha(sha) ? sha : null;
}

/**
 * HEAD commit of a repo, or null when it has none (or is not a repo). A
 * detached HEAD (what plugstack's checkouts have) or a branch is read from
 * the files under .git (readHead), with no git process; anything else asks git.
 */
export async function headCommit(ctx: GitCtx, dir: string): Promise<string | null> {
  const known = readHead(dir);
  if (known) return known;
  const r = await tryGit(ctx, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { cwd: dir });
  const sha = r.stdout.trim();
  return r.exitCode === 0 && isFullSha(sha) ? sha : null;
}

/**
 * Remove the lock files a git killed mid-write leaves in the git directory
 * `gitDir` (`index.lock`, `HEAD.lock`, `packed-refs.lock`, a ref's
 * `refs/.../NAME.lock`; git refuses to write that file again while one is
 * there), and the other leftovers `alsoLeft` names. Only for a caller that
 * knows no live process is writing there.
 */
export function removeLeftLocks(gitDir: string, alsoLeft: (name: string) => boolean = () => false): void {
  const walk = (dir: string, recurse: boolean): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (recurse) walk(full, true);
      } else if (e.name.endsWith(".lock") || alsoLeft(e.name)) {
        try {
          rmSync(full, { force: true });
        } catch {
          // not ours to remove (another owner, a read-only file system): git will say so
        }
      }
    }
  };
  walk(gitDir, false);
  walk(join(gitDir, "refs"), true);
}

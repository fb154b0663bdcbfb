// Materialise one repo at a directory (usually $DEST/<name>) at a commit,
// from its cache mirror: a hardlinked clone, or a copying one across
// filesystems (no alternates, so it survives the cache), origin set to the real upstream, all tags, HEAD detached at the
// commit. Existing checkouts are reused, moved when clean, and never reset
// when dirty unless forced; nothing plugstack did not make is replaced
// without --force (and even then it is moved aside, not deleted). A move a
// killed run left half-done is finished by the next run (changingCheckout's
// mark), what it half-wrote saved in a stash.
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Ctx } from "../context.ts";
import { CheckoutError, FetchError } from "../errors.ts";
import { loadExeca } from "../util/execa-lazy.ts";
import { pidAlive, processStartTime } from "../util/processes.ts";
import { isFullSha } from "../util/sha.ts";
import { makeTempDir, sweepTempSiblings, tempSibling } from "../util/temp.ts";
import { hasCommit, type Mirror, pinCommit } from "./cache.ts";
import { type CleanStamp, currentStamp, sameStamp, stillClean } from "./clean-check.ts";
import { GIT_SAFETY_CONFIG, type GitCtx, gitEnv, headCommit, removeLeftLocks, runGit, shortSha, tryGit } from "./git.ts";

export type CheckoutCtx = GitCtx & Pick<Ctx, "log">;

/** What happened to the directory. */
export type CheckoutStatus =
  | "cloned" // made a new checkout
  | "reused" // already at the commit and clean (or the right symlink)
  | "moved" // clean checkout moved to the commit
  | "refreshed" // RECLONE: re-synced from the mirror, same commit
  | "kept-dirty" // local changes: left alone (HEAD may differ from the commit)
  | "forced" // local changes saved in a stash, then moved (--force)
  | "linked"; // symlink to a local plugin directory

export interface CheckoutResult {
  status: CheckoutStatus;
  dir: string;
  /** HEAD after the operation (null for a symlinked plain directory) */
  head: string | null;
  /** something the caller should tell the user */
  message?: string;
}

export interface CheckoutRequest {
  /** label for messages, e.g. the plugin name */
  name: string;
  dir: string;
  mirror: Mirror;
  /** origin URL of the checkout: the real upstream */
  upstreamUrl: string;
  commit: string;
  force?: boolean;
  reclone?: boolean;
  errorOnClone?: boolean;
  gitDepth?: number;
  /** `dir` had no local changes just now (cleanCheckouts): no second `git status` */
  knownClean?: boolean;
  /** `dir`'s HEAD as the caller read it just now (readHead): not read again */
  knownHead?: string;
}

type Existing = { kind: "missing" } | { kind: "git" } | { kind: "symlink"; target: string } | { kind: "directory"; entries: number } | { kind: "file" };

function inspect(dir: string): Existing {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(dir);
  } catch {
    return { kind: "missing" };
  }
  if (st.isSymbolicLink()) return { kind: "symlink", target: readlinkSync(dir) };
  if (!st.isDirectory()) return { kind: "file" };
  const entries = readdirSync(dir);
  if (entries.length === 0) return { kind: "missing" };
  return entries.includes(".git") ? { kind: "git" } : { kind: "directory", entries: entries.length };
}

function describe(e: Existing): string {
  switch (e.kind) {
    case "symlink":
      return `a symlink to ${e.target}`;
    case "directory":
      return `a directory with ${e.entries} entries that is not a git checkout`;
    case "file":
      return "a file";
    case "git":
      return "a git checkout with no commit";
    default:
      return "nothing";
  }
}

/** Refuse (or, with force, move aside) whatever is in the way at `dir`. Returns a note for the user. */
function clearTheWay(dir: string, what: Existing, name: string, force: boolean | undefined): string {
  if (!force) {
    throw new CheckoutError(
      `${name}: ${dir} is ${describe(what)}; plugstack did not make it and will not replace it`,
      `move it away (or remove it) yourself, or run with --force to have it moved aside to ${dir}.plugstack-backup-<time>`,
    );
  }
  if (what.kind === "symlink") {
    rmSync(dir);
    return `removed the symlink ${dir} -> ${what.target} (--force)`;
  }
  const aside = `${dir}.plugstack-backup-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  renameSync(dir, aside);
  return `moved ${describe(what)} from ${dir} to ${aside} (--force)`;
}

/** Paths with tracked changes (staged or not); untracked files do not count. */
async function localChanges(ctx: GitCtx, dir: string): Promise<string[]> {
  const out = await runGit(ctx, ["status", "--porcelain", "--untracked-files=no", "--ignore-submodules=all"], { cwd: dir });
  return out
    .split("\n")
    .filter(Boolean)
    .map((l) => l.slice(3));
}

/** The checkouts with no local changes, and the stamps (clean-check.ts) that let the next run tell so without git. */
export interface CleanAnswers {
  clean: Set<string>;
  stamps: Map<string, CleanStamp>;
}

/**
 * The checkouts among `dirs` with no local changes (the `git status` of
 * localChanges). With `stamps` (the caller keeps them for the next run),
 * one whose stamp from an earlier run still holds is answered here, with
 * no process (stillClean), and each checkout git finds clean gets a new
 * stamp. The others are asked of git by a few processes (one per parallel
 * fetch) that run one git per checkout. A checkout git cannot answer for
 * is left out (the caller asks again, one by one).
 */
export async function cleanCheckouts(
  ctx: GitCtx & { jobs?: number },
  dirs: readonly string[],
  stamps?: Readonly<Record<string, CleanStamp>>,
): Promise<CleanAnswers> {
  const out: CleanAnswers = { clean: new Set(), stamps: new Map() };
  if (!stamps) {
    out.clean = await askGit(ctx, dirs);
    return out;
  }
  const ask: string[] = [];
  for (const dir of dirs) {
    const stamp = stamps[dir];
    if (stamp && stillClean(dir, stamp)) {
      out.clean.add(dir);
      out.stamps.set(dir, stamp);
    } else ask.push(dir);
  }
  // git rewrites an index whose stat data it refreshed: its stamp is taken
  // by a second look, which then finds the index as it leaves it
  for (let round = 0; round < 2 && ask.length; round++) {
    const before = new Map(ask.map((dir) => [dir, currentStamp(dir)]));
    const clean = await askGit(ctx, ask);
    ask.length = 0;
    for (const dir of clean) {
      out.clean.add(dir);
      const was = before.get(dir);
      const now = currentStamp(dir);
      if (was && now && sameStamp(was, now)) out.stamps.set(dir, now);
      else if (now) ask.push(dir);
    }
  }
  return out;
}

/** git's answer for each of `dirs`: the clean ones. */
async function askGit(ctx: GitCtx & { jobs?: number }, dirs: readonly string[]): Promise<Set<string>> {
  // as many processes as parallel fetches, each asking about its share
  const jobs = Math.max(1, Math.min(ctx.jobs ?? 1, dirs.length));
  const size = Math.ceil(dirs.length / jobs);
  const shares = Array.from({ length: jobs }, (_, i) => dirs.slice(i * size, (i + 1) * size)).filter((s) => s.length);
  // git's answers go to a file per process (made here: no mktemp or rm per process);
  // without a temp folder nothing is answered here, and the caller asks one by one
  let tmp: ReturnType<typeof makeTempDir>;
  try {
    tmp = makeTempDir("status", ctx.env);
  } catch {
    return new Set();
  }
  try {
    const answers = await Promise.all(shares.map((share, i) => cleanShare(ctx, share, join(tmp.path, String(i)))));
    return new Set(answers.flatMap((a) => [...a]));
  } finally {
    tmp.remove();
  }
}

async function cleanShare(ctx: GitCtx, dirs: readonly string[], out: string): Promise<Set<string>> {
  const execa = await loadExeca();
  const script = [
    'out=$1; n=$2; shift 2; cfg=("${@:1:n}"); shift "$n"',
    // git's answer goes to a file: no subshell per checkout
    "for d; do",
    '    if ! git "${cfg[@]}" -C "$d" status --porcelain --untracked-files=no --ignore-submodules=all >"$out" 2>/dev/null; then printf "E\\0"',
    '    elif [[ -s $out ]]; then printf "D\\0"',
    '    else printf "C\\0"; fi',
    "done",
  ].join("\n");
  const r = await execa("bash", ["--noprofile", "--norc", "-c", script, "bash", out, String(GIT_SAFETY_CONFIG.length), ...GIT_SAFETY_CONFIG, ...dirs], {
    env: gitEnv(ctx.env),
    extendEnv: false,
    reject: false,
    stdin: "ignore",
  });
  const answers = r.exitCode === 0 ? r.stdout.split("\0") : [];
  return new Set(dirs.filter((_, i) => answers[i] === "C"));
}

/** A detached HEAD holding commits that neither upstream (the mirror) nor any local branch or tag has. */
async function strandedCommits(ctx: GitCtx, dir: string, mirror: Mirror, head: string): Promise<boolean> {
  if ((await tryGit(ctx, ["symbolic-ref", "--quiet", "HEAD"], { cwd: dir })).exitCode === 0) return false;
  if (await hasCommit(ctx, mirror, head)) return false;
  const r = await tryGit(ctx, ["for-each-ref", "--count=1", "--contains", head, "--format=%(refname)", "refs/heads", "refs/tags"], { cwd: dir });
  return r.exitCode === 0 && r.stdout.trim() === "";
}

function summarise(paths: string[]): string {
  const shown = paths.slice(0, 3).join(", ");
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown;
}

const FETCHED = "refs/plugstack/fetched";

/** Bring the commit (and tags, branches as origin/*) from the mirror into the repo at `dir`. */
async function fetchFromMirror(ctx: GitCtx, dir: string, req: CheckoutRequest, shallow: boolean): Promise<void> {
  const depth = shallow && req.gitDepth && req.gitDepth > 0 ? ["--depth", String(req.gitDepth)] : [];
  const refspecs = shallow ? [] : ["+refs/heads/*:refs/remotes/origin/*"];
  await runGit(
    ctx,
    [
      "fetch",
      "--quiet",
      "--force",
      ...(shallow ? [] : ["--tags"]),
      ...depth,
      "--",
      `file://${req.mirror.path}`,
      ...refspecs,
      `+refs/pins/${req.commit}:${FETCHED}`,
    ],
    { cwd: dir, remote: req.mirror.path, repo: req.upstreamUrl, ref: req.commit },
  );
}

/** Detach HEAD at the commit; `fetched`: fetchFromMirror ran, so its temporary ref goes too. */
async function detachAt(ctx: GitCtx, dir: string, req: CheckoutRequest, fetched: boolean, extra: string[] = []): Promise<void> {
  const r = await tryGit(ctx, ["checkout", "--quiet", ...extra, "--detach", req.commit, "--"], { cwd: dir });
  if (fetched) await tryGit(ctx, ["update-ref", "-d", FETCHED], { cwd: dir });
  if (r.exitCode !== 0) {
    throw new CheckoutError(
      `${req.name}: cannot move ${dir} to ${shortSha(req.commit)}:\n${r.stderr.trim()}`,
      /untracked working tree files/.test(r.stderr)
        ? "untracked files there would be overwritten; move them away, or use --force"
        : "fix the checkout by hand, or move it away and run again",
    );
  }
}

async function verifyHead(ctx: GitCtx, dir: string, req: CheckoutRequest): Promise<string> {
  const head = await headCommit(ctx, dir);
  if (head !== req.commit) {
    throw new CheckoutError(`${req.name}: ${dir} is at ${shortSha(head)} after checkout, expected ${req.commit}`, "report this as a bug");
  }
  return head;
}

async function cloneFresh(ctx: CheckoutCtx, req: CheckoutRequest): Promise<void> {
  mkdirSync(dirname(req.dir), { recursive: true, mode: 0o775 });
  sweepTempSiblings(req.dir);
  const tmp = tempSibling(req.dir);
  try {
    let fetched = false;
    let detached = false;
    if (req.gitDepth && req.gitDepth > 0) {
      await runGit(ctx, ["init", "--quiet", "--", tmp]);
      await runGit(ctx, ["remote", "add", "--", "origin", req.upstreamUrl], { cwd: tmp });
      await fetchFromMirror(ctx, tmp, req, true);
      fetched = true;
    } else {
      // A plain path, not --local: git hardlinks the mirror's objects when
      // the cache and DEST share a filesystem and copies them when they do
      // not (with --local it stops with "Invalid cross-device link"). Either
      // way the checkout owns its objects and survives deleting the cache.
      await runGit(ctx, ["clone", "--no-checkout", "--quiet", "--", req.mirror.path, tmp], { remote: req.mirror.path, repo: req.upstreamUrl });
      await runGit(ctx, ["remote", "set-url", "--", "origin", req.upstreamUrl], { cwd: tmp });
      // a clone from a path brings every object of the mirror, the commit
      // too; fetching it by its pin is for when it somehow did not
      if ((await tryGit(ctx, ["checkout", "--quiet", "--detach", req.commit, "--"], { cwd: tmp })).exitCode !== 0) {
        await fetchFromMirror(ctx, tmp, req, false);
        fetched = true;
      } else detached = true;
    }
    if (!detached) await detachAt(ctx, tmp, req, fetched);
    await verifyHead(ctx, tmp, req);
    renameSync(tmp, req.dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

async function saveChanges(ctx: GitCtx, dir: string, message: string, extra: string[] = []): Promise<string> {
  await runGit(ctx, ["stash", "push", "--quiet", "-m", message, ...extra], {
    cwd: dir,
    env: {
      GIT_AUTHOR_NAME: ctx.env.GIT_AUTHOR_NAME ?? "plugstack",
      GIT_AUTHOR_EMAIL: ctx.env.GIT_AUTHOR_EMAIL ?? "plugstack@localhost",
      GIT_COMMITTER_NAME: ctx.env.GIT_COMMITTER_NAME ?? "plugstack",
      GIT_COMMITTER_EMAIL: ctx.env.GIT_COMMITTER_EMAIL ?? "plugstack@localhost",
    },
  });
  return runGit(ctx, ["rev-parse", "--short", "refs/stash"], { cwd: dir });
}

/** Put `req.dir` at `req.commit` (see the module comment for the rules). */
export async function checkoutCommit(ctx: CheckoutCtx, req: CheckoutRequest): Promise<CheckoutResult> {
  if (!(await hasCommit(ctx, req.mirror, req.commit))) {
    throw new FetchError(
      `${req.name}: commit ${req.commit} is not in the cache mirror of ${req.upstreamUrl} (${req.mirror.path})`,
      req.upstreamUrl,
      req.commit,
    );
  }
  pinCommit(req.mirror, req.commit); // checkouts fetch it as refs/pins/<sha>; gc never loses it
  let what = inspect(req.dir);
  let note: string | undefined;
  const head = what.kind === "git" ? (req.knownHead ?? (await headCommit(ctx, req.dir))) : null;
  if (what.kind === "git" && head === null) what = { kind: "directory", entries: readdirSync(req.dir).length };

  if (what.kind !== "git") {
    if (what.kind !== "missing") note = clearTheWay(req.dir, what, req.name, req.force);
    else if (req.errorOnClone) {
      throw new CheckoutError(
        `${req.name}: ${req.dir} does not exist, and ERROR_ON_CLONE=True forbids cloning it`,
        "clone it there beforehand (in the gate: add the project to the job's required-projects), or set ERROR_ON_CLONE=False",
      );
    }
    await cloneFresh(ctx, req);
    return { status: "cloned", dir: req.dir, head: req.commit, message: note };
  }

  const killedMove = clearKilledChange(req.dir);
  const changes = req.knownClean ? [] : await localChanges(ctx, req.dir);
  // A run killed while moving this checkout to the same commit leaves the
  // files of the move written or half-written, all at paths the move
  // rewrites: tracked files changed, new files git had not recorded yet.
  // Those are saved in a stash (untracked ones too) and the move is
  // finished. A change anywhere else is the user's, kept as always.
  const left = killedMove === req.commit && head !== req.commit && !req.force ? await leftByMove(ctx, req.dir, req.commit) : null;
  if (changes.length && !req.force && !left) {
    const where = head === req.commit ? `at ${shortSha(head)}` : `at ${shortSha(head)}, not the wanted ${shortSha(req.commit)}`;
    return {
      status: "kept-dirty",
      dir: req.dir,
      head,
      message: `kept: local changes (${summarise(changes)}); ${req.dir} stays ${where}. Commit or stash them, or use --force to stash and move it`,
    };
  }
  if (!changes.length && head === req.commit && !req.reclone) return { status: "reused", dir: req.dir, head };
  if (head && head !== req.commit && !req.force && (await strandedCommits(ctx, req.dir, req.mirror, head))) {
    return {
      status: "kept-dirty",
      dir: req.dir,
      head,
      message: `kept: HEAD ${shortSha(head)} has local commits on no branch, which moving would strand. Create a branch for them (git branch NAME), or use --force`,
    };
  }

  const leftover = left?.length ? left : null;
  const stash = await changingCheckout(req.dir, req.commit, async () => {
    const saved = leftover
      ? await saveChanges(ctx, req.dir, `plugstack: what a killed run left half-moved in ${req.name}`, [
          "--include-untracked",
          "--",
          ...leftover.map((f) => `:(literal)${f}`),
        ])
      : changes.length
        ? await saveChanges(ctx, req.dir, `plugstack --force: local changes of ${req.name}`)
        : null;
    const shallow = (await runGit(ctx, ["rev-parse", "--is-shallow-repository"], { cwd: req.dir })) === "true";
    await fetchFromMirror(ctx, req.dir, req, shallow);
    await detachAt(ctx, req.dir, req, true, saved && !leftover ? ["--force"] : []);
    await verifyHead(ctx, req.dir, req);
    return saved;
  });
  if (stash) {
    const what = leftover ? `what a run killed while moving ${req.dir} left half-changed (${summarise(leftover)}) was` : "local changes were";
    return {
      status: "forced",
      dir: req.dir,
      head: req.commit,
      message: `${what} saved in stash ${stash} (git stash list), then ${req.dir} was moved to ${shortSha(req.commit)}`,
    };
  }
  const status = head === req.commit ? "refreshed" : "moved";
  return { status, dir: req.dir, head: req.commit, message: status === "moved" ? `moved ${shortSha(head)} -> ${shortSha(req.commit)}` : undefined };
}

/** In a checkout's .git while plugstack's git commands change it: "PID START COMMIT", the run doing so (its pid and start time) and the commit it moves to. */
const CHANGING_MARK = "plugstack-changing";

/**
 * Run `body`, which moves the existing checkout at `dir` to `commit` with git
 * (stash, fetch, checkout), with a mark in its .git naming this process and
 * the move. A run killed meanwhile leaves the mark, and the next run knows
 * the git lock files there, and changes in the files the move rewrites, are
 * that run's (clearKilledChange, leftByMove).
 */
async function changingCheckout<T>(dir: string, commit: string, body: () => Promise<T>): Promise<T> {
  const mark = join(dir, ".git", CHANGING_MARK);
  try {
    writeFileSync(mark, `${process.pid} ${processStartTime(process.pid) ?? "-"} ${commit}\n`);
  } catch {
    return body(); // .git is a file (a worktree) or not writable: no mark, as before
  }
  try {
    return await body();
  } finally {
    rmSync(mark, { force: true });
  }
}

/**
 * The git lock files of a run killed while it changed the checkout at `dir`
 * (its mark names a process that is gone), removed with the mark: git would
 * refuse every later checkout there (`index.lock: File exists`), and the
 * user's own commands too. Without such a mark a lock file is left alone:
 * it may be the user's git at work. Returns the commit that run was moving
 * the checkout to, when there was such a run. The run is known by its pid
 * and start time: a pid used again (containers start from 1) is another
 * process.
 */
function clearKilledChange(dir: string): string | null {
  const mark = join(dir, ".git", CHANGING_MARK);
  let fields: string[];
  try {
    fields = readFileSync(mark, "utf8").trim().split(" ");
  } catch {
    return null;
  }
  const [pidText = "", start = "-", commit = ""] = fields;
  const pid = Number.parseInt(pidText, 10);
  const alive = pid !== process.pid && pidAlive(pid) && (start === "-" || processStartTime(pid) === start);
  if (alive) return null;
  removeLeftLocks(join(dir, ".git"));
  rmSync(mark, { force: true });
  return commit;
}

/**
 * What a killed move to `target` left in the checkout at `dir`: the changed
 * tracked files and the untracked files, all at paths that moving from HEAD
 * to `target` rewrites; null when a tracked file elsewhere changed (the
 * user's work).
 */
async function leftByMove(ctx: GitCtx, dir: string, target: string): Promise<string[] | null> {
  if (!isFullSha(target)) return null;
  const moved = await tryGit(ctx, ["diff", "--no-renames", "--name-only", "-z", "HEAD", target, "--"], { cwd: dir });
  const status = await tryGit(ctx, ["status", "--porcelain", "-z", "--no-renames", "--untracked-files=all", "--ignore-submodules=all"], { cwd: dir });
  if (moved.exitCode !== 0 || status.exitCode !== 0) return null;
  const rewritten = new Set(moved.stdout.split("\0").filter(Boolean));
  const left: string[] = [];
  for (const entry of status.stdout.split("\0").filter(Boolean)) {
    const path = entry.slice(3);
    if (rewritten.has(path)) left.push(path);
    else if (!entry.startsWith("??")) return null;
  }
  return left;
}

/** Point `dir` at a local plugin directory (plugin development): a symlink, never a copy. */
export function linkDirectory(req: { name: string; dir: string; source: string; force?: boolean }): CheckoutResult {
  const source = resolve(req.source);
  const what = inspect(req.dir);
  if (what.kind === "symlink" && sameDir(req.dir, source)) return { status: "reused", dir: req.dir, head: null };
  const note = what.kind === "missing" ? undefined : clearTheWay(req.dir, what, req.name, req.force);
  if (what.kind === "missing") rmSync(req.dir, { recursive: true, force: true }); // an empty directory
  mkdirSync(dirname(req.dir), { recursive: true, mode: 0o775 });
  symlinkSync(source, req.dir);
  return { status: "linked", dir: req.dir, head: null, message: note };
}

function sameDir(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

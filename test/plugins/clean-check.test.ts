// The in-process "no tracked changes" check against git's own answer, on
// real repos: for each case, what `git status --porcelain
// --untracked-files=no --ignore-submodules=all` says is what cleanCheckouts
// answers, and the in-process check (stillClean) only ever answers "clean"
// where git does; where it cannot be sure it leaves the answer to git.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanCheckouts } from "../../src/plugins/checkout.ts";
import { type CleanStamp, currentStamp, stillClean } from "../../src/plugins/clean-check.ts";
import { readHead } from "../../src/plugins/git.ts";
import { git, makeRepo, nextSecond, tempDir } from "../helpers/git.ts";
import { testCtx } from "./ctx.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const FILES = {
  README: "hello\n",
  "lib/a.txt": "aaaa\n",
  "lib/deep/b.txt": "bbbb\n",
  "pkg/__init__.py": "",
  "run.sh": "#!/bin/sh\necho hi\n",
};

let n = 0;
/** A repo like a checkout: the files above, a tracked symlink, run.sh executable, HEAD detached. */
function checkout(opts: { objectFormat?: "sha256" } = {}): string {
  const dir = join(tmp.path, `case-${++n}`);
  if (opts.objectFormat) {
    mkdirSync(dir);
    git(dir, "init", "-q", "-b", "master", `--object-format=${opts.objectFormat}`);
    for (const [path, content] of Object.entries(FILES)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "first");
  } else makeRepo(dir, { files: FILES });
  chmodSync(join(dir, "run.sh"), 0o755);
  symlinkSync("README", join(dir, "link"));
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "exec bit and a symlink");
  git(dir, "checkout", "-q", "--detach");
  return dir;
}

const gitSaysClean = (dir: string) => git(dir, "status", "--porcelain", "--untracked-files=no", "--ignore-submodules=all") === "";

/** What git found clean gives a stamp (a second look when git rewrote the index). */
async function stampOf(dir: string): Promise<CleanStamp | undefined> {
  const answers = await cleanCheckouts(testCtx(tmp.path), [dir], {});
  expect(answers.clean.has(dir)).toBe(true);
  return answers.stamps.get(dir);
}

/** Rewrite `path` with other content of the same size. */
function sameSizeEdit(dir: string, path: string): void {
  const file = join(dir, path);
  const text = readFileSync(file, "utf8");
  writeFileSync(file, text.toUpperCase() === text ? text.toLowerCase() : text.toUpperCase());
}

interface Case {
  name: string;
  /** done before git's "clean" is stamped */
  prepare?: (dir: string) => void;
  /** done after */
  change?: (dir: string) => void;
  sha256?: boolean;
  /** stamp the index as it is, as if git had just found it clean (default: ask git) */
  stampAsIs?: boolean;
  /** the in-process check answers (true: "clean" with no git process; false: git answers) */
  inProcess: boolean;
  /** git's verdict (checked against git itself too) */
  clean: boolean;
}

const cases: Case[] = [
  { name: "untouched", inProcess: true, clean: true },
  { name: "an untracked file", change: (d) => writeFileSync(join(d, "lib", "new.pyc"), "x"), inProcess: true, clean: true },
  { name: "a tracked file edited, same size", change: (d) => sameSizeEdit(d, "lib/a.txt"), inProcess: false, clean: false },
  {
    name: "a tracked file edited, same size, its mtime put back",
    change: (d) => {
      const file = join(d, "lib/a.txt");
      const st = statSync(file);
      sameSizeEdit(d, "lib/a.txt");
      utimesSync(file, st.atime, st.mtime);
    },
    inProcess: false,
    clean: false,
  },
  {
    // the entry's mtime is not older than the index: git reads the content, so must this check
    name: "a racily clean entry, then a same-size edit in the same tick",
    prepare: (d) => {
      const file = join(d, "lib/a.txt");
      const future = new Date(Date.now() + 60_000);
      utimesSync(file, future, future);
      git(d, "update-index", "--refresh");
      sameSizeEdit(d, "lib/a.txt");
      utimesSync(file, future, future);
    },
    stampAsIs: true,
    inProcess: false,
    clean: false,
  },
  {
    name: "touched only (stat changed, content the same)",
    change: (d) => {
      const later = new Date(Date.now() + 5_000);
      utimesSync(join(d, "lib/a.txt"), later, later);
    },
    inProcess: false,
    clean: true,
  },
  {
    name: "a staged change, the worktree put back",
    change: (d) => {
      writeFileSync(join(d, "README"), "staged\n");
      git(d, "add", "README");
      writeFileSync(join(d, "README"), FILES.README);
    },
    inProcess: false,
    clean: false,
  },
  {
    name: "a staged change matching the worktree",
    change: (d) => {
      writeFileSync(join(d, "README"), "staged\n");
      git(d, "add", "README");
    },
    inProcess: false,
    clean: false,
  },
  { name: "a deleted file", change: (d) => unlinkSync(join(d, "lib/deep/b.txt")), inProcess: false, clean: false },
  { name: "chmod +x", change: (d) => chmodSync(join(d, "README"), 0o755), inProcess: false, clean: false },
  { name: "chmod -x", change: (d) => chmodSync(join(d, "run.sh"), 0o644), inProcess: false, clean: false },
  {
    name: "a file replaced by a symlink to the same content",
    change: (d) => {
      writeFileSync(join(d, "copy"), FILES["lib/a.txt"]);
      unlinkSync(join(d, "lib/a.txt"));
      symlinkSync("../copy", join(d, "lib/a.txt"));
    },
    inProcess: false,
    clean: false,
  },
  {
    name: "a tracked symlink replaced by a file",
    change: (d) => {
      unlinkSync(join(d, "link"));
      writeFileSync(join(d, "link"), "README");
    },
    inProcess: false,
    clean: false,
  },
  {
    name: "a directory moved behind a symlink to it",
    change: (d) => {
      renameSync(join(d, "lib"), join(d, "lib2"));
      symlinkSync("lib2", join(d, "lib"));
    },
    inProcess: false,
    clean: false,
  },
  { name: "an empty tracked file emptied again", change: (d) => writeFileSync(join(d, "pkg/__init__.py"), ""), inProcess: false, clean: true },
  { name: "index version 4", prepare: (d) => git(d, "update-index", "--index-version", "4"), inProcess: true, clean: true },
  {
    name: "index version 4, an edit",
    prepare: (d) => git(d, "update-index", "--index-version", "4"),
    change: (d) => sameSizeEdit(d, "lib/deep/b.txt"),
    inProcess: false,
    clean: false,
  },
  { name: "a split index", prepare: (d) => git(d, "update-index", "--split-index"), inProcess: false, clean: true },
  {
    name: "a split index, an edit",
    prepare: (d) => git(d, "update-index", "--split-index"),
    change: (d) => sameSizeEdit(d, "README"),
    inProcess: false,
    clean: false,
  },
  {
    name: "skip-worktree, the file edited",
    prepare: (d) => git(d, "update-index", "--skip-worktree", "lib/a.txt"),
    change: (d) => sameSizeEdit(d, "lib/a.txt"),
    inProcess: false,
    clean: true,
  },
  {
    name: "assume-unchanged, the file edited",
    prepare: (d) => git(d, "update-index", "--assume-unchanged", "lib/a.txt"),
    change: (d) => sameSizeEdit(d, "lib/a.txt"),
    inProcess: false,
    clean: true,
  },
  {
    name: "intent-to-add",
    change: (d) => {
      writeFileSync(join(d, "later.txt"), "later\n");
      git(d, "add", "--intent-to-add", "later.txt");
    },
    inProcess: false,
    clean: false,
  },
  {
    name: "a gitlink (submodule) whose directory is missing",
    prepare: (d) => {
      git(d, "update-index", "--add", "--cacheinfo", `160000,${git(d, "rev-parse", "HEAD")},sub`);
      git(d, "commit", "-q", "-m", "a gitlink");
      git(d, "checkout", "-q", "--detach");
    },
    inProcess: true,
    clean: true,
  },
  {
    name: "HEAD moved by git checkout of another clean commit",
    change: (d) => git(d, "checkout", "-q", "--detach", "HEAD~1"),
    inProcess: false,
    clean: true,
  },
  {
    name: "on a branch whose ref is packed",
    prepare: (d) => {
      git(d, "checkout", "-q", "-B", "work");
      git(d, "pack-refs", "--all");
    },
    inProcess: true,
    clean: true,
  },
  {
    name: "a replace ref changes HEAD's tree",
    change: (d) => git(d, "replace", git(d, "rev-parse", "HEAD"), git(d, "rev-parse", "HEAD~1")),
    inProcess: false,
    clean: false,
  },
  { name: "a SHA-256 repository", sha256: true, inProcess: true, clean: true },
  { name: "a SHA-256 repository, an edit", sha256: true, change: (d) => sameSizeEdit(d, "lib/a.txt"), inProcess: false, clean: false },
];

describe("the in-process clean check against git status", () => {
  const dirs = new Map<Case, string>();
  let cloned: string;
  beforeAll(async () => {
    for (const c of cases) {
      const dir = checkout(c.sha256 ? { objectFormat: "sha256" } : {});
      c.prepare?.(dir);
      dirs.set(c, dir);
    }
    const src = checkout();
    cloned = join(tmp.path, `case-${++n}`);
    git(tmp.path, "clone", "-q", "--no-checkout", src, cloned);
    git(cloned, "checkout", "-q", "--detach", git(src, "rev-parse", "HEAD"));
    await nextSecond();
  }, 120_000);

  for (const c of cases) {
    test(c.name, async () => {
      const dir = dirs.get(c)!;
      const stamp = c.stampAsIs ? currentStamp(dir) : await stampOf(dir);
      if (!stamp) throw new Error(`no stamp: git found ${dir} clean but its index kept changing`);
      c.change?.(dir);
      // in this order: git status may rewrite the index
      const inProcess = stillClean(dir, stamp);
      const clean = gitSaysClean(dir);
      expect(clean).toBe(c.clean);
      expect(inProcess).toBe(c.inProcess);
      const answered = await cleanCheckouts(testCtx(tmp.path), [dir], { [dir]: stamp });
      expect(answered.clean.has(dir)).toBe(clean);
    });
  }

  test("a fresh clone: stamped by the first run that asks git (a second look when git rewrote the index), then no git", async () => {
    const dir = cloned;
    const first = await cleanCheckouts(testCtx(tmp.path), [dir], {});
    const stamp = first.stamps.get(dir);
    expect(stamp).toBeDefined();
    expect(stillClean(dir, stamp!)).toBe(true);
    const again = await cleanCheckouts(testCtx(tmp.path), [dir], { [dir]: stamp! });
    expect(again.clean.has(dir)).toBe(true);
    expect(again.stamps.get(dir)).toEqual(stamp);
  });

  test("a worktree (a .git file): no stamp, git answers", async () => {
    const main = checkout();
    const wt = join(tmp.path, `case-${++n}`);
    git(main, "worktree", "add", "-q", "--detach", wt);
    expect(currentStamp(wt)).toBeNull();
    const clean = await cleanCheckouts(testCtx(tmp.path), [wt], {});
    expect(clean.clean.has(wt)).toBe(true);
    expect(clean.stamps.has(wt)).toBe(false);
    sameSizeEdit(wt, "README");
    expect((await cleanCheckouts(testCtx(tmp.path), [wt], {})).clean.has(wt)).toBe(false);
  });
});

describe("readHead", () => {
  const rows: { name: string; make: (dir: string) => void; git: boolean }[] = [
    { name: "detached", make: () => undefined, git: true },
    { name: "a branch, loose ref", make: (d) => git(d, "checkout", "-q", "-B", "topic"), git: true },
    {
      name: "a branch, packed ref",
      make: (d) => {
        git(d, "checkout", "-q", "-B", "topic");
        git(d, "pack-refs", "--all");
      },
      git: true,
    },
    {
      name: "a branch, both packed and loose (the loose one wins)",
      make: (d) => {
        git(d, "checkout", "-q", "-B", "topic");
        git(d, "pack-refs", "--all");
        git(d, "update-ref", "refs/heads/topic", "HEAD~1");
      },
      git: true,
    },
    {
      name: "a loose ref there but unreadable (here a directory): unknown, not the packed one",
      make: (d) => {
        git(d, "checkout", "-q", "-B", "topic");
        git(d, "pack-refs", "--all");
        mkdirSync(join(d, ".git", "refs", "heads", "topic"));
      },
      git: false,
    },
    { name: "an unborn branch", make: (d) => git(d, "checkout", "-q", "--orphan", "fresh"), git: false },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const dir = checkout();
      row.make(dir);
      const expected = row.git ? git(dir, "rev-parse", "HEAD") : null;
      expect(readHead(dir)).toBe(expected);
    });
  }

  test("a .git file (worktree) or no repository: unknown", () => {
    const main = checkout();
    const wt = join(tmp.path, `case-${++n}`);
    git(main, "worktree", "add", "-q", "--detach", wt);
    expect(readHead(wt)).toBeNull();
    const plain = join(tmp.path, `case-${++n}`);
    mkdirSync(plain);
    expect(readHead(plain)).toBeNull();
    rmSync(plain, { recursive: true });
  });
});

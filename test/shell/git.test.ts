// git.sh: git_clone without plugstack (plain git, DevStack semantics)
// against real local repos; git_clone under plugstack calls back into it;
// GITREPO/GITDIR/GITBRANCH are global and survive re-sourcing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addCommit, fixtureEnv, git, headOf, makeRepo, type Repo } from "../helpers/git.ts";
import { makeSandbox, q, runLib } from "./helpers.ts";

const sb = makeSandbox();
afterAll(() => sb.cleanup());

let repo: Repo;
let changeSha: string;
beforeAll(() => {
  repo = makeRepo(join(sb.root, "upstream"), { commits: 3, tags: { "1.0.0": 0 } });
  git(repo.dir, "branch", "stable/2024.1", repo.commits[1]!);
  // a gerrit-style change ref, not on any branch
  git(repo.dir, "switch", "-q", "-c", "review");
  changeSha = addCommit(repo.dir, { message: "proposed change" });
  git(repo.dir, "update-ref", "refs/changes/01/1/1", changeSha);
  git(repo.dir, "switch", "-q", "master");
  git(repo.dir, "branch", "-D", "review");
});

const env = (extra: Record<string, string> = {}) => ({
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: fixtureEnv.GIT_AUTHOR_NAME!,
  GIT_AUTHOR_EMAIL: fixtureEnv.GIT_AUTHOR_EMAIL!,
  GIT_COMMITTER_NAME: fixtureEnv.GIT_COMMITTER_NAME!,
  GIT_COMMITTER_EMAIL: fixtureEnv.GIT_COMMITTER_EMAIL!,
  ...extra,
});
let n = 0;
const fresh = () => join(sb.root, `clone-${++n}`);

describe("git_clone with plain git", () => {
  const rows: [ref: string, want: () => string][] = [
    ["master", () => repo.commits[2]!],
    ["", () => repo.commits[2]!],
    ["stable/2024.1", () => repo.commits[1]!],
    ["1.0.0", () => repo.commits[0]!],
    ["<sha>", () => repo.commits[1]!],
    ["refs/changes/01/1/1", () => changeSha],
  ];
  test.each(rows)("ref %p", (ref, want) => {
    const dest = fresh();
    const r = runLib(sb, `cd /\ngit_clone ${q(repo.url)} ${q(dest)} ${q(ref === "<sha>" ? repo.commits[1]! : ref)}\necho "cwd=$PWD"`, { env: env() });
    expect(r.code).toBe(0);
    expect(headOf(dest)).toBe(want());
    // prints the commit, and leaves the caller's directory alone
    expect(r.stdout).toContain(want().slice(0, 7));
    expect(r.stdout).toEndWith("cwd=/\n");
  });

  test("an existing checkout is left alone unless RECLONE", () => {
    const dest = fresh();
    runLib(sb, `git_clone ${q(repo.url)} ${q(dest)} stable/2024.1`, { env: env() });
    git(repo.dir, "branch", "-f", "stable/2024.1", repo.commits[2]!);
    const kept = runLib(sb, `git_clone ${q(repo.url)} ${q(dest)} stable/2024.1`, { env: env() });
    expect(kept.code).toBe(0);
    expect(headOf(dest)).toBe(repo.commits[1]!);
    for (const spelling of ["yes", "True"]) {
      const moved = runLib(sb, `RECLONE=${spelling}\ngit_clone ${q(repo.url)} ${q(dest)} stable/2024.1\necho "RECLONE=$RECLONE"`, { env: env() });
      expect(moved.code).toBe(0);
      expect(moved.stdout).toContain("RECLONE=True");
      expect(headOf(dest)).toBe(repo.commits[2]!);
    }
    git(repo.dir, "branch", "-f", "stable/2024.1", repo.commits[1]!);
  });

  test("RECLONE onto a tag", () => {
    const dest = fresh();
    runLib(sb, `git_clone ${q(repo.url)} ${q(dest)} master`, { env: env() });
    const r = runLib(sb, `RECLONE=True git_clone ${q(repo.url)} ${q(dest)} 1.0.0`, { env: env() });
    expect(r.code).toBe(0);
    expect(headOf(dest)).toBe(repo.commits[0]!);
  });

  test("ERROR_ON_CLONE=True: a missing checkout dies, an existing one is fine", () => {
    const dest = fresh();
    const r = runLib(sb, `ERROR_ON_CLONE=True\ngit_clone ${q(repo.url)} ${q(dest)} master`, { env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`The ${dest} project was not found`);
    expect(r.stderr).toContain("Cloning not allowed in this configuration");
    expect(existsSync(dest)).toBe(false);
    runLib(sb, `git_clone ${q(repo.url)} ${q(dest)} master`, { env: env() });
    const ok = runLib(sb, `ERROR_ON_CLONE=True\ngit_clone ${q(repo.url)} ${q(dest)} master`, { env: env() });
    expect(ok.code).toBe(0);
  });

  test("OFFLINE=True: shows what is there, never clones", () => {
    const dest = fresh();
    const missing = runLib(sb, `OFFLINE=True\ngit_clone ${q(repo.url)} ${q(dest)} master`, { env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("OFFLINE=True forbids cloning");
    runLib(sb, `git_clone ${q(repo.url)} ${q(dest)} 1.0.0`, { env: env() });
    const there = runLib(sb, `OFFLINE=True\nRECLONE=True\ngit_clone ${q(repo.url)} ${q(dest)} master`, { env: env() });
    expect(there.code).toBe(0);
    expect(there.stdout).toContain("Running in offline mode, clones already exist");
    expect(headOf(dest)).toBe(repo.commits[0]!);
  });

  test("GIT_DEPTH makes a shallow clone", () => {
    const dest = fresh();
    const r = runLib(sb, `GIT_DEPTH=1\ngit_clone ${q(repo.url)} ${q(dest)} master`, { env: env() });
    expect(r.code).toBe(0);
    expect(git(dest, "rev-parse", "--is-shallow-repository")).toBe("true");
    expect(git(dest, "rev-list", "--count", "HEAD")).toBe("1");
  });

  test("without git installed the error names git, the function and the plugin", () => {
    // every command of /usr/bin and /bin except git
    const noGit = join(sb.root, "no-git-bin");
    mkdirSync(noGit, { recursive: true });
    for (const dir of ["/usr/bin", "/bin"]) {
      for (const name of readdirSync(dir)) {
        if (name === "git" || existsSync(join(noGit, name))) continue;
        symlinkSync(join(dir, name), join(noGit, name));
      }
    }
    const r = runLib(sb, `PLUGSTACK_PLUGIN=myplugin\ngit_clone ${q(repo.url)} ${q(fresh())} master`, { env: env({ PATH: noGit }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("'git' is not installed: git_clone needs it (plugin 'myplugin' asked for it)");
  });

  test("an unknown ref fails the clone (git_timed dies naming the git call)", () => {
    const r = runLib(sb, `git_clone ${q(repo.url)} ${q(fresh())} no-such-branch`, { env: env() });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("git call failed: [git clone");
  });
});

describe("git_clone_by_name and the GIT* arrays", () => {
  test("a plugin sets GITREPO/GITDIR/GITBRANCH; re-sourcing the library keeps them", () => {
    const dest = fresh();
    const r = runLib(
      sb,
      [
        "plugin_settings() {",
        `  GITREPO[mylib]=${q(repo.url)}`,
        `  GITDIR[mylib]=${q(dest)}`,
        "  GITBRANCH[mylib]=1.0.0",
        "}",
        "plugin_settings",
        `source ${q(join(sb.top, "functions"))}`,
        `source ${q(join(sb.top, "plugstack/git.sh"))}`,
        'echo "${GITBRANCH[mylib]}"',
        "git_clone_by_name mylib",
      ].join("\n"),
      { env: env() },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("1.0.0\n");
    expect(headOf(dest)).toBe(repo.commits[0]!);
  });

  test("a name without GITREPO dies naming it", () => {
    const r = runLib(sb, "git_clone_by_name nothing");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("GITREPO[nothing] is not set");
  });
});

describe("git_clone under plugstack", () => {
  test("calls `plugstack internal repo-clone` with url, dir, ref, plugin and the clone settings", () => {
    const self = join(sb.root, "fake-plugstack");
    const record = join(sb.root, "self.calls");
    writeFileSync(
      self,
      `#!/bin/bash\nprintf '%s\\n' "$*" "RECLONE=$RECLONE ERROR_ON_CLONE=$ERROR_ON_CLONE OFFLINE=$OFFLINE GIT_DEPTH=$GIT_DEPTH" >>${q(record)}\necho "${"a".repeat(40)}"\n`,
    );
    chmodSync(self, 0o755);
    const r = runLib(
      sb,
      [
        `PLUGSTACK_SELF=(${q(self)} --from-test)`,
        "PLUGSTACK_PLUGIN=myplugin",
        "RECLONE=yes; ERROR_ON_CLONE=1; GIT_DEPTH=5",
        "cd /tmp",
        "git_clone https://opendev.org/openstack/oslo.config relative/dir stable/2024.1",
        "GITREPO[x]=https://example.org/x; GITDIR[x]=/opt/x; GITBRANCH[x]=",
        "git_clone_by_name x",
      ].join("\n"),
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${"a".repeat(40)}\n${"a".repeat(40)}\n`);
    expect(readFileSync(record, "utf8")).toBe(
      [
        "--from-test internal repo-clone --url https://opendev.org/openstack/oslo.config --dir /tmp/relative/dir --ref stable/2024.1 --plugin myplugin",
        "RECLONE=True ERROR_ON_CLONE=True OFFLINE=False GIT_DEPTH=5",
        "--from-test internal repo-clone --url https://example.org/x --dir /opt/x --ref  --plugin myplugin",
        "RECLONE=True ERROR_ON_CLONE=True OFFLINE=False GIT_DEPTH=5",
        "",
      ].join("\n"),
    );
  });

  test("a failing callback fails git_clone", () => {
    const r = runLib(sb, "PLUGSTACK_SELF=(false)\ngit_clone https://x/y /tmp/y master && echo ok || echo failed");
    expect(r.stdout).toBe("failed\n");
  });
});

describe("get_release_name_from_branch", () => {
  test("stable/ and proposed/ branches name a release, others are master", () => {
    const r = runLib(sb, "for b in stable/2024.1 proposed/zed master feature/x; do get_release_name_from_branch $b; done");
    expect(r.stdout).toBe("2024.1\nzed\nmaster\nmaster\n");
  });
});

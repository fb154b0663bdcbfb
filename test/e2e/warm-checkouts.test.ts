// A warm re-stack tells its checkouts are clean without git: through the
// compiled binary, every git process is logged by a wrapper on PATH. Once
// git has found a checkout clean, the next runs start no git for it while
// its HEAD, its index and its files' stat data are unchanged; anything else
// asks git again, and a checkout with local changes is kept and named as
// before (see src/plugins/clean-check.ts).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, makeRepo, nextSecond, tempDir } from "../helpers/git.ts";
import { gitCallRecorder, plugstack } from "./harness.ts";

let work: ReturnType<typeof tempDir>;
let conf: string;
let git_: ReturnType<typeof gitCallRecorder>;
let dest: string;

beforeAll(async () => {
  work = tempDir("plugstack-warm-checkouts-");
  dest = join(work.path, "dest");
  const urls = ["one", "two"].map((name) => {
    const files = { "devstack/settings": `enable_service ${name}\n# note\n`, "devstack/plugin.sh": `if is_service_enabled ${name}; then :; fi\n` };
    return `enable_plugin ${name} ${makeRepo(join(work.path, "served", name), { files }).url}`;
  });
  conf = join(work.path, "local.conf");
  writeFileSync(conf, `[[local|localrc]]\nDEST=${dest}\nPLUGSTACK_HOST_SETUP=False\n${urls.join("\n")}\n`);
  git_ = gitCallRecorder(work.path);
  expect((await stack()).changed).toBe(true);
  await nextSecond();
  await stack();
}, 120_000);
afterAll(() => work.cleanup());

interface Run {
  output: string;
  changed: boolean;
  /** the git commands the run started, "<cwd> | <args>" */
  gitCalls: string[];
}

async function stack(): Promise<Run> {
  git_.take();
  const r = await plugstack(["stack", "--json", "-c", conf, "--cache-dir", join(work.path, "cache")], { cwd: work.path, env: git_.env });
  expect(r.code, r.stderr).toBe(0);
  const envelope = JSON.parse(r.stdout) as { result: { changed: boolean } };
  return { output: `${r.stdout}\n${r.stderr}`, changed: envelope.result.changed, gitCalls: git_.take() };
}

const settings = (name: string) => join(dest, name, "devstack", "settings");

test("once git found the checkouts clean, a warm stack starts no git process", async () => {
  const warm = await stack();
  expect(warm.gitCalls).toEqual([]);
  expect(warm.changed).toBe(false);
  expect((await stack()).gitCalls).toEqual([]);
});

test("a touched file (stat changed, content the same): git is asked about that checkout only, it stays reused, then no git again", async () => {
  const earlier = new Date(Date.now() - 10_000);
  utimesSync(settings("one"), earlier, earlier);
  const touched = await stack();
  expect(touched.gitCalls.length).toBeGreaterThan(0);
  for (const c of touched.gitCalls) expect(c).toContain(` -C ${join(dest, "one")} status `);
  expect(touched.changed).toBe(false);
  expect((await stack()).gitCalls).toEqual([]);
});

test("a same-size edit of a stamped checkout is found and kept, as before", async () => {
  const before = readFileSync(settings("two"), "utf8");
  const edited = before.replace("# note", "# NOTE");
  writeFileSync(settings("two"), edited);
  try {
    const r = await stack();
    expect(r.output).toContain("two: kept: local changes (devstack/settings)");
    expect(readFileSync(settings("two"), "utf8")).toBe(edited);
  } finally {
    writeFileSync(settings("two"), before);
  }
  expect((await stack()).output).not.toContain("kept: local changes");
});

test("a staged change with the worktree put back is found and kept", async () => {
  const before = readFileSync(settings("one"), "utf8");
  writeFileSync(settings("one"), "ONE_STAGED=1\n");
  git(join(dest, "one"), "add", "devstack/settings");
  writeFileSync(settings("one"), before);
  try {
    const r = await stack();
    expect(r.output).toContain("one: kept: local changes (devstack/settings)");
  } finally {
    git(join(dest, "one"), "reset", "-q");
  }
  await nextSecond();
  await stack();
  expect((await stack()).gitCalls).toEqual([]);
});

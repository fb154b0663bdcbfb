// `stack --json` says whether the run changed what is stacked, so the
// Ansible role can report changed=0 for a repeat run.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addCommit, makeRepo, tempDir } from "../helpers/git.ts";
import { plugstack } from "./harness.ts";

let work: ReturnType<typeof tempDir>;
let conf: string;
let repoDir: string;

beforeAll(() => {
  work = tempDir("plugstack-changed-");
  repoDir = join(work.path, "served", "one");
  const repo = makeRepo(repoDir, { files: { "devstack/plugin.sh": 'echo "one $*" >> "$DEST/calls"\n' } });
  conf = join(work.path, "local.conf");
  writeFileSync(conf, `[[local|localrc]]\nDEST=${join(work.path, "dest")}\nenable_plugin one ${repo.url}\n`);
});
afterAll(() => work.cleanup());

async function stackChanged(...extra: string[]): Promise<boolean> {
  const r = await plugstack(["stack", "--json", "-q", "-c", conf, "--cache-dir", join(work.path, "cache"), ...extra], { cwd: work.path });
  expect(r.code, r.stderr).toBe(0);
  const envelope = JSON.parse(r.stdout) as { ok: boolean; result: { changed: boolean } };
  expect(envelope.ok).toBe(true);
  return envelope.result.changed;
}

test("a first stack changed things, a repeat did not, though its hooks ran again", async () => {
  expect(await stackChanged()).toBe(true);
  expect(await stackChanged()).toBe(false);
  const calls = await Bun.file(join(work.path, "dest", "calls")).text();
  expect(calls.split("\n").filter((l) => l === "one stack install")).toHaveLength(2);
});

test("a changed local.conf, a moved commit and a stack after unstack each count as a change", async () => {
  appendFileSync(conf, "MY_SETTING=1\n");
  expect(await stackChanged()).toBe(true);
  expect(await stackChanged("--locked")).toBe(false);
  addCommit(repoDir, { files: { "devstack/settings": "ONE=2\n" } });
  const lock = await plugstack(["lock", "--update", "-q", "-c", conf, "--cache-dir", join(work.path, "cache")], { cwd: work.path });
  expect(lock.code, lock.stderr).toBe(0);
  expect(await stackChanged("--locked")).toBe(true);
  const un = await plugstack(["unstack", "-q", "-c", conf], { cwd: work.path });
  expect(un.code, un.stderr).toBe(0);
  expect(await stackChanged()).toBe(true);
  expect(await stackChanged()).toBe(false);
});

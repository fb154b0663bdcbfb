// DevStack's PYTHON3_VERSION in the stack shell, through the compiled binary
// with real bash: the run script starts stackrc's `python3 -c` version call
// before the library loads, and stackrc takes that answer only while PWD,
// PATH and PYENV_VERSION are unchanged. The python3 here is a fixture
// executable that prints a version no real python has and logs each call, so
// the test sees which python3 answered, and how often it was asked.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, type Repo, tempDir } from "../helpers/git.ts";
import { plugstack } from "./harness.ts";

let work: ReturnType<typeof tempDir>;
let repo: Repo;
let calls: string;

/** A python3 that answers the version call with VERSION and logs its arguments. */
function fakePython(dir: string, version: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "python3");
  writeFileSync(path, `#!/bin/sh\nprintf '%s %s\\n' '${version}' "$*" >> '${calls}'\nprintf '%s\\n' '${version}'\n`);
  chmodSync(path, 0o755);
  return dir;
}

beforeAll(() => {
  work = tempDir("plugstack-python3-version-");
  calls = join(work.path, "python3-calls");
  repo = makeRepo(join(work.path, "served", "probe"), {
    files: {
      "devstack/settings": "enable_service probe\n",
      "devstack/plugin.sh":
        'if [[ $1 == stack && $2 == install ]]; then echo "$PYTHON3_VERSION|$_DEFAULT_PYTHON3_VERSION|${PYTHON##*/}" > "$DEST/python3-seen"; fi\n',
    },
  });
  fakePython(join(work.path, "bin-a"), "7.41");
  fakePython(join(work.path, "bin-b"), "8.52");
});
afterAll(() => work.cleanup());

async function stackWith(localrc: string[]): Promise<{ seen: string; calls: string[] }> {
  writeFileSync(calls, "");
  const dest = join(work.path, "dest");
  const conf = join(work.path, "local.conf");
  writeFileSync(conf, ["[[local|localrc]]", `DEST=${dest}`, ...localrc, `enable_plugin probe ${repo.url}`, ""].join("\n"));
  const r = await plugstack(["stack", "-q", "-c", conf, "--cache-dir", join(work.path, "cache")], {
    cwd: work.path,
    env: { PATH: `${join(work.path, "bin-a")}:${process.env.PATH ?? "/usr/bin:/bin"}` },
  });
  expect(r.code, r.stderr).toBe(0);
  return { seen: readFileSync(join(dest, "python3-seen"), "utf8").trim(), calls: readFileSync(calls, "utf8").split("\n").filter(Boolean) };
}

test("PYTHON3_VERSION is python3's answer, asked once per run", async () => {
  const run = await stackWith([]);
  expect(run.seen).toBe("7.41|7.41|python3");
  expect(run.calls.filter((c) => c.includes("sys.version_info"))).toEqual([`7.41 -c import sys; print("%s.%s" % sys.version_info[0:2])`]);
});

test("a localrc that puts another python3 first on PATH gets that python3's version", async () => {
  const run = await stackWith([`PATH=${join(work.path, "bin-b")}:$PATH`]);
  expect(run.seen).toBe("8.52|8.52|python3");
  // the early call (bin-a) was not taken; the one stackrc made after localrc was
  expect(run.calls.filter((c) => c.includes("sys.version_info")).map((c) => c.split(" ")[0])).toEqual(["7.41", "8.52"]);
});

test("a localrc PYTHON3_VERSION still wins over the default", async () => {
  const run = await stackWith(["PYTHON3_VERSION=3.99"]);
  expect(run.seen).toBe("3.99|7.41|python3");
});

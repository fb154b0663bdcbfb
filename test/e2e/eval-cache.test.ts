// localrc is evaluated once per run when it is declarative: through the
// compiled binary with real bash, an unchanged re-stack reuses the kept
// evaluation (config/eval-cache.ts) instead of starting the throwaway bash.
// Which bash processes started is seen through BASH_ENV: every
// non-interactive bash sources it first, and this one logs its $0, so the
// evaluation's driver.sh shows up each time it runs (and only then).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, type Repo, tempDir } from "../helpers/git.ts";
import { plugstack } from "./harness.ts";

let work: ReturnType<typeof tempDir>;
let repo: Repo;
let starts: string;
let bashEnv: string;
const CACHED = "localrc: cached evaluation (unchanged since";

beforeAll(() => {
  work = tempDir("plugstack-eval-cache-");
  starts = join(work.path, "bash-starts");
  bashEnv = join(work.path, "bash-env.sh");
  writeFileSync(bashEnv, `printf '%s\\n' "$0" >> '${starts}'\n`);
  repo = makeRepo(join(work.path, "served", "probe"), {
    files: {
      "devstack/settings": "enable_service probe\n",
      "devstack/plugin.sh": 'if [[ $1 == stack && $2 == install ]]; then echo "${NOTE-}" > "$DEST/note-seen"; fi\n',
    },
  });
});
afterAll(() => work.cleanup());

/** One `stack -v` with these localrc lines; how many localrc evaluations (driver.sh bashes) it started. */
async function stack(localrc: string[], env: Record<string, string> = {}): Promise<{ stderr: string; evaluations: number; cached: boolean }> {
  writeFileSync(starts, "");
  const dest = join(work.path, "dest");
  const conf = join(work.path, "local.conf");
  writeFileSync(conf, ["[[local|localrc]]", `DEST=${dest}`, ...localrc, "enable_plugin probe $PROBE_URL", ""].join("\n"));
  const r = await plugstack(["stack", "-v", "-c", conf, "--cache-dir", join(work.path, "cache")], {
    cwd: work.path,
    env: { BASH_ENV: bashEnv, PROBE_URL: repo.url, ...env },
  });
  expect(r.code, r.stderr).toBe(0);
  const evaluations = readFileSync(starts, "utf8")
    .split("\n")
    .filter((l) => l.endsWith("/driver.sh")).length;
  return { stderr: r.stderr, evaluations, cached: r.stderr.includes(CACHED) };
}

test("an unchanged re-stack reuses the evaluation: no throwaway bash, and -v says so", async () => {
  const first = await stack(["NOTE=first"]);
  expect(first).toMatchObject({ evaluations: 1, cached: false });
  const again = await stack(["NOTE=first"]);
  expect(again).toMatchObject({ evaluations: 0, cached: true });
  // the stack shell still sources localrc itself
  expect(readFileSync(join(work.path, "dest", "note-seen"), "utf8").trim()).toBe("first");
});

test("a change to the localrc text misses", async () => {
  await stack(["NOTE=text"]);
  expect(await stack(["NOTE=text"])).toMatchObject({ evaluations: 0, cached: true });
  expect(await stack(["NOTE=text", "# a new comment"])).toMatchObject({ evaluations: 1, cached: false });
});

test("a change to an environment variable localrc expands misses", async () => {
  await stack(["NOTE=$MARK"], { MARK: "one" });
  expect(await stack(["NOTE=$MARK"], { MARK: "one" })).toMatchObject({ evaluations: 0, cached: true });
  expect(await stack(["NOTE=$MARK"], { MARK: "two" })).toMatchObject({ evaluations: 1, cached: false });
  expect(readFileSync(join(work.path, "dest", "note-seen"), "utf8").trim()).toBe("two");
});

test("a localrc running a command is never cached: it runs once in each evaluation, every run", async () => {
  const log = join(work.path, "ran");
  writeFileSync(log, "");
  const localrc = [`NOTE=$(echo evaluated >> ${log})`];
  expect(await stack(localrc)).toMatchObject({ evaluations: 1, cached: false });
  const second = await stack(localrc);
  expect(second).toMatchObject({ evaluations: 1, cached: false });
  expect(second.stderr).toContain("localrc: evaluated in bash (not cached: an expansion other than");
  // two runs, each with the throwaway evaluation and the stack shell
  expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toHaveLength(4);
});

test("a variable the library computes is never cached", async () => {
  // not in the environment: the library's HOST_IP detection would fill it in
  await stack(["NOTE=$HOST_IP"]);
  const second = await stack(["NOTE=$HOST_IP"]);
  expect(second).toMatchObject({ evaluations: 1, cached: false });
  expect(second.stderr).toContain("not cached: $HOST_IP, neither assigned before nor set in the environment");
  // in the environment, but the library sets its own (TOP_DIR is plugstack's tree under DEST)
  await stack(["NOTE=$TOP_DIR"], { TOP_DIR: "/from/the/environment" });
  const top = await stack(["NOTE=$TOP_DIR"], { TOP_DIR: "/from/the/environment" });
  expect(top).toMatchObject({ evaluations: 1, cached: false });
  expect(top.stderr).toContain("not cached: the library sets TOP_DIR, which localrc expands");
});

test("a name left out of the key is never taken from the environment", async () => {
  const env = { HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET: "xx" };
  await stack(["NOTE=$HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET"], env);
  const second = await stack(["NOTE=$HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET"], env);
  expect(second).toMatchObject({ evaluations: 1, cached: false });
  expect(second.stderr).toContain("not cached: $HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET, neither assigned before nor set in the environment");
});

test("a corrupt cache entry is a miss, and is replaced", async () => {
  await stack(["NOTE=corrupt"]);
  expect(await stack(["NOTE=corrupt"])).toMatchObject({ evaluations: 0, cached: true });
  const dir = join(work.path, "cache", "eval");
  for (const f of readdirSync(dir)) writeFileSync(join(dir, f), '{"key": "truncated');
  expect(await stack(["NOTE=corrupt"])).toMatchObject({ evaluations: 1, cached: false });
  expect(await stack(["NOTE=corrupt"])).toMatchObject({ evaluations: 0, cached: true });
});

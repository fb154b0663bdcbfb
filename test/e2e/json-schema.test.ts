// One JSON contract: every command's --json output validates against
// schema/plugstack-1.schema.json, on success and on failure. The commands
// are read from the binary's own help, so a new command without cases here
// fails the last test until it gets some.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { makeRepo, tempDir } from "../helpers/git.ts";
import { plugstack, ROOT } from "./harness.ts";

const schema = JSON.parse(readFileSync(join(ROOT, "schema", "plugstack-1.schema.json"), "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false }).compile(schema);

let work: ReturnType<typeof tempDir>;
let conf: string;
const env = () => ({ PLUGSTACK_CACHE: join(work.path, "cache") });

beforeAll(() => {
  work = tempDir("plugstack-schema-");
  const alpha = makeRepo(join(work.path, "repos", "alpha"), {
    files: {
      "devstack/plugin.sh": 'if [[ "$1" == stack && "$2" == install ]]; then echo_summary "alpha installs"; fi\n',
      "devstack/settings": "define_plugin alpha\n",
    },
  });
  conf = join(work.path, "local.conf");
  writeFileSync(conf, `[[local|localrc]]\nDEST=${join(work.path, "dest")}\nenable_plugin alpha ${alpha.url}\n`);
  writeFileSync(join(work.path, "bindep.txt"), "bash\n");
  writeFileSync(join(work.path, "missing-bindep.txt"), "plugstack-no-such-package-anywhere\n");
  writeFileSync(join(work.path, "broken.conf"), "[[local|localrc]]\nenable_plugn alpha x\n");
  writeFileSync(join(work.path, "refused.conf"), `[[local|localrc]]\nDEST=${join(work.path, "dest-r")}\nenable_plugin alpha http://127.0.0.1:9/alpha.git\n`);
  mkdirSync(join(work.path, "notempty"), { recursive: true });
  writeFileSync(join(work.path, "notempty", "x"), "");
  writeFileSync(join(work.path, "afile"), "");
  writeFileSync(join(work.path, "vars.json"), JSON.stringify({ devstack_localrc: { ADMIN_PASSWORD: "secret" }, devstack_plugins: { alpha: alpha.url } }));
  writeFileSync(join(work.path, "bad-vars.json"), JSON.stringify({ devstack_localrc: ["A=1"] }));
});
afterAll(() => work.cleanup());

type Case = [title: string, args: string[], expectOk: boolean];

/** In run order: later cases use what earlier ones made (the lock, the cache, a stack, a bundle). */
const CASES: Record<string, Case[]> = {
  version: [["success", ["version"], true]],
  "new plugin": [
    ["success", ["new", "plugin", "demo", "demo"], true],
    ["failure: the directory is not empty", ["new", "plugin", "demo", "notempty"], false],
  ],
  check: [
    ["success", ["check", "demo"], true],
    ["failure: findings", ["check", "repos/alpha", "--name", "other"], false],
  ],
  search: [
    ["success", ["search", "heat"], true],
    ["failure: no match", ["search", "no-such-plugin-anywhere"], false],
  ],
  lock: [
    ["success", ["lock", "-c", "local.conf"], true],
    ["failure: connection refused", ["lock", "-c", "refused.conf"], false],
  ],
  fetch: [
    ["success", ["fetch", "-c", "local.conf"], true],
    ["success: --dry-run", ["fetch", "-c", "local.conf", "--dry-run"], true],
    ["failure: bad config", ["fetch", "-c", "broken.conf"], false],
  ],
  plan: [
    ["success", ["plan", "-c", "local.conf"], true],
    ["failure: bad config", ["plan", "-c", "broken.conf"], false],
  ],
  stack: [
    ["success: --dry-run", ["stack", "-c", "local.conf", "--dry-run"], true],
    ["success", ["stack", "-c", "local.conf"], true],
    ["failure: bad config", ["stack", "-c", "broken.conf"], false],
  ],
  status: [
    ["success", ["status", "-c", "local.conf"], true],
    ["failure: bad config", ["status", "-c", "broken.conf"], false],
  ],
  verify: [
    ["success", ["verify", "-c", "local.conf"], true],
    ["failure: missing config", ["verify", "-c", "nope.conf"], false],
  ],
  "bundle create": [
    ["success", ["bundle", "create", "stack.bundle", "-c", "local.conf"], true],
    ["success: --dry-run", ["bundle", "create", "other.bundle", "-c", "local.conf", "--dry-run"], true],
    ["failure: offline and uncached", ["bundle", "create", "x.bundle", "-c", "refused.conf", "--offline"], false],
  ],
  "bundle import": [
    ["success", ["bundle", "import", "stack.bundle", "-c", "local.conf"], true],
    ["failure: no such file", ["bundle", "import", "nope.bundle", "-c", "local.conf"], false],
  ],
  unstack: [
    ["success", ["unstack", "-c", "local.conf"], true],
    ["failure: bad config", ["unstack", "-c", "broken.conf"], false],
  ],
  clean: [
    ["success", ["clean", "-c", "local.conf"], true],
    ["failure: bad config", ["clean", "-c", "broken.conf"], false],
  ],
  "lib export": [
    ["success", ["lib", "export", "lib-out"], true],
    ["failure: the target is a file", ["lib", "export", "afile"], false],
  ],
  "conf render": [
    ["success", ["conf", "render", "vars.json"], true],
    ["failure: devstack_localrc is a list", ["conf", "render", "bad-vars.json"], false],
  ],
  bindep: [
    ["success", ["bindep", "-f", "bindep.txt"], true],
    ["failure: a package is missing", ["bindep", "-f", "missing-bindep.txt"], false],
    ["failure: no such file", ["bindep", "-f", "nope.txt"], false],
  ],
  add: [
    ["success", ["add", "beta", "REPO", "-c", "add.conf"], true],
    ["failure: unknown name without URL", ["add", "no-such-plugin-anywhere", "-c", "add.conf"], false],
  ],
};

/** Commands that print no JSON (their output is for a shell or a person). */
const NO_JSON = new Set(["help", "completion"]);

function check(out: string, command: string, ok: boolean): void {
  let envelope: unknown;
  try {
    envelope = JSON.parse(out);
  } catch {
    throw new Error(`${command}: stdout is not one JSON document:\n${out}`);
  }
  const valid = validate(envelope);
  if (!valid) throw new Error(`${command}: does not match the schema:\n${JSON.stringify(validate.errors, null, 2)}\n${out}`);
  expect(envelope).toMatchObject({ schema: "plugstack/1", command, ok });
}

describe("every command's --json validates against schema/plugstack-1.schema.json", () => {
  for (const [command, cases] of Object.entries(CASES)) {
    for (const [title, given, ok] of cases) {
      test(`${command}: ${title}`, async () => {
        let args = given;
        if (command === "add") {
          const beta = makeRepo(join(work.path, "repos", `beta-${title.length}`), { files: { "devstack/settings": "define_plugin beta\n" } });
          args = args.map((a) => (a === "REPO" ? beta.url : a));
        }
        const r = await plugstack([...args, "--json"], { cwd: work.path, env: env() });
        check(r.stdout, command, ok);
        expect(r.code === 0).toBe(ok);
      }, 60_000);
    }
  }

  test("a usage error of every command is a valid envelope too", async () => {
    for (const command of Object.keys(CASES)) {
      const r = await plugstack([...command.split(" "), "--json", "--no-such-flag"], { cwd: work.path, env: env() });
      expect(r.code).toBe(2);
      check(r.stdout, command, false);
    }
  }, 60_000);

  test("the cases cover every command the binary has", async () => {
    const help = (await plugstack(["--help"], { cwd: work.path })).stdout;
    const top = [...help.slice(help.indexOf("COMMANDS")).matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!);
    const all: string[] = [];
    for (const c of top) {
      const sub = (await plugstack(["help", c], { cwd: work.path })).stdout;
      const subs = sub.includes("COMMANDS") ? [...sub.slice(sub.indexOf("COMMANDS")).matchAll(/^ {2}([a-z]+) /gm)].map((m) => `${c} ${m[1]}`) : [c];
      all.push(...subs);
    }
    expect(all.length).toBeGreaterThan(15);
    for (const c of all) if (!NO_JSON.has(c)) expect(Object.keys(CASES)).toContain(c);
  });

  test("the schema rejects what it must: float ms, a missing field, a wrong ok", () => {
    const good = {
      schema: "plugstack/1",
      command: "lock",
      ok: true,
      exitCode: 0,
      result: { config: "c", lockPath: "l", written: false, lockChanges: [], notes: {}, vanished: [] },
      errors: [],
      warnings: [],
    };
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, result: { ...good.result, nested: [{ totalMs: 1.5 }] } })).toBe(false);
    expect(validate({ ...good, ok: false })).toBe(false);
    const { warnings: _, ...missing } = good;
    expect(validate(missing)).toBe(false);
  });
});

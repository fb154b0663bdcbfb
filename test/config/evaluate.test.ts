import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { evaluateLocalrc } from "../../src/config/evaluate.ts";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError, PlugstackError } from "../../src/errors.ts";
import { type TempDir, tempDir } from "../helpers/git.ts";

let tmp: TempDir;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/nonexistent" };

// A small prelude in the spirit of the real library: defaults, helpers, and
// an enable_plugin of its own that the recorder must replace.
const PRELUDE = `
DEST=/opt/stack
GIT_BASE=\${GIT_BASE:-https://opendev.org}
function enable_plugin { echo "library enable_plugin must not run" >&2; exit 42; }
function is_service_enabled { [[ ,\${ENABLED_SERVICES}, == *,$1,* ]]; }
`;

let counter = 0;
async function evaluate(localConf: string, opts: { env?: Record<string, string>; prelude?: string; localrc?: string } = {}) {
  const dir = join(tmp.path, `c${counter++}`);
  mkdirSync(dir);
  const path = join(dir, "local.conf");
  writeFileSync(path, localConf);
  if (opts.localrc !== undefined) writeFileSync(join(dir, "localrc"), opts.localrc);
  const e = { ...env, ...opts.env };
  const loaded = await loadConfig({ configPath: path, env: e });
  const result = await evaluateLocalrc(loaded, { prelude: opts.prelude ?? PRELUDE, env: e, cwd: dir, timeoutMs: 20_000 });
  return { path, dir, result };
}

async function failure(localConf: string, opts: Parameters<typeof evaluate>[1] = {}) {
  const dir = join(tmp.path, `c${counter}`);
  const err = await evaluate(localConf, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { err: err as PlugstackError | undefined, path: join(dir, "local.conf") };
}

describe("evaluateLocalrc", () => {
  test("plain enable_plugin lines, order, ref default, file:line", async () => {
    const { path, result } = await evaluate(`[[local|localrc]]
enable_plugin heat https://opendev.org/openstack/heat
enable_plugin ironic https://opendev.org/openstack/ironic stable/2024.1
`);
    expect(result.plugins).toEqual([
      { name: "heat", url: "https://opendev.org/openstack/heat", ref: "master", refGiven: false, order: 0, file: path, line: 2 },
      { name: "ironic", url: "https://opendev.org/openstack/ironic", ref: "stable/2024.1", refGiven: true, order: 1, file: path, line: 3 },
    ]);
    expect(result.vars.DEST).toBe("/opt/stack");
  });

  test("variables, conditionals, loops and functions in enable_plugin arguments", async () => {
    const { path, result } = await evaluate(`# comment before the block
[[local|localrc]]
DEST=/srv/stack
ENABLED_SERVICES=key,n-api
BRANCH=stable/zed
if is_service_enabled n-api; then
    enable_plugin placement \${GIT_BASE}/openstack/placement $BRANCH
fi
if [[ "$USE_CEPH" == "True" ]]; then
    enable_plugin devstack-plugin-ceph $GIT_BASE/openstack/devstack-plugin-ceph
fi
for p in aodh panko; do
  enable_plugin "$p" "$GIT_BASE/openstack/$p"
done
function add_two { enable_plugin "$1" "/src/$1" "\${2:-}"; }
add_two local-one
OFFLINE=True
RECLONE=yes
GIT_DEPTH=1

[[post-config|$NOVA_CONF]]
[DEFAULT]
x = 1
`);
    expect(result.plugins.map((p) => [p.name, p.url, p.ref, p.line])).toEqual([
      ["placement", "https://opendev.org/openstack/placement", "stable/zed", 7],
      ["aodh", "https://opendev.org/openstack/aodh", "master", 13],
      ["panko", "https://opendev.org/openstack/panko", "master", 13],
      ["local-one", "/src/local-one", "master", 15],
    ]);
    expect(result.plugins.every((p) => p.file === path)).toBe(true);
    expect(result.plugins.map((p) => p.order)).toEqual([0, 1, 2, 3]);
    expect(result.plugins[3]!.refGiven).toBe(false);
    expect(result.vars).toEqual({ DEST: "/srv/stack", ENABLED_SERVICES: "key,n-api", OFFLINE: "True", RECLONE: "yes", GIT_DEPTH: "1" });
  });

  test("values with spaces, newlines and glob characters come back unchanged", async () => {
    const { result } = await evaluate(`[[local|localrc]]
DEST="/srv/my stack"
STACK_USER=$'fake\\nsecond line'
enable_plugin odd "./dir with space/*" 'feature/x'
`);
    expect(result.vars.DEST).toBe("/srv/my stack");
    expect(result.vars.STACK_USER).toBe("fake\nsecond line");
    expect(result.plugins[0]).toMatchObject({ name: "odd", url: "./dir with space/*", ref: "feature/x", refGiven: true });
  });

  test("localrc sees the environment and is_plugin_enabled works", async () => {
    const { result } = await evaluate(
      `[[local|localrc]]
enable_plugin base $BASE_URL
if is_plugin_enabled base; then enable_plugin dependent /src/dependent; fi
is_plugin_enabled nothere && enable_plugin never /never
`,
      { env: { BASE_URL: "file:///srv/base" } },
    );
    expect(result.plugins.map((p) => `${p.name}=${p.url}`)).toEqual(["base=file:///srv/base", "dependent=/src/dependent"]);
  });

  test("DEVSTACK_LOCAL_CONFIG lines are evaluated and named by origin", async () => {
    const { result } = await evaluate("[[local|localrc]]\nenable_plugin a /a\n", {
      env: { DEVSTACK_LOCAL_CONFIG: "X=1\nenable_plugin gate /gate" },
    });
    expect(result.plugins.map((p) => [p.name, p.file, p.line])).toEqual([
      ["a", expect.stringContaining("local.conf"), 2],
      ["gate", "DEVSTACK_LOCAL_CONFIG", 2],
    ]);
  });

  test("a plain localrc file is evaluated instead of the block", async () => {
    const { dir, result } = await evaluate("[[local|localrc]]\nenable_plugin fromblock /b\n", { localrc: "\nenable_plugin fromfile /f\n" });
    expect(result.plugins.map((p) => [p.name, p.file, p.line])).toEqual([["fromfile", join(dir, "localrc"), 2]]);
  });

  test("runtime errors in localrc do not stop it (no errexit), output is kept", async () => {
    const { result } = await evaluate(`[[local|localrc]]
false
ls /no/such/path/here
echo "hello from localrc"
enable_plugin after /after
`);
    expect(result.plugins.map((p) => p.name)).toEqual(["after"]);
    expect(result.output).toContain("hello from localrc");
    expect(result.output).toContain("/no/such/path/here");
  });

  test("errexit and an ERR trap from the prelude do not apply to localrc", async () => {
    const { result } = await evaluate("[[local|localrc]]\nfalse\nenable_plugin still /still\n", {
      prelude: "set -o errexit -o nounset -o errtrace\ntrap 'exit 7' ERR\ntrap 'echo bye' EXIT\n",
    });
    expect(result.plugins.map((p) => p.name)).toEqual(["still"]);
    expect(result.output).not.toContain("bye");
  });

  test("unset variables are omitted; no localrc at all gives no plugins", async () => {
    const { result } = await evaluate("[[post-config|/x]]\n[s]\nk=v\n", { prelude: "true\n" });
    expect(result.plugins).toEqual([]);
    expect(result.vars).toEqual({});
  });
});

describe("evaluateLocalrc errors", () => {
  const cases: [string, string, number | undefined, string][] = [
    ["enable_plugin twice", "[[local|localrc]]\nenable_plugin heat /h\nX=1\nenable_plugin heat /h2\n", 4, "enabled twice: first at {path}:2"],
    ["invalid name", "[[local|localrc]]\n\nenable_plugin ../evil https://x/y\n", 3, "invalid plugin name"],
    ["invalid name from a variable", "[[local|localrc]]\nN='bad name'\nenable_plugin \"$N\" /x\n", 3, "invalid plugin name"],
    ["ext:: transport", "[[local|localrc]]\nenable_plugin p 'ext::sh -c id'\n", 2, "invalid URL for plugin p"],
    ["leading dash url", "[[local|localrc]]\nenable_plugin p --upload-pack=x\n", 2, "starts with"],
    ["ftp url", "[[local|localrc]]\nenable_plugin p ftp://host/repo\n", 2, "ftp"],
    ["bad ref", "[[local|localrc]]\nenable_plugin p /p 'a..b'\n", 2, "invalid ref"],
    ["missing url", "[[local|localrc]]\nenable_plugin lonely $UNSET_URL\n", 2, "needs a NAME and a URL"],
    ["syntax error", "[[local|localrc]]\nA=1\nif true; then\n  B=2\nfi fi\n", 5, "bash cannot parse"],
    ["unexpected end of file", "[[local|localrc]]\nA=1\nif true; then\n", 3, "unexpected end of file"],
    ["exit in localrc", "[[local|localrc]]\nenable_plugin a /a\nexit 3\n", 3, "status 3"],
    [
      "a command not found",
      "[[local|localrc]]\nA=1\nenable_plugn a /a\n",
      3,
      "enable_plugn: command not found while evaluating localrc; did you mean enable_plugin?",
    ],
  ];
  for (const [label, conf, line, fragment] of cases)
    test(label, async () => {
      const { err, path } = await failure(conf);
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.exitCode).toBe(2);
      expect(e.file).toBe(path);
      expect(e.line).toBe(line);
      expect(e.message).toStartWith(`${path}:${line}: `);
      expect(e.message).toContain(fragment.replace("{path}", path));
      expect(e.hint).toBeString();
    });

  test("a syntax error in DEVSTACK_LOCAL_CONFIG is named by that origin", async () => {
    const { err } = await failure("[[local|localrc]]\nA=1\n", { env: { DEVSTACK_LOCAL_CONFIG: "B=2\nfi" } });
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).file).toBe("DEVSTACK_LOCAL_CONFIG");
    expect((err as ConfigError).line).toBe(2);
  });

  const preludes: [string, string][] = [
    ["prelude exits", "echo broken library; exit 1\n"],
    ["prelude syntax error", "function x {\n"],
    ["prelude fails last command", "false\n"],
  ];
  for (const [label, prelude] of preludes)
    test(label, async () => {
      const { err } = await failure("[[local|localrc]]\nenable_plugin a /a\n", { prelude });
      expect(err).toBeInstanceOf(PlugstackError);
      expect(err).not.toBeInstanceOf(ConfigError);
      expect(err!.message).toContain("internal error");
      expect(err!.hint).toContain("bug in plugstack");
    });

  test("a localrc that waits forever is stopped", async () => {
    const dir = join(tmp.path, "slow");
    mkdirSync(dir);
    writeFileSync(join(dir, "local.conf"), "[[local|localrc]]\nsleep 30\n");
    const loaded = await loadConfig({ configPath: join(dir, "local.conf"), env });
    const started = Date.now();
    const err = await evaluateLocalrc(loaded, { prelude: "", env, cwd: dir, timeoutMs: 500 }).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("took longer");
  });
});

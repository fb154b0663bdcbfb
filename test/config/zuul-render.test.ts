// local.conf from DevStack's Zuul variables: plugstack's rendering against
// DevStack's own write-devstack-local-conf module, run from the DevStack
// fixture bundle on the same variables.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderZuulVarsFile } from "../../src/config/zuul.ts";
import { parseZuulVars, renderZuulLocalConf } from "../../src/config/zuul-render.ts";
import { ConfigError } from "../../src/errors.ts";
import { git, makeRepo, type TempDir, tempDir } from "../helpers/git.ts";

const ROOT = resolve(import.meta.dir, "..", "..");
const BUNDLE = process.env.PLUGSTACK_DEVSTACK_BUNDLE ?? resolve(ROOT, "../shared/fixtures/devstack.bundle");
const MODULE = "roles/write-devstack-local-conf/library";

/** Runs DevStack's module: LocalConf(...) on the vars, written to a file, under a PYTHONHASHSEED. */
const DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
import devstack_local_conf as m
v = json.load(open(sys.argv[2]))
lc = m.LocalConf(v.get("devstack_localrc"), v.get("devstack_local_conf"), v.get("devstack_base_services"),
                 v.get("devstack_services"), v.get("devstack_plugins"), v.get("devstack_base_dir"), None, None, None)
lc.write(sys.argv[3])
`;

const python = Bun.which("python3");
const noDevstack = !python
  ? "python3 is not installed (DevStack's role module runs in it)"
  : !existsSync(BUNDLE)
    ? `DevStack's fixture bundle is not at ${BUNDLE} (set PLUGSTACK_DEVSTACK_BUNDLE)`
    : "";
if (noDevstack) console.log(`[skip] conf render against DevStack's write-devstack-local-conf: ${noDevstack}`);
let tmp: TempDir;
let devstack = "";

beforeAll(() => {
  tmp = tempDir("plugstack-zuul-");
  if (noDevstack) return;
  devstack = join(tmp.path, "devstack");
  git(tmp.path, "clone", "-q", "-b", "master", BUNDLE, devstack);
  writeFileSync(join(tmp.path, "driver.py"), DRIVER);
});
afterAll(() => tmp.cleanup());

/** Every text DevStack's module writes for the vars over several hash seeds (it walks Python sets). */
function devstackOutputs(varsFile: string): Set<string> {
  const outs = new Set<string>();
  for (let seed = 0; seed < 8; seed++) {
    const out = join(tmp.path, `out-${seed}.conf`);
    const r = Bun.spawnSync([python!, join(tmp.path, "driver.py"), join(devstack, MODULE), varsFile, out], {
      env: { ...process.env, PYTHONHASHSEED: String(seed) },
      stderr: "pipe",
    });
    if (r.exitCode !== 0) throw new Error(`DevStack's module failed: ${r.stderr.toString()}`);
    outs.add(require("node:fs").readFileSync(out, "utf8"));
  }
  return outs;
}

/** A plugin repo under `baseDir` whose settings define NAME and require OTHERS. */
function pluginRepo(baseDir: string, name: string, requires: string[]): void {
  const settings = [`define_plugin ${name}`, ...requires.map((r) => `plugin_requires ${name} ${r}`), ""].join("\n");
  mkdirSync(baseDir, { recursive: true });
  makeRepo(join(baseDir, name), { files: { "devstack/settings": settings } });
}

const CASES: { name: string; vars: Record<string, unknown>; plugins?: Record<string, string[]> }[] = [
  {
    name: "a multinode controller: base services, services, localrc using other values, plugins, local_conf",
    vars: {
      devstack_base_services: ["key", "mysql", "rabbit"],
      devstack_services: { base: true, "ps-api": true, "ps-agent": false, tempest: false },
      devstack_localrc: {
        SERVICE_HOST: "198.18.0.11",
        HOST_IP: "198.18.0.11",
        DATABASE_PASSWORD: "$ADMIN_PASSWORD",
        ADMIN_PASSWORD: "secret",
        LOGFILE: "${DEST}/logs/stack.sh.log",
        DEST: "/opt/stack",
        USE_SYSTEMD: false,
        SERVICE_TIMEOUT: 90,
      },
      devstack_plugins: { "ps-api": "git://198.18.0.129/ps-api", "ps-agent": "git://198.18.0.129/ps-agent", unused: "" },
      devstack_local_conf: {
        "post-config": { $NOVA_CONF: { DEFAULT: { debug: true, workers: 2 }, oslo_messaging_notifications: { driver: "noop" } } },
        "test-config": { $TEMPEST_CONFIG: { compute: { min_microversion: "2.1" } } },
      },
      devstack_base_dir: "BASE",
    },
    plugins: { "ps-api": [], "ps-agent": ["ps-api"] },
  },
  {
    name: "a subnode: base services off, single services on",
    vars: {
      devstack_base_services: ["key", "mysql"],
      devstack_services: { base: false, "n-cpu": true, "q-agt": true, "c-vol": false },
      devstack_localrc: { SERVICE_HOST: "198.18.0.11" },
    },
  },
  { name: "services without base services: disable_all_services", vars: { devstack_services: { "n-cpu": true } } },
  { name: "a value already in double quotes is written as is", vars: { devstack_localrc: { A: '"quoted $B"', B: "plain" } } },
  {
    name: "a value that uses two others (order between those two follows a set in DevStack)",
    vars: { devstack_localrc: { A: "$Y-$X", Y: "y", X: "x", W: "${A}/w" } },
  },
  { name: "a value that uses itself", vars: { devstack_localrc: { PATH_EXTRA: "$PATH_EXTRA:/opt/bin", LIBS_FROM_GIT: "oslo.config" } } },
  {
    name: "plugins only, plugin_requires over two levels",
    vars: {
      devstack_plugins: { c: "https://example.invalid/c", b: "https://example.invalid/b", a: "https://example.invalid/a", d: "https://example.invalid/d" },
      devstack_base_dir: "BASE",
    },
    plugins: { a: ["c"], b: ["c"], c: [], d: ["a"] },
  },
  { name: "local_conf only", vars: { devstack_local_conf: { "post-extra": { "/etc/x.conf": { s: { k: "v" } }, "/etc/empty.conf": {} } } } },
];

describe.skipIf(!!noDevstack)("conf render writes what DevStack's write-devstack-local-conf writes", () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const dir = join(tmp.path, c.name.replace(/[^a-z0-9]+/gi, "-"));
      mkdirSync(dir, { recursive: true });
      const vars = structuredClone(c.vars);
      if (vars.devstack_base_dir === "BASE") vars.devstack_base_dir = join(dir, "base");
      for (const [name, reqs] of Object.entries(c.plugins ?? {})) pluginRepo(join(dir, "base"), name, reqs);
      const file = join(dir, "vars.json");
      writeFileSync(file, JSON.stringify(vars));
      const ours = await renderZuulVarsFile({ env: process.env, cacheDir: join(tmp.path, "cache") }, { varsFile: file });
      const theirs = devstackOutputs(file);
      expect(theirs).toContain(ours);
    });
  }
});

test.skipIf(!!noDevstack)("where a chain of values sorts backwards, DevStack's role writes a value before the one it uses; plugstack does not", async () => {
  const file = join(tmp.path, "chain.json");
  writeFileSync(file, JSON.stringify({ devstack_localrc: { A: "$B", B: "$C", C: "c" } }));
  const [theirs] = [...devstackOutputs(file)];
  expect(theirs).toBe('[[local|localrc]]\nB="$C"\nC="c"\nA="$B"\n\n');
  expect(await renderZuulVarsFile({ env: process.env, cacheDir: tmp.path }, { varsFile: file })).toBe('[[local|localrc]]\nC="c"\nB="$C"\nA="$B"\n\n');
});

describe("renderZuulLocalConf", () => {
  test("plugins are written after the plugins they require, learnt from settings texts", () => {
    const text = renderZuulLocalConf({ plugins: { agent: "u1", api: "u2" } }, "v.json", ["define_plugin agent\nplugin_requires agent api\n"]);
    expect(text).toBe("[[local|localrc]]\nenable_plugin api u2\nenable_plugin agent u1\n\n");
  });

  test("a chain of values is written deepest first (DevStack's role writes B before the C it uses)", () => {
    const text = renderZuulLocalConf({ localrc: { A: "$B", B: "$C", C: "c" } }, "v.json");
    expect(text).toBe('[[local|localrc]]\nC="c"\nB="$C"\nA="$B"\n\n');
  });

  test("an empty or null plugin URL means not enabled", () => {
    expect(renderZuulLocalConf({ plugins: { a: "", b: null, c: "u" } }, "v.json")).toBe("[[local|localrc]]\nenable_plugin c u\n\n");
  });

  test("values that use each other are an error naming the cycle", () => {
    expect(() => renderZuulLocalConf({ localrc: { A: "$B", B: "$A" } }, "vars.json")).toThrow(
      /vars\.json: devstack_localrc values depend on each other in a cycle: A -> B -> A/,
    );
  });

  test("a required plugin missing from devstack_plugins names both", () => {
    expect(() => renderZuulLocalConf({ plugins: { agent: "u" } }, "v.json", ["define_plugin agent\nplugin_requires agent api\n"])).toThrow(
      /plugin agent requires api .* devstack_plugins has no api/,
    );
  });

  test.each([
    ["not an object", [1], /one JSON object/],
    ["localrc a list", { devstack_localrc: ["A=1"] }, /devstack_localrc must be a mapping/],
    ["a localrc value a list", { devstack_localrc: { A: [1] } }, /devstack_localrc\.A is a list/],
    ["base services not a list", { devstack_base_services: "key" }, /devstack_base_services must be a list/],
    ["local_conf phase not a mapping", { devstack_local_conf: { "post-config": "x" } }, /devstack_local_conf\.post-config must map files/],
  ])("bad vars: %s", (_n, value, re) => {
    let err: unknown;
    try {
      parseZuulVars(value, "vars.json");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).toStartWith("vars.json: ");
  });
});

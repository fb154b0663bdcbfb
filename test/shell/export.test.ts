// export.ts and the DevStack-layout entry files: what is written, that
// scripts written for DevStack's layout source it unchanged, that sourcing
// entry files again keeps plugins' redefinitions, the declare -f
// copy-and-wrap idiom, and `plugstack lib export`.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ENTRY_FILES, LIBRARY_DIR, SERVICE_LIB_PATHS, writeLibraryTree } from "../../src/shell/export.ts";
import { libraryFiles } from "../../src/shell/index.ts";
import { makeSandbox, q, runLib, runScript } from "./helpers.ts";

const sb = makeSandbox();
afterAll(() => sb.cleanup());
const MAIN = join(import.meta.dir, "../../src/cli/main.ts");

describe("writeLibraryTree", () => {
  test("writes the library, its load order and DevStack's entry files", () => {
    const dir = join(sb.root, "tree");
    const written = writeLibraryTree(dir);
    const want = [
      ...libraryFiles.map((f) => `${LIBRARY_DIR}/${f.name}`),
      `${LIBRARY_DIR}/FILES`,
      `${LIBRARY_DIR}/load.sh`,
      "functions",
      "functions-common",
      "inc/ini-config",
      "inc/meta-config",
      "inc/python",
      "inc/async",
      "inc/rootwrap",
      "stackrc",
      "openrc",
      ...SERVICE_LIB_PATHS,
      "tools/update_clouds_yaml.py",
      "tools/discover_hosts.sh",
    ];
    expect(written).toEqual(want);
    for (const tool of want.slice(-2)) expect(statSync(join(dir, tool)).mode & 0o777).toBe(0o755);
    for (const rel of want) expect(existsSync(join(dir, rel))).toBe(true);
    expect(readFileSync(join(dir, LIBRARY_DIR, "FILES"), "utf8")).toBe(`${libraryFiles.map((f) => f.name).join("\n")}\n`);
    expect(readFileSync(join(dir, LIBRARY_DIR, "git.sh"), "utf8")).toBe(libraryFiles.find((f) => f.name === "git.sh")!.text);
    expect(ENTRY_FILES.map(([p]) => p)).toEqual(want.slice(libraryFiles.length + 2, -2));
  });

  test("writing again over an existing tree keeps other files", () => {
    const dir = join(sb.root, "tree2");
    mkdirSync(join(dir, "lib"), { recursive: true });
    writeFileSync(join(dir, "lib", "mine"), "keep\n");
    writeLibraryTree(dir);
    writeLibraryTree(dir);
    expect(readFileSync(join(dir, "lib", "mine"), "utf8")).toBe("keep\n");
  });
});

describe("a script written for DevStack's layout", () => {
  test("sources $TOP_DIR/functions and calls DevStack's functions", () => {
    const r = runScript(
      sb.root,
      [
        "set -o errexit -o nounset",
        `TOP_DIR=${q(sb.top)}`,
        "source $TOP_DIR/functions",
        "source $TOP_DIR/inc/ini-config",
        "source $TOP_DIR/inc/python",
        `iniset ${q(join(sb.root, "x.ini"))} DEFAULT debug True`,
        `echo "$(iniget ${q(join(sb.root, "x.ini"))} DEFAULT debug) $(trueorfalse False UNSET_VAR)"`,
      ].join("\n"),
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("True False\n");
  });

  test("sourcing entry files again keeps functions a plugin redefined (last definition wins)", () => {
    const r = runLib(
      sb,
      [
        'iniset() { echo "plugin iniset $*"; }',
        "my_hook() { echo v1; }",
        `for e in functions functions-common inc/ini-config inc/meta-config inc/python inc/async inc/rootwrap; do source ${q(sb.top)}/$e; done`,
        "my_hook() { echo v2; }",
        "iniset f s o v",
        "my_hook",
        'die() { echo "custom die: $*"; }',
        "trueorfalse False",
      ].join("\n"),
    );
    expect(r.stdout).toBe("plugin iniset f s o v\nv2\ncustom die: variable to normalize required\nFalse\n");
  });

  test("plugins that source $TOP_DIR/lib/... (DevStack's service libraries) get the library", () => {
    const r = runScript(
      sb.root,
      [
        "set -eu",
        `TOP_DIR=${q(sb.top)}`,
        "source $TOP_DIR/lib/apache",
        "source $TOP_DIR/lib/neutron_plugins/services/l3",
        "source $TOP_DIR/lib/nova_plugins/functions-libvirt",
        "declare -F write_uwsgi_config iniset >/dev/null && echo ok",
      ].join("\n"),
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("ok\n");
  });

  test("the declare -f copy-and-wrap idiom works on library functions", () => {
    const file = join(sb.root, "wrap.ini");
    const r = runLib(
      sb,
      [
        'eval "$(declare -f iniset | sed -e "1s/^iniset /orig_iniset /")"',
        "export -f orig_iniset",
        'iniset() { echo "wrapped: $3=$4"; orig_iniset "$@"; }',
        `iniset ${q(file)} DEFAULT opt value`,
        "declare -F orig_iniset iniset",
      ].join("\n"),
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("wrapped: opt=value\norig_iniset\niniset\n");
    expect(readFileSync(file, "utf8")).toBe("\n[DEFAULT]\nopt = value\n");
  });

  test("loading keeps xtrace as it was and does not trace the library", () => {
    const r = runScript(sb.root, `set -x\nsource ${q(join(sb.top, "functions"))}\ncase $- in *x*) echo still-tracing;; esac`);
    expect(r.stdout).toBe("still-tracing\n");
    expect(r.stderr).not.toContain("declare");
    expect(r.stderr).not.toContain("_ps_register_defaults");
    expect(r.stderr.split("\n").length).toBeLessThan(15);
  });

  test("errors name the plugin line, not the library's", () => {
    writeFileSync(join(sb.root, "plugin.sh"), `source ${q(join(sb.top, "functions"))}\n\nX=$(trueorfalse True)\n`);
    const r = runScript(sb.root, `source ${q(join(sb.root, "plugin.sh"))}`);
    expect(r.stderr).toContain(`[ERROR] ${join(sb.root, "plugin.sh")}:3 variable to normalize required`);
  });
});

describe("plugstack lib export", () => {
  const cli = (...args: string[]) => {
    const r = Bun.spawnSync([process.execPath, MAIN, "lib", "export", ...args], {
      cwd: sb.root,
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, NO_COLOR: "1" },
    });
    return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };

  test("writes the tree that DevStack-layout scripts source", () => {
    const r = cli("exported");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`source ${join(sb.root, "exported")}/functions`);
    const use = runScript(sb.root, `source ${q(join(sb.root, "exported", "functions"))}\nis_suse || echo not-suse`);
    expect(use.stdout).toBe("not-suse\n");
  }, 30_000);

  test("--json lists the files", () => {
    const r = cli("exported-json", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout).result as { dir: string; files: string[] };
    expect(out.dir).toBe(join(sb.root, "exported-json"));
    expect(out.files).toContain("functions");
    expect(out.files).toContain("inc/ini-config");
  }, 30_000);

  test("a file in the way is a usage error (exit 2)", () => {
    writeFileSync(join(sb.root, "a-file"), "");
    const r = cli("a-file");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("exists and is not a directory");
  }, 30_000);
});
